"""A referral withdrawn by its sender (issue 11): by the sending side only, from every open
state, final; a withdrawal of consent withdraws the referrals it covers and their onward chain
in its transaction; the partner is told and no longer reads what was shared."""

import datetime
import re

import pytest
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from amparo.cases import actions as case_actions
from amparo.cases.models import GBVService
from amparo.cases.queries import OPEN_REFERRAL_STATES
from amparo.core.errors import ActionError
from amparo.core.models import Area, AuditEvent
from amparo.referrals import actions, queries
from amparo.referrals.models import (
    AWAITING_ANSWER,
    OPEN_STATES,
    STATE_RULES,
    Provider,
    Referral,
    ReferralState,
    Service,
    WithdrawReason,
)
from tests.databases import postgresql_only
from tests.factories import api_token
from tests.referrals.test_gbv_consent import consenting_to
from tests.referrals.test_network import _first_referral, _onward

TODAY = timezone.localdate


@pytest.fixture
def provider_psy(org_a):
    """A psychosocial service of organization A's own directory."""
    provider = Provider.objects.create(organization=org_a, name="Red local", kind="ngo")
    return Service.objects.create(provider=provider, type="psychosocial", name="Escucha")


def _api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def _send(actor, case, service, **overrides):
    values = {
        "actor": actor,
        "service": service,
        "urgency": "urgent",
        "reason": "Atención médica urgente",
        "shared_fields": ["case_code", "age"],
        "consent": True,
        "consent_method": "verbal",
        "consent_date": TODAY(),
        "case": case,
        "individual": case.individuals.first(),
    }
    return actions.send_referral(**(values | overrides))


def _chain(shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal):
    """Caseworker → hospital (accepted) → prosecutor (accepted) → hospital (sent)."""
    first = _first_referral(
        shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH, GBVService.LEGAL
    )
    to_prosecutor = _onward(hospital_focal, first, shared["justice"])
    for state in ("received", "accepted"):
        actions.move(actor=fiscalia_focal, referral=to_prosecutor, to_state=state)
    back_to_care = _onward(fiscalia_focal, to_prosecutor, shared["health"], reason="Control")
    return first, to_prosecutor, back_to_care


def _states(*referrals):
    return [Referral.objects.get(pk=r.pk).state for r in referrals]


# --- the state table --------------------------------------------------------------------------


def test_withdrawn_follows_every_open_state_is_final_and_made_by_the_sender():
    rule = STATE_RULES[ReferralState.WITHDRAWN]
    before = {s for s, r in STATE_RULES.items() if ReferralState.WITHDRAWN in r.follows}

    assert before == {ReferralState.SENT, ReferralState.RECEIVED, ReferralState.ACCEPTED}
    assert rule.follows == frozenset() and rule.mover == "sender"
    assert ReferralState.WITHDRAWN not in OPEN_STATES + AWAITING_ANSWER
    assert not rule.concludes
    assert set(OPEN_REFERRAL_STATES) == set(OPEN_STATES)  # what the cases app lists as open
    assert [rule.needs_note(reason) for reason in WithdrawReason.values] == [
        False,
        False,
        False,
        True,  # "other" needs the note
    ]


# --- the sender withdraws; the recipient cannot -------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("reached", [[], ["received"], ["received", "accepted"]])
def test_the_sender_withdraws_from_every_open_state_and_it_stays_withdrawn(
    reached, shared, gbv_case, gbv_specialist, hospital_focal
):
    consenting_to(gbv_case, gbv_specialist, GBVService.HEALTH)
    referral = _send(gbv_specialist, gbv_case, shared["health"])
    for state in reached:
        actions.move(actor=hospital_focal, referral=referral, to_state=state)

    done = actions.withdraw_referral(
        actor=gbv_specialist,
        referral=referral,
        reason=WithdrawReason.REFERRED_ELSEWHERE,
        note="Atendida en el centro de salud",
    )

    assert done.state == "withdrawn"
    referral.refresh_from_db()
    assert (referral.state, referral.withdrawn_by, referral.withdraw_reason) == (
        "withdrawn",
        gbv_specialist,
        "referred_elsewhere",
    )
    assert referral.withdraw_note == "Atendida en el centro de salud"
    assert referral.withdrawn_at is not None
    for state in ("accepted", "declined", "service_given"):
        with pytest.raises(ActionError):
            actions.move(actor=hospital_focal, referral=referral, to_state=state, note="x")
    with pytest.raises(ActionError) as again:
        actions.withdraw_referral(actor=gbv_specialist, referral=referral, reason="sent_in_error")
    assert "state" in again.value.errors
    # Told to the sender's organization and to the partner's, each in its own trail.
    events = AuditEvent.objects.filter(action="referrals.referral.withdrawn")
    assert sorted(events.values_list("organization__code", flat=True)) == sorted(
        [gbv_specialist.organization.code, "hospital-sl"]
    )
    assert {e.details["reason"] for e in events} == {"referred_elsewhere"}
    assert {e.restricted_office_id for e in events} == {gbv_case.office_id}


