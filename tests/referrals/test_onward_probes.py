"""Adversarial probes of the onward chain (issue 11 review): a partner down the chain reaches
nothing of the originating case, sees no other partner's links, and a stranger to a referral
learns nothing from the onward endpoint, whatever body it posts."""

import pytest

from amparo.cases.models import GBVService
from amparo.core.models import AuditEvent
from amparo.referrals.models import Referral
from tests.referrals.test_onward import _api, _chain_of_two, _post

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal):
    """Caseworker → hospital → prosecutor → hospital."""
    return _chain_of_two(shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal)


def test_the_prosecutor_reaches_neither_the_first_referral_nor_the_case(
    chain, gbv_case, fiscalia_focal
):
    first, to_prosecutor, back_to_care = chain
    api = _api(fiscalia_focal)

    answers = [
        api.get(f"/api/v1/referrals/{first.uuid}/").status_code,
        api.get(f"/api/v1/cases/{gbv_case.uuid}/").status_code,
        api.get(f"/api/v1/cases/{gbv_case.uuid}/consent-withdrawals/").status_code,
    ]
    received = api.get(f"/api/v1/referrals/{to_prosecutor.uuid}/").json()

    assert answers == [404, 404, 404]
    assert "case" not in received and "individual" not in received and "parent" not in received
    assert str(first.uuid) not in str(received) and str(gbv_case.uuid) not in str(received)
    assert [link["reference"] for link in received["onward"]] == [back_to_care.reference]


def test_a_partner_sees_only_the_links_its_own_organization_sent(chain, gbv_case, hospital_focal):
    first, to_prosecutor, back_to_care = chain

    received = _api(hospital_focal).get(f"/api/v1/referrals/{first.uuid}/").json()
    came_back = _api(hospital_focal).get(f"/api/v1/referrals/{back_to_care.uuid}/").json()
    listed = str(_api(hospital_focal).get("/api/v1/referrals/").json())
    sent_on = _api(hospital_focal).get(f"/api/v1/referrals/{to_prosecutor.uuid}/").json()

    assert [link["reference"] for link in received["onward"]] == [to_prosecutor.reference]
    assert came_back["onward"] == []
    assert "case" not in received and "individual" not in received
    assert str(gbv_case.uuid) not in listed
    # What it sent on names the referral it came from, never the originating case.
    assert (sent_on["case"], sent_on["individual"]) == (None, None)
    assert sent_on["parent"] == str(first.uuid)


def test_the_originating_sender_sees_the_whole_chain(chain, gbv_specialist):
    first, to_prosecutor, back_to_care = chain

    sent = _api(gbv_specialist).get(f"/api/v1/referrals/{first.uuid}/").json()

    assert [link["reference"] for link in sent["onward"]] == [
        to_prosecutor.reference,
        back_to_care.reference,
    ]
    for link in sent["onward"]:  # where it went and how it stands, nothing of the person
        assert not {"reason", "shared", "outcome", "case", "individual"} & set(link)


@pytest.mark.parametrize("body", [{}, {"service": "x"}, ["a"], "null"])
def test_a_stranger_to_the_referral_gets_404_whatever_it_posts(
    chain, fiscalia_focal, make_user, org_b, body
):
    first = chain[0]
    stranger = make_user("partner_focal_point", organization=org_b, username="enlace-b")

    answers = [
        _api(user).post(f"/api/v1/referrals/{first.uuid}/onward/", body, format="json")
        for user in (fiscalia_focal, stranger)
    ]

    assert [a.status_code for a in answers] == [404, 404]
    assert all("service" not in a.content.decode() for a in answers)


def test_onward_after_the_survivor_withdrew_consent_is_refused_and_writes_nothing(
    shared, gbv_case, gbv_specialist, hospital_focal
):
    from django.utils import timezone

    from amparo.cases import actions as case_actions
    from tests.referrals.test_network import _first_referral

    first = _first_referral(
        shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH, GBVService.LEGAL
    )
    case_actions.withdraw_consent(
        actor=gbv_specialist,
        case=gbv_case,
        service="",
        withdrawn_by="survivor",
        withdrawn_on=timezone.localdate(),
    )

    refused = _post(hospital_focal, first, service=shared["justice"])

    assert refused.status_code == 400
    assert not Referral.objects.filter(parent=first).exists()
    assert not AuditEvent.objects.filter(action="referrals.referral.referred_on").exists()
