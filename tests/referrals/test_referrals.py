"""Referrals along the Care Route: consent, states, and what each side sees."""

import datetime
import json

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from amparo.referrals import actions, queries
from amparo.referrals.models import (
    SENDER,
    STATE_RULES,
    Provider,
    Referral,
    ReferralState,
    Service,
    StateRule,
)
from tests.factories import OrganizationFactory


@pytest.fixture
def hospital_org(db):
    return OrganizationFactory(code="hospital", name="Hospital", is_care_route_partner=True)


@pytest.fixture
def focal_point(make_user, hospital_org):
    return make_user("partner_focal_point", organization=hospital_org, username="enlace")


@pytest.fixture
def service(org_a, hospital_org):
    provider = Provider.objects.create(
        organization=org_a, name="Hospital del Lago", kind="health", agency=hospital_org
    )
    return Service.objects.create(provider=provider, type="health", name="Atención VBG")


@pytest.fixture
def offline_service(org_a):
    provider = Provider.objects.create(organization=org_a, name="Junta Cantonal", kind="government")
    return Service.objects.create(provider=provider, type="child_protection", name="Medidas")


def send(caseworker, case, service, **overrides):
    values = {
        "actor": caseworker,
        "service": service,
        "urgency": "urgent",
        "reason": "Necesita atención médica",
        "shared_fields": ["name", "age", "phone"],
        "consent": True,
        "consent_method": "verbal",
        "consent_date": timezone.localdate(),
        "case": case,
        "individual": case.individuals.first(),
    }
    return actions.send_referral(**(values | overrides))


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
def test_no_consent_no_referral(client, case, caseworker, service):
    with pytest.raises(ActionError) as exc:
        send(caseworker, case, service, consent=False)
    assert "consent" in exc.value.errors
    client.force_login(caseworker)
    response = client.post(
        f"{reverse('referrals:new')}?case={case.uuid}",
        {
            "individual": case.individuals.first().pk,
            "service": service.pk,
            "urgency": "routine",
            "reason": "x",
            "shared_fields": ["name"],
            "consent_method": "verbal",
            "consent_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert "Hospital del Lago" in response.content.decode()
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_the_partner_sees_only_shared_fields_of_referrals_addressed_to_it(
    case, caseworker, service, offline_service, focal_point, make_user
):
    referral = send(caseworker, case, service)
    send(caseworker, case, offline_service)
    visible = list(queries.referrals_visible_to(focal_point))
    assert visible == [referral]
    api = APIClient()
    api.force_authenticate(focal_point)
    body = api.get(f"/api/v1/referrals/{referral.uuid}/").json()
    assert set(body["shared"]) == {"name", "age", "phone"}
    assert body["shared"]["name"] == "María José Pérez Gómez"
    for hidden in ("case", "individual"):
        assert hidden not in body
    listing = api.get("/api/v1/referrals/").json()
    assert [r["id"] for r in listing["results"]] == [str(referral.uuid)]
    # The partner cannot reach the case or the registry at all.
    assert api.get(f"/api/v1/cases/{case.uuid}/").status_code == 404
    person = case.individuals.first()
    assert api.get(f"/api/v1/individuals/{person.uuid}/").status_code == 404
    # Another partner sees nothing.
    other = make_user("partner_focal_point", organization=OrganizationFactory(code="otro"))
    api.force_authenticate(other)
    assert api.get(f"/api/v1/referrals/{referral.uuid}/").status_code == 404


@pytest.mark.django_db
def test_states_move_in_order_and_illegal_steps_change_nothing(
    case, caseworker, service, focal_point
):
    referral = send(caseworker, case, service)
    with pytest.raises(ActionError) as exc:
        actions.move(actor=focal_point, referral=referral, to_state="service_given")
    assert "state" in exc.value.errors
    referral.refresh_from_db()
    assert referral.state == "sent" and referral.concluded_at is None
    # The sender cannot answer for a partner that has accounts.
    with pytest.raises(ActionError):
        actions.move(actor=caseworker, referral=referral, to_state="received")
    actions.move(actor=focal_point, referral=referral, to_state="received")
    with pytest.raises(ActionError) as exc:
        actions.move(actor=focal_point, referral=referral, to_state="declined", note="")
    assert "note" in exc.value.errors
    actions.move(actor=focal_point, referral=referral, to_state="accepted")
    actions.move(actor=focal_point, referral=referral, to_state="service_given", note="Atendida")
    referral.refresh_from_db()
    assert referral.state == "service_given"
    assert referral.received_at and referral.responded_at and referral.concluded_at
    assert AuditEvent.objects.filter(action="referrals.referral.service_given").count() == 2


def _route(to_state: ReferralState) -> list[ReferralState]:
    """The states a new referral moves through to reach `to_state`, found in the table."""
    routes = {ReferralState.SENT: []}
    queue = [ReferralState.SENT]
    while queue:
        state = queue.pop(0)
        for following in sorted(STATE_RULES[state].follows):
            if following not in routes:
                routes[following] = [*routes[state], following]
                queue.append(following)
    return routes[to_state]


STATE_FIELDS = (
    "received_at",
    "responded_at",
    "responded_by",
    "concluded_at",
    "withdrawn_at",
    "withdrawn_by",
)
NOTE_FIELDS = ("decline_reason", "outcome", "withdraw_note", "withdraw_reason")


def test_the_state_table_covers_every_state_and_only_outcomes_conclude():
    concluding = {state for state, rule in STATE_RULES.items() if rule.concludes}

    assert set(STATE_RULES) == set(ReferralState)
    assert {s for rule in STATE_RULES.values() for s in rule.follows} <= set(ReferralState)
    assert concluding == {ReferralState.SERVICE_GIVEN, ReferralState.NOT_REACHED}


@pytest.mark.django_db
def test_a_state_added_between_others_does_not_conclude_the_referral(
    monkeypatch, case, caseworker, service, focal_point
):
    """`service_given` stands in for a future intermediate state: a row with only `follows`."""
    between = StateRule(follows=frozenset({ReferralState.NOT_REACHED}))
    monkeypatch.setitem(STATE_RULES, ReferralState.SERVICE_GIVEN, between)
    referral = send(caseworker, case, service)
    actions.move(actor=focal_point, referral=referral, to_state="received")
    actions.move(actor=focal_point, referral=referral, to_state="accepted")

    actions.move(actor=focal_point, referral=referral, to_state="service_given", note="Contactada")

    referral.refresh_from_db()
    assert referral.state == "service_given"
    assert referral.concluded_at is None and referral.outcome == ""
    actions.move(actor=focal_point, referral=referral, to_state="not_reached", note="Sin contacto")
    referral.refresh_from_db()
    assert referral.concluded_at is not None and referral.outcome == "Sin contacto"


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(STATE_RULES))
def test_moving_into_a_state_writes_what_its_row_says_and_nothing_else(
    state, case, caseworker, service, focal_point
):
    rule, route = STATE_RULES[state], _route(state)
    referral = send(caseworker, case, service)
    for step in route[:-1]:
        actions.move(actor=focal_point, referral=referral, to_state=step, note="Nota previa")
    referral.refresh_from_db()
    earlier = {f: getattr(referral, f) for f in STATE_FIELDS + NOTE_FIELDS}

    # The row says who moves (the recipient, or the sender withdrawing) and what reason it needs.
    mover = caseworker if rule.mover == SENDER else focal_point
    reason = sorted(rule.note_needed_for or rule.reasons.values)[0] if rule.reasons else ""
    for step in route[-1:]:
        actions.move(actor=mover, referral=referral, to_state=step, note="Nota", reason=reason)

    referral.refresh_from_db()
    changed = {f for f in STATE_FIELDS + NOTE_FIELDS if getattr(referral, f) != earlier[f]}
    written = {rule.stamp, rule.stamp_by, rule.note_field, rule.reason_field}
    expected = written - {""} if route else set()
    assert referral.state == state
    assert changed == expected
    assert (referral.concluded_at is not None) is rule.concludes
    assert (referral.outcome == "Nota") is rule.concludes


@pytest.mark.django_db
def test_illegal_step_through_the_api_gets_a_clear_message(case, caseworker, service, focal_point):
    referral = send(caseworker, case, service)
    api = APIClient()
    api.force_authenticate(focal_point)
    response = api.post(
        f"/api/v1/referrals/{referral.uuid}/answer/", {"state": "accepted"}, format="json"
    )
    assert response.status_code == 400
    message = json.dumps(response.json(), ensure_ascii=False)
    assert "Enviada" in message and "Aceptada" in message
    referral.refresh_from_db()
    assert referral.state == "sent"


@pytest.mark.django_db
def test_for_an_agency_without_accounts_the_sender_records_the_answer_and_prints(
    client, case, caseworker, offline_service
):
    referral = send(caseworker, case, offline_service)
    actions.move(actor=caseworker, referral=referral, to_state="received")
    client.force_login(caseworker)
    page = client.get(reverse("referrals:print", args=[referral.uuid]))
    assert page.status_code == 200
    assert "print.css" in page.content.decode()
    assert AuditEvent.objects.filter(action="referrals.referral.printed").exists()


@pytest.mark.django_db
def test_overdue_referrals_are_flagged(case, caseworker, service):
    referral = send(caseworker, case, service, urgency="emergency")
    later = timezone.now() + datetime.timedelta(days=2)
    assert queries.is_overdue(referral, later)
    assert list(queries.overdue(Referral.objects.all(), later)) == [referral]
    assert not queries.overdue(Referral.objects.all()).exists()


@pytest.mark.django_db
def test_reason_and_shared_data_are_encrypted_at_rest(case, caseworker, service):
    referral = send(caseworker, case, service)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reason, shared_data FROM referrals_referral WHERE id = %s", [referral.pk]
        )
        reason, shared = cursor.fetchone()
    assert reason.startswith("fernet:") and "médica" not in reason
    assert "María" not in shared


@pytest.mark.django_db
def test_gbv_referrals_follow_the_survivors_consent_per_service(gbv_case, gbv_specialist, service):
    from tests.cases.test_access import _incident

    incident = _incident(gbv_case, gbv_specialist)
    incident.referral_consent = ["psychosocial"]
    incident.save()
    with pytest.raises(ActionError) as exc:
        send(gbv_specialist, gbv_case, service)
    assert "consent" in exc.value.errors
    incident.referral_consent = ["health"]
    incident.save()
    assert send(gbv_specialist, gbv_case, service).state == "sent"


@pytest.mark.django_db
def test_a_gbv_referral_to_an_internal_unit_stays_with_the_gbv_team(
    gbv_case, gbv_specialist, internal_unit, make_user, office_a2, case, caseworker
):
    from tests.cases.test_access import _incident

    _incident(gbv_case, gbv_specialist)  # she agreed to psychosocial referrals
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
