"""An optional e-mail address per person: checked and normalized by the registry's rules."""

import datetime

from amparo.core.errors import Errors
from amparo.registry import actions
from tests.factories import member

TODAY = datetime.date(2026, 1, 1)


def clean(**given):
    errors = Errors()
    cleaned = actions.clean_member(member(**given), region="EC", today=TODAY, errors=errors)
    return cleaned, errors


def test_email_is_optional():
    cleaned, errors = clean(email="")

    assert cleaned["email"] == ""
    assert not errors


def test_email_domain_is_lower_cased_and_the_local_part_kept():
    cleaned, errors = clean(email="  Maria.Perez@Example.ORG ")

    assert cleaned["email"] == "Maria.Perez@example.org"
    assert not errors


def test_a_bad_email_is_refused_on_its_field():
    cleaned, errors = clean(email="maria@")

    assert cleaned["email"] == ""
    assert "email" in set(errors)
