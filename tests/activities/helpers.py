"""Helpers for the services-given tests (fixtures are in conftest.py)."""

import datetime

from django.utils import timezone, translation

from amparo.activities import actions
from amparo.cases.models import Case, GBVTeamMember


def es(message: str) -> str:
    """`message` as a Spanish-speaking user reads it (the catalog may still be catching up)."""
    with translation.override("es"):
        return translation.gettext(message)


def record(actor, **overrides):
    """A legal counselling session by `actor` at their office, with the given changes."""
    data = {
        "actor": actor,
        "office": actor.office,
        "type": "legal_counselling",
        "date": timezone.localdate(),
        "staff": [actor],
        "sector": "legal",
        **overrides,
    }
    return actions.record_activity(**data)


def make_case(*, office, owner, household, restricted=False, team=(), reference="C-0001"):
    """A case written straight to the database (the cases actions are not ours to call)."""
    case = Case.objects.create(
        organization=office.organization,
        office=office,
        reference=reference,
        type="gbv" if restricted else "legal",
        restricted=restricted,
        risk_level="high" if restricted else "low",
        household=household,
        owner=owner,
        opened_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    case.individuals.set(household.members.all())
    for user in team:
        GBVTeamMember.objects.create(office=office, user=user)
    return case
