"""Regressions from the review of the referrals app."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from amparo.referrals import actions, queries
from amparo.referrals.models import Provider, Service


@pytest.fixture
def internal_unit(org_a):
    provider = Provider.objects.create(
        organization=org_a, name="Unidad psicosocial", kind="internal", agency=org_a
    )
    return Service.objects.create(provider=provider, type="psychosocial", name="Acompañamiento")


def _send(actor, case, service):
    return actions.send_referral(
        actor=actor,
        service=service,
        urgency="routine",
        reason="Acompañamiento psicosocial",
        shared_fields=["name", "phone"],
        consent=True,
        consent_method="verbal",
        consent_date=timezone.localdate(),
        case=case,
        individual=case.individuals.first(),
    )


@pytest.mark.django_db
def test_a_gbv_referral_to_an_internal_unit_stays_with_the_gbv_team(
    gbv_case, gbv_specialist, internal_unit, make_user, office_a2, case, caseworker
):
    gbv_referral = _send(gbv_specialist, gbv_case, internal_unit)
    ordinary = _send(caseworker, case, internal_unit)
    elsewhere = make_user("caseworker", office=office_a2)
    visible = set(queries.referrals_visible_to(elsewhere))
    assert ordinary in visible and gbv_referral not in visible
    assert not actions.can_answer(elsewhere, gbv_referral)
    assert gbv_referral in set(queries.referrals_visible_to(gbv_specialist))


@pytest.mark.django_db
def test_the_referral_list_shows_no_narrative_or_personal_data(case, caseworker, internal_unit):
    referral = _send(caseworker, case, internal_unit)
    api = APIClient()
    api.force_authenticate(caseworker)
    row = api.get("/api/v1/referrals/").json()["results"][0]
    assert row["id"] == str(referral.uuid) and row["side"] == "sender"
    for hidden in ("reason", "shared", "outcome", "decline_reason"):
        assert hidden not in row
    detail = api.get(f"/api/v1/referrals/{referral.uuid}/").json()
    assert detail["reason"] == "Acompañamiento psicosocial"


@pytest.mark.django_db
def test_a_long_decline_reason_is_kept_whole_and_encrypted(case, caseworker, org_a):
    provider = Provider.objects.create(organization=org_a, name="Junta", kind="government")
    service = Service.objects.create(provider=provider, type="child_protection", name="Medidas")
    referral = _send(caseworker, case, service)
    actions.move(actor=caseworker, referral=referral, to_state="received")
    reason = "No atendemos a personas mayores de 18 años. " * 10
    actions.move(actor=caseworker, referral=referral, to_state="declined", note=reason)
    referral.refresh_from_db()
    assert referral.decline_reason == reason.strip()