@pytest.mark.django_db
def test_a_concluded_referral_cannot_be_withdrawn(shared, gbv_case, gbv_specialist, hospital_focal):
    referral = _first_referral(shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH)
    actions.move(actor=hospital_focal, referral=referral, to_state="service_given", note="Ok")

    with pytest.raises(ActionError) as refused:
        actions.withdraw_referral(actor=gbv_specialist, referral=referral, reason="sent_in_error")

    assert list(refused.value.errors) == ["state"]
    assert _states(referral) == ["service_given"]


@pytest.mark.django_db
def test_a_withdrawal_needs_a_reason_and_for_another_reason_a_note(
    shared, gbv_case, gbv_specialist
):
    consenting_to(gbv_case, gbv_specialist, GBVService.HEALTH)
    referral = _send(gbv_specialist, gbv_case, shared["health"])

    errors = []
    for reason, note in (("", ""), ("whatever", "x"), ("other", "  ")):
        with pytest.raises(ActionError) as refused:
            actions.withdraw_referral(
                actor=gbv_specialist, referral=referral, reason=reason, note=note
            )
        errors.append(refused.value.errors)

    assert errors == [
        {"reason": ["Indique por qué se retira la derivación."]},
        {"reason": ["Indique por qué se retira la derivación."]},
        {"note": ["Añada una nota que diga por qué se retira la derivación."]},
    ]
    assert _states(referral) == ["sent"]
    assert not AuditEvent.objects.filter(action="referrals.referral.withdrawn").exists()


@pytest.mark.django_db
def test_only_the_sending_side_withdraws(
    client, shared, gbv_case, gbv_specialist, hospital_focal, caseworker, make_user, org_a
):
    consenting_to(gbv_case, gbv_specialist, GBVService.HEALTH)
    referral = _send(gbv_specialist, gbv_case, shared["health"])
    manager = make_user("me_officer", organization=org_a, username="monitoreo")
    url = reverse("referrals:withdraw", args=[referral.uuid])
    body = {"reason": "sent_in_error"}

    answers = {}
    for name, user in (
        ("recipient", hospital_focal),
        ("not on the GBV team", caseworker),
        ("another role", manager),
    ):
        with pytest.raises(Http404):
            actions.withdraw_referral(actor=user, referral=referral, reason="sent_in_error")
        client.force_login(user)
        answers[name] = (
            client.post(url, body).status_code,
            _api(user).post(f"/api/v1/referrals/{referral.uuid}/withdraw/", body).status_code,
        )
    client.force_login(hospital_focal)
    recipient_page = client.get(reverse("referrals:detail", args=[referral.uuid]))

    assert answers == {
        "recipient": (404, 404),
        "not on the GBV team": (404, 404),
        "another role": (404, 404),
    }
    assert _states(referral) == ["sent"]
    assert not AuditEvent.objects.filter(action="referrals.referral.withdrawn").exists()
    assert recipient_page.context["withdraw_form"] is None
    assert url not in recipient_page.content.decode()
    # Nor can a recipient withdraw through its answers.
    with pytest.raises(ActionError):
        actions.move(actor=hospital_focal, referral=referral, to_state="answer")
    answer = client.post(reverse("referrals:answer", args=[referral.uuid]), {"state": "withdrawn"})
    assert answer.status_code == 400 and _states(referral) == ["sent"]


