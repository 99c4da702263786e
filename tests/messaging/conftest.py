import json

import pytest

from amparo.messaging import actions
from amparo.registry.actions import register_household
from tests.factories import member


@pytest.fixture
def messenger(make_user, org_a):
    """The communication officer, who prepares campaigns organization-wide."""
    return make_user("communication_officer", organization=org_a, username="cwc.a")


@pytest.fixture
def registrar(make_user, office_a1):
    return make_user("registration_officer", office=office_a1, username="registro.a1")


@pytest.fixture
def people(registrar, office_a1):
    """Four households: three heads agree to be contacted (one speaks English), one does not."""

    def head(given, phone, consent=True, languages=None, email=""):
        return register_household(
            actor=registrar,
            office=office_a1,
            members=[
                member(
                    given_names=given,
                    phone=phone,
                    contact_consent=consent,
                    languages=languages or ["es"],
                    documents=[],
                )
            ],
        ).members.get()

    return [
        head("Ana Lucía", "+593990000001"),
        head("Bruno", "+593990000002", languages=["en"]),
        head("Carla", "+593990000003"),
        head("Diego", "+593990000004", consent=False),
    ]


@pytest.fixture
def sms_template(messenger):
    return actions.save_template(
        actor=messenger,
        name="Regularización",
        channel="sms",
        body_es="Hola {first_name}: el {date} abre la regularización en {office}.",
        body_en="Hello {first_name}: regularization opens on {date} at {office}.",
    )


@pytest.fixture
def console_log(settings, tmp_path):
    settings.AMPARO_HOME = tmp_path

    def read(channel="sms"):
        path = tmp_path / "messages" / f"{channel}.log"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    return read
