"""Onward referrals as the originating caseworker sees them on the case's page, and as a
partner sends them through the API: /api/v1/referrals/{id}/onward/, with the action's checks
(only the accepting partner, no more than was shared, her consent by type and abroad)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from amparo.cases.models import GBVService
from amparo.core.models import Area, AuditEvent
from amparo.referrals import actions, queries
from amparo.referrals.models import Referral
from tests.factories import api_token
from tests.referrals.test_network import _first_referral, _onward

TODAY = timezone.localdate

pytestmark = pytest.mark.django_db


def _chain_of_two(shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal):
    """Caseworker → hospital → prosecutor → hospital (her consent covers health and legal)."""
    first = _first_referral(
        shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH, GBVService.LEGAL
    )
    to_prosecutor = _onward(hospital_focal, first, shared["justice"])
    for state in ("received", "accepted"):
        actions.move(actor=fiscalia_focal, referral=to_prosecutor, to_state=state)
    back_to_care = _onward(fiscalia_focal, to_prosecutor, shared["health"], reason="Control")
    return first, to_prosecutor, back_to_care


def _send(actor, case, service):
    return actions.send_referral(
        actor=actor,
        service=service,
        urgency="routine",
        reason="Atención",
        shared_fields=["case_code"],
        consent=True,
        consent_method="verbal",
        consent_date=TODAY(),
        case=case,
        individual=case.individuals.first(),
    )


# --- the case's page ----------------------------------------------------------------------------


def test_the_case_page_shows_each_referral_with_its_whole_onward_chain(
    shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal, client
):
    first, to_prosecutor, back_to_care = _chain_of_two(
        shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal
    )
    client.force_login(gbv_specialist)

    page = client.get(reverse("cases:detail", args=[gbv_case.uuid]))

    html = page.content.decode()
    assert page.status_code == 200
    assert [r.chain for r in page.context["referrals"]] == [[to_prosecutor, back_to_care]]
    chain = html[html.index('class="chain"') :]
    assert "Hospital → Fiscalía · Denuncia" in chain
    assert "Fiscalía → Hospital · Atención VBG" in chain
    assert "Aceptada" in chain and "Enviada" in chain  # each link's state
    assert first.reference in html
    # The links' own pages stay the partners': the case page does not link them.
    assert str(to_prosecutor.uuid) not in html and str(back_to_care.uuid) not in html


def test_a_partner_of_the_chain_sees_nothing_of_the_case(
    shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal, client
):
    _chain_of_two(shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal)
    pages = []
    for partner in (hospital_focal, fiscalia_focal):
        client.force_login(partner)
        pages.append(client.get(reverse("cases:detail", args=[gbv_case.uuid])).status_code)

    assert pages == [404, 404]
    assert queries.sent_from_case(hospital_focal, gbv_case) == []


def test_a_referral_without_onward_links_shows_no_chain(
    shared, gbv_case, gbv_specialist, hospital_focal, client
):
    first = _first_referral(shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH)
    client.force_login(gbv_specialist)

    page = client.get(reverse("cases:detail", args=[gbv_case.uuid]))

    assert [(r, r.chain) for r in page.context["referrals"]] == [(first, [])]
    assert 'class="chain"' not in page.content.decode()


def test_the_case_page_reads_referrals_and_chains_in_a_fixed_number_of_queries(
    shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal, client
):
    client.force_login(gbv_specialist)
    url = reverse("cases:detail", args=[gbv_case.uuid])
    _chain_of_two(shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal)
    client.get(url)  # sessions and caches warm
    with CaptureQueriesContext(connection) as one_page:
        client.get(url)
    with CaptureQueriesContext(connection) as one_read:
        queries.sent_from_case(gbv_specialist, gbv_case)
    for _ in range(2):  # two more referrals, each with a chain of two
        _chain_of_two(shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal)

    with CaptureQueriesContext(connection) as three_pages:
        page = client.get(url)
    with CaptureQueriesContext(connection) as three_reads:
        referrals = queries.sent_from_case(gbv_specialist, gbv_case)

    assert [len(r.chain) for r in page.context["referrals"]] == [2, 2, 2]
    assert len(referrals) == 3
    assert len(three_reads) == len(one_read) == 4  # referrals, then three levels of chains
    assert len(three_pages) == len(one_page)


# --- the API ------------------------------------------------------------------------------------


def _api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def _post(user, referral, **body):
    values = {
        "service": str(body.pop("service").uuid),
        "urgency": "urgent",
        "reason": "Quiere denunciar",
        "shared_fields": ["case_code"],
    }
    return _api(user).post(
        f"/api/v1/referrals/{referral.uuid}/onward/", values | body, format="json"
    )


def test_the_accepting_partner_refers_on_through_the_api(
    shared, gbv_case, gbv_specialist, hospital_focal
):
    first = _first_referral(
        shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH, GBVService.LEGAL
    )

    response = _post(hospital_focal, first, service=shared["justice"])

    body = response.json()
    onward = Referral.objects.get(parent=first)
    assert response.status_code == 201
    assert (body["id"], body["parent"], body["shared"]) == (
        str(onward.uuid),
        str(first.uuid),
        {"case_code": gbv_case.reference},
    )
    assert (body["consent_method"], body["service_name"]) == ("written", "Denuncia")
    assert onward.from_organization == hospital_focal.organization
    assert onward.sent_by == hospital_focal
    assert set(
        AuditEvent.objects.filter(action="referrals.referral.referred_on").values_list(
            "target_id", flat=True
        )
    ) == {str(onward.uuid), str(first.uuid)}
    # The originating caseworker reads the chain in the referral's answer.
    sender = _api(gbv_specialist).get(f"/api/v1/referrals/{first.uuid}/").json()
    assert [link["reference"] for link in sender["onward"]] == [onward.reference]


def test_an_onward_referral_through_the_api_keeps_to_the_consent_given(
    shared, gbv_case, gbv_specialist, hospital_focal
):
    first = _first_referral(shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH)

    no_consent = _post(hospital_focal, first, service=shared["justice"])
    more_fields = _post(
        hospital_focal, first, service=shared["health"], shared_fields=["case_code", "name"]
    )
    no_date = _post(
        hospital_focal, first, service=shared["justice"], consent=True, consent_method="verbal"
    )
    sent = _post(
        hospital_focal,
        first,
        service=shared["justice"],
        consent=True,
        consent_method="verbal",
        consent_date=TODAY().isoformat(),
    )

    assert (no_consent.status_code, list(no_consent.json())) == (400, ["consent"])
    assert (more_fields.status_code, list(more_fields.json())) == (400, ["shared_fields"])
    assert (no_date.status_code, list(no_date.json())) == (400, ["consent_date"])
    assert sent.status_code == 201
    assert sent.json()["consented_types"] == ["health", "justice"]
    assert Referral.objects.filter(parent=first).count() == 1


def test_only_the_accepting_recipient_refers_on_through_the_api(
    shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal, make_user, org_b
):
    consenting_types = (GBVService.HEALTH, GBVService.LEGAL)
    first = _first_referral(shared, gbv_case, gbv_specialist, hospital_focal, *consenting_types)
    waiting = _send(gbv_specialist, gbv_case, shared["health"])  # not accepted yet
    other_member = make_user("partner_focal_point", organization=org_b, username="enlace.b")

    answers = {
        "sender": _post(gbv_specialist, first, service=shared["justice"]).status_code,
        "another partner": _post(fiscalia_focal, first, service=shared["justice"]).status_code,
        "another member": _post(other_member, first, service=shared["justice"]).status_code,
        "not accepted": _post(hospital_focal, waiting, service=shared["justice"]).status_code,
    }

    assert answers == {
        "sender": 404,
        "another partner": 404,
        "another member": 404,
        "not accepted": 400,
    }
    assert not Referral.objects.filter(parent__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="referrals.referral.referred_on").exists()


def test_malformed_onward_bodies_answer_400_in_the_users_language(
    shared, gbv_case, gbv_specialist, hospital_focal, make_user, hospital_org
):
    first = _first_referral(shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH)
    english = make_user("partner_focal_point", organization=hospital_org, language="en")
    url = f"/api/v1/referrals/{first.uuid}/onward/"
    bad = {"service": "not-a-uuid", "urgency": "whenever", "reason": "x"}

    in_english = _api(english).post(url, bad, format="json")
    in_spanish = _api(hospital_focal).post(url, bad, format="json")
    well_formed = _post(hospital_focal, first, service=shared["health"])
    not_listed = _api(hospital_focal).post(
        url,
        {"service": str(first.uuid), "urgency": "urgent", "reason": "x"},
        format="json",
    )

    assert in_english.status_code == in_spanish.status_code == 400
    assert set(in_english.json()) == {"service", "urgency"}
    assert in_english.json()["urgency"] == ['"whenever" is not a valid choice.']
    with translation.override("es"):
        expected = translation.gettext('"{input}" is not a valid choice.').format(input="whenever")
    assert in_spanish.json()["urgency"] == [expected] != in_english.json()["urgency"]
    assert well_formed.status_code == 201  # the same body, well formed, goes
    with translation.override("es"):
        assert not_listed.json() == {
            "service": [translation.gettext("Choose a service from your directory.")]
        }


def test_an_onward_referral_abroad_through_the_api_needs_her_consent_to_share_across(
    shared, network, gbv_case, gbv_specialist, hospital_focal, hospital_keeper, hospital_org
):
    hospital_org.country = Area.objects.get(code="EC")  # the hospital works in Ecuador
    hospital_org.save(update_fields=["country"])
    first = _first_referral(
        shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH, GBVService.LEGAL
    )
    red_cross = actions.save_provider(
        actor=hospital_keeper,
        network=network,
        name="Cruz Roja Colombiana – Tumaco",
        kind="ngo",
        country=Area.objects.get(code="CO"),
    )
    abroad = actions.save_service(
        actor=hospital_keeper, provider=red_cross, type="health", name="Atención en Tumaco"
    )

    refused = _post(hospital_focal, first, service=abroad)
    sent = _post(hospital_focal, first, service=abroad, cross_border_consent=True)

    assert (refused.status_code, list(refused.json())) == (400, ["cross_border_consent"])
    assert sent.status_code == 201 and sent.json()["cross_border_consent"] is True


def test_the_schema_documents_the_onward_endpoint(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/referrals/{id}/onward/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][body.rsplit("/", 1)[-1]]["properties"]
    assert "201" in operation["responses"]
    assert {"service", "shared_fields", "consent", "cross_border_consent"} <= set(fields)