@pytest.mark.django_db
def test_the_sender_withdraws_on_the_referrals_page(
    client, shared, gbv_case, gbv_specialist, hospital_focal
):
    consenting_to(gbv_case, gbv_specialist, GBVService.HEALTH)
    referral = _send(gbv_specialist, gbv_case, shared["health"])
    detail = reverse("referrals:detail", args=[referral.uuid])
    url = reverse("referrals:withdraw", args=[referral.uuid])
    client.force_login(gbv_specialist)

    page = client.get(detail).content.decode()
    no_note = client.post(url, {"reason": "other"})
    saved = client.post(url, {"reason": "other", "note": "Ya no vive en la zona"})
    after = client.get(detail).content.decode()
    client.force_login(hospital_focal)
    partner = client.get(detail).content.decode()
    partner_list = client.get(reverse("referrals:list")).content.decode()

    assert url in page and "Retirar la derivación" in page
    assert no_note.status_code == 400
    assert "Añada una nota que diga por qué se retira la derivación." in no_note.content.decode()
    assert saved.status_code == 302
    assert "Derivación retirada." in after and url not in after  # final: no form any more
    assert "Retirada por quien la envió" in partner and "Otro motivo" in partner
    assert "Ya no vive en la zona" in partner  # not about consent: the partner reads why
    assert gbv_case.reference in partner  # nor is anything shared taken back
    assert "Retirada por quien la envió</strong>\n    (Otro motivo)" in partner_list


@pytest.mark.django_db
def test_the_recipients_home_offers_no_withdrawal(
    client, shared, gbv_case, gbv_specialist, hospital_focal
):
    consenting_to(gbv_case, gbv_specialist, GBVService.HEALTH)
    referral = _send(gbv_specialist, gbv_case, shared["health"])
    client.force_login(hospital_focal)

    home = client.get(reverse("home")).content.decode()

    assert referral.reference in home
    assert 'value="received"' in home and 'value="withdrawn"' not in home


@pytest.mark.django_db
def test_for_an_agency_without_accounts_the_sender_is_told_to_phone_it(
    client, gbv_case, gbv_specialist, org_a
):
    consenting_to(gbv_case, gbv_specialist, GBVService.CHILD_PROTECTION)
    junta = Provider.objects.create(
        organization=org_a, name="Junta Cantonal", kind="government", phone="06 283 0000"
    )
    service = Service.objects.create(provider=junta, type="child_protection", name="Medidas")
    referral = _send(gbv_specialist, gbv_case, service)
    actions.withdraw_referral(actor=gbv_specialist, referral=referral, reason="sent_in_error")
    client.force_login(gbv_specialist)

    page = client.get(reverse("referrals:detail", args=[referral.uuid])).content.decode()
    printed = client.get(reverse("referrals:print", args=[referral.uuid])).content.decode()

    line = "Avise por teléfono a Junta Cantonal: esta derivación está retirada."
    assert line in page and line in printed and "06 283 0000" in printed


# --- the API -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sender_withdraws_through_the_api(shared, gbv_case, gbv_specialist, hospital_focal):
    consenting_to(gbv_case, gbv_specialist, GBVService.HEALTH)
    referral = _send(gbv_specialist, gbv_case, shared["health"])
    url = f"/api/v1/referrals/{referral.uuid}/withdraw/"

    response = _api(gbv_specialist).post(
        url, {"reason": "referred_elsewhere", "note": "Otra ruta"}, format="json"
    )
    partner = _api(hospital_focal).get(f"/api/v1/referrals/{referral.uuid}/").json()
    rows = _api(hospital_focal).get("/api/v1/referrals/?state=withdrawn").json()

    body = response.json()
    assert response.status_code == 200
    assert (body["state"], body["withdraw_reason"], body["withdraw_note"]) == (
        "withdrawn",
        "referred_elsewhere",
        "Otra ruta",
    )
    assert body["withdrawn_at"] is not None and body["overdue"] is False
    assert (partner["state"], partner["withdraw_reason"], partner["withdraw_note"]) == (
        "withdrawn",
        "referred_elsewhere",
        "Otra ruta",
    )
    assert partner["shared"] == {"case_code": gbv_case.reference, "age": partner["shared"]["age"]}
    ids = [r["id"] for r in (rows["results"] if isinstance(rows, dict) else rows)]
    assert ids == [str(referral.uuid)]


