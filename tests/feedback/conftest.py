import pytest

from amparo.feedback import actions


@pytest.fixture
def ethics(make_user, org_a):
    return make_user("ethics_focal_point", organization=org_a, username="etica.a")


@pytest.fixture
def handler(make_user, org_a):
    """The M&E officer, who answers ordinary feedback organization-wide."""
    return make_user("me_officer", organization=org_a, username="mye.a")


@pytest.fixture
def recorder(make_user, office_a1):
    return make_user("caseworker", office=office_a1, username="caso.a1")


@pytest.fixture
def submit(org_a):
    def send(category="complaint", text="La fila fue muy larga", **kwargs):
        return actions.receive_feedback(
            organization=kwargs.pop("organization", org_a), category=category, text=text, **kwargs
        )

    return send