@pytest.mark.django_db
def test_malformed_withdrawals_answer_400_in_the_users_language(
    shared, gbv_case, gbv_specialist, make_user, quito
):
    consenting_to(gbv_case, gbv_specialist, GBVService.HEALTH)
    referral = _send(gbv_specialist, gbv_case, shared["health"])
    english = make_user("gbv_specialist", office=quito, username="gbv.en", language="en")
    gbv_case.office.gbv_team.create(user=english)
    url = f"/api/v1/referrals/{referral.uuid}/withdraw/"

    in_english = _api(english).post(url, {"reason": "whenever"}, format="json")
    in_spanish = _api(gbv_specialist).post(url, {"reason": "whenever"}, format="json")
    no_note = _api(gbv_specialist).post(url, {"reason": "other"}, format="json")

    assert in_english.status_code == in_spanish.status_code == no_note.status_code == 400
    assert in_english.json() == {"reason": ['"whenever" is not a valid choice.']}
    with translation.override("es"):
        expected = translation.gettext('"{input}" is not a valid choice.').format(input="whenever")
    assert in_spanish.json() == {"reason": [expected]} != in_english.json()
    assert no_note.json() == {"note": ["Añada una nota que diga por qué se retira la derivación."]}
    assert _states(referral) == ["sent"]


def test_the_schema_documents_the_withdraw_endpoint(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/referrals/{id}/withdraw/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][body.rsplit("/", 1)[-1]]["properties"]
    answer = schema["paths"]["/api/v1/referrals/{id}/answer/"]["post"]
    answer_body = answer["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    answer_state = schema["components"]["schemas"][answer_body.rsplit("/", 1)[-1]]["properties"]
    enums = schema["components"]["schemas"]
    assert "200" in operation["responses"]
    assert set(fields) == {"reason", "note"}
    assert enums["WithdrawReason"]["enum"] == WithdrawReason.values
    assert "withdrawn" in enums["ReferralState"]["enum"]
    state_enum = enums[answer_state["state"]["$ref"].rsplit("/", 1)[-1]]["enum"]
    assert "withdrawn" not in state_enum and "accepted" in state_enum  # the recipient's answers


# --- a withdrawal of consent ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_consent_page_withdraws_the_covered_referrals_and_their_onward_chain(
    client, shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal, provider_psy
):
    first, to_prosecutor, back_to_care = _chain(
        shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal
    )
    incident = gbv_case.incidents.get()
    incident.referral_consent = [*incident.referral_consent, GBVService.PSYCHOSOCIAL]
    incident.save()
    other = _send(gbv_specialist, gbv_case, provider_psy)  # not covered: stays
    url = reverse("cases:consent-withdraw", args=[gbv_case.uuid])
    client.force_login(gbv_specialist)

    confirm = client.get(url).content.decode()
    saved = client.post(
        url,
        {
            "service": GBVService.HEALTH,
            "withdrawn_by": "survivor",
            "withdrawn_on": TODAY().isoformat(),
            "withdraw_referrals": "on",
        },
    )

    assert first.reference in confirm and other.reference in confirm
    assert "Fiscalía" in confirm  # the open onward referrals it may reach
    tick = re.search(r'<input type="checkbox" name="withdraw_referrals"[^>]*>', confirm)
    assert tick is not None and tick.group(0).endswith(" checked>")
    assert saved.status_code == 302
    # The hospital's referral is health (covered); the prosecutor's and the hospital's again
    # followed it, so they rested on her consent too.
    assert _states(first, to_prosecutor, back_to_care, other) == [
        "withdrawn",
        "withdrawn",
        "withdrawn",
        "sent",
    ]
    withdrawn = Referral.objects.filter(state="withdrawn")
    assert {(r.withdraw_reason, r.withdrawn_by) for r in withdrawn} == {
        ("consent_withdrawn", gbv_specialist)
    }
    events = AuditEvent.objects.filter(action="referrals.referral.withdrawn")
    assert {(e.target_id, e.organization.code) for e in events} == {
        (str(first.uuid), gbv_specialist.organization.code),
        (str(first.uuid), "hospital-sl"),
        (str(to_prosecutor.uuid), gbv_specialist.organization.code),
        (str(to_prosecutor.uuid), "hospital-sl"),
        (str(to_prosecutor.uuid), "fiscalia-sl"),
        (str(back_to_care.uuid), gbv_specialist.organization.code),
        (str(back_to_care.uuid), "fiscalia-sl"),
        (str(back_to_care.uuid), "hospital-sl"),
    }
    assert {e.actor_username for e in events} == {gbv_specialist.username}
    assert {e.restricted_office_id for e in events} == {gbv_case.office_id}
    assert AuditEvent.objects.filter(action="cases.consent.withdrawn").count() == 1


@pytest.mark.django_db
def test_clearing_the_tick_withdraws_nothing(
    client, shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal
):
    first, to_prosecutor, back_to_care = _chain(
        shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal
    )
    client.force_login(gbv_specialist)

    saved = client.post(
        reverse("cases:consent-withdraw", args=[gbv_case.uuid]),
        {"service": "", "withdrawn_by": "survivor", "withdrawn_on": TODAY().isoformat()},
    )

    assert saved.status_code == 302
    assert gbv_case.consent_withdrawals.count() == 1
    assert _states(first, to_prosecutor, back_to_care) == ["accepted", "accepted", "sent"]
    assert not AuditEvent.objects.filter(action="referrals.referral.withdrawn").exists()


@pytest.fixture
def areas(transactional_db):
    """Transactional tests run after others emptied the tables, areas included: the areas
    the network, the office and the incident need."""
    ecuador, _ = Area.objects.get_or_create(
        code="EC", defaults={"name": "Ecuador", "level": 0, "country_code": "EC"}
    )
    for code, name in (("EC-P", "Pichincha"), ("EC-E", "Esmeraldas")):
        Area.objects.get_or_create(
            code=code,
            defaults={"name": name, "level": 1, "parent": ecuador, "country_code": "EC"},
        )


@postgresql_only  # it reads PostgreSQL's row transaction ids (xmin)
@pytest.mark.django_db(transaction=True)
def test_the_consent_and_its_referrals_are_withdrawn_in_one_transaction(
    areas, shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal
):
    first, to_prosecutor, back_to_care = _chain(
        shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal
    )

    withdrawal = case_actions.withdraw_consent(
        actor=gbv_specialist,
        case=gbv_case,
        service="",
        withdrawn_by="survivor",
        withdrawn_on=TODAY(),
    )

    # PostgreSQL stamps each row with the transaction that last wrote it.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xmin::text FROM cases_consentwithdrawal WHERE id = %s", [withdrawal.pk]
        )
        consent_tx = cursor.fetchone()[0]
        cursor.execute(
            "SELECT DISTINCT xmin::text FROM referrals_referral WHERE id = ANY(%s)",
            [[first.pk, to_prosecutor.pk, back_to_care.pk]],
        )
        referral_tx = [row[0] for row in cursor.fetchall()]
    assert referral_tx == [consent_tx]
    assert _states(first, to_prosecutor, back_to_care) == ["withdrawn"] * 3


@pytest.mark.django_db
def test_after_a_consent_withdrawal_partners_see_the_state_but_not_what_was_shared(
    client, shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal, make_user
):
    first, to_prosecutor, _back = _chain(
        shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal
    )
    case_actions.withdraw_consent(
        actor=gbv_specialist,
        case=gbv_case,
        service="",
        withdrawn_by="survivor",
        withdrawn_on=TODAY(),
    )
    english = make_user(
        "partner_focal_point",
        organization=hospital_focal.organization,
        username="liaison",
        language="en",
    )

    pages = {}
    for name, user, referral in (
        ("sender", gbv_specialist, first),
        ("hospital", hospital_focal, first),
        ("hospital in English", english, first),
        ("hospital, its own onward referral", hospital_focal, to_prosecutor),
        ("prosecutor", fiscalia_focal, to_prosecutor),
    ):
        client.force_login(user)
        pages[name] = client.get(reverse("referrals:detail", args=[referral.uuid])).content.decode()
    printed = client.get(reverse("referrals:print", args=[to_prosecutor.uuid])).content.decode()
    api = _api(hospital_focal).get(f"/api/v1/referrals/{first.uuid}/").json()
    sender_api = _api(gbv_specialist).get(f"/api/v1/referrals/{first.uuid}/").json()

    # The survivor took back the permission to share: only her caseworker still reads it.
    assert gbv_case.reference in pages["sender"] and "Atención médica" in pages["sender"]
    for name in ("hospital", "hospital, its own onward referral", "prosecutor"):
        page = pages[name]
        assert gbv_case.reference not in page and "Quiere denunciar" not in page, name
        assert "Atención médica" not in page, name
        assert "Retirada por quien la envió" in page, name
        assert "La persona retiró el consentimiento" in page, name
        assert "Ya no se muestra: la persona retiró el consentimiento" in page, name
    assert "Withdrawn by the sender" in pages["hospital in English"]
    assert "The person withdrew consent" in pages["hospital in English"]
    assert gbv_case.reference not in pages["hospital in English"]
    assert gbv_case.reference not in printed
    assert (api["state"], api["shared"], api["reason"]) == ("withdrawn", {}, "")
    assert api["withdraw_reason"] == "consent_withdrawn" and api["reference"] == first.reference
    assert sender_api["shared"]["case_code"] == gbv_case.reference
    assert sender_api["reason"] == "Atención médica"


@pytest.mark.django_db
def test_a_consent_withdrawal_note_stays_with_the_sender(
    client, shared, gbv_case, gbv_specialist, hospital_focal
):
    consenting_to(gbv_case, gbv_specialist, GBVService.HEALTH)
    referral = _send(gbv_specialist, gbv_case, shared["health"])
    actions.withdraw_referral(
        actor=gbv_specialist,
        referral=referral,
        reason=WithdrawReason.CONSENT,
        note="Su pareja vio el papel de la derivación",
    )

    client.force_login(hospital_focal)
    partner = client.get(reverse("referrals:detail", args=[referral.uuid])).content.decode()
    partner_api = _api(hospital_focal).get(f"/api/v1/referrals/{referral.uuid}/").json()
    client.force_login(gbv_specialist)
    sender = client.get(reverse("referrals:detail", args=[referral.uuid])).content.decode()

    assert "Su pareja vio" not in partner and partner_api["withdraw_note"] == ""
    assert "La persona retiró el consentimiento" in partner
    assert "Su pareja vio el papel de la derivación" in sender


# --- answer deadlines stop ----------------------------------------------------------------------


@pytest.mark.django_db
def test_overdue_and_waiting_lists_skip_withdrawn_referrals(
    client, shared, gbv_case, gbv_specialist, hospital_focal
):
    consenting_to(gbv_case, gbv_specialist, GBVService.HEALTH)
    late = _send(gbv_specialist, gbv_case, shared["health"])
    Referral.objects.filter(pk=late.pk).update(
        respond_by=timezone.now() - datetime.timedelta(days=2)
    )
    before = list(queries.overdue(queries.incoming_for(hospital_focal)))

    actions.withdraw_referral(actor=gbv_specialist, referral=late, reason="sent_in_error")
    client.force_login(hospital_focal)
    home = client.get(reverse("home")).content.decode()
    overdue_list = client.get(reverse("referrals:list"), {"overdue": "on"}).content.decode()
    client.force_login(gbv_specialist)
    sender_overdue = client.get(reverse("referrals:list"), {"overdue": "on"}).content.decode()

    late.refresh_from_db()
    assert before == [late]
    assert list(queries.overdue(queries.incoming_for(hospital_focal))) == []
    assert list(queries.overdue(queries.outgoing_for(gbv_specialist))) == []
    assert list(queries.waiting_for_answer(hospital_focal)) == []
    assert not queries.is_overdue(late)
    assert late.reference not in home
    assert late.reference not in overdue_list and late.reference not in sender_overdue
