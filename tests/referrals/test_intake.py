"""Care posts and community networks without accounts send an intake to the office's GBV team
through a one-time link, or on paper (issue 11): the link works once, expires, can be revoked;
only the GBV team of the office reads what arrives."""

import re
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from amparo.cases.models import Case, GBVTeamMember, SurvivorIdentity, SurvivorSafety
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from amparo.referrals import actions
from amparo.referrals.models import Intake, IntakeLink, Provider
from tests.databases import postgresql_only, tables_holding

FORM = {
    "alias": "Flor",
    "age_group": "adult",
    "sex": "F",
    "community": "Barrio Nueva Esperanza",
    "needs": ["health", "psychosocial"],
    "urgency": "days",
    "contact_by": "phone",
    "phone": "0991234567",
    "may_call": "on",
    "safe_times": "Mañanas entre semana",
    "note": "Prefiere que la llame una mujer.",
    "consent": "on",
}


def _data(**overrides) -> dict:
    """The form's values as the action takes them (parsed)."""
    data = {**FORM, "may_call": True, "consent": True, **overrides}
    return data


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issued(gbv_specialist):
    return actions.issue_intake_link(
        actor=gbv_specialist, label="Puesto de cuidado Barrio Nueva Esperanza", hours=72
    )


@pytest.fixture
def link(issued):
    return issued[0]


@pytest.fixture
def token(issued):
    return issued[1]


@pytest.fixture
def intake(token):
    return actions.receive_intake(token=token, data=_data())


@pytest.fixture
def other_office_gbv(make_user, office_a2):
    user = make_user("gbv_specialist", office=office_a2, username="vbg2")
    GBVTeamMember.objects.create(office=office_a2, user=user)
    return user


@pytest.fixture
def other_org_gbv(make_user, office_b1):
    user = make_user("gbv_specialist", office=office_b1, username="vbgb")
    GBVTeamMember.objects.create(office=office_b1, user=user)
    return user


def _url(token: str) -> str:
    return reverse("intake", args=[token])


def _without_csrf(html: str) -> str:
    """The page without what differs per request: the CSRF token and the language switch's
    way back (the page's own address)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'name="next" value="[^"]+"', "", html)


# Issuing


@pytest.mark.django_db
def test_issue_link_stores_only_the_hash_of_its_secret(gbv_specialist):
    link, token = actions.issue_intake_link(actor=gbv_specialist, label="Puesto A", hours=72)

    assert len(token) >= 43  # 32 random bytes, URL-safe
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert link.token_hash != token and len(link.token_hash) == 64
    assert tables_holding(token) == []
    assert tables_holding(link.token_hash) == ["referrals_intakelink"]  # the search finds


@pytest.mark.django_db
def test_issue_link_lasts_72_hours_by_default_and_at_most_seven_days(client, gbv_specialist):
    client.force_login(gbv_specialist)

    page = client.get(reverse("referrals:intake-link-new"))
    refused = client.post(reverse("referrals:intake-link-new"), {"label": "P", "hours": 169})

    assert 'value="72"' in page.content.decode()
    assert refused.status_code == 400
    with pytest.raises(ActionError) as exc:
        actions.issue_intake_link(actor=gbv_specialist, label="P", hours=169)
    assert list(exc.value.errors) == ["hours"]
    assert not IntakeLink.objects.exists()


@pytest.mark.django_db
def test_issued_link_is_shown_once_with_its_full_address_and_audited(client, gbv_specialist):
    client.force_login(gbv_specialist)

    page = client.post(
        reverse("referrals:intake-link-new"), {"label": "Red comunitaria Tiwintza", "hours": 48}
    )
    inbox = client.get(reverse("referrals:intakes"))

    link = IntakeLink.objects.get()
    url = re.search(r'value="(http://testserver/intake/[A-Za-z0-9_-]+/)"', page.content.decode())
    assert url is not None
    token = url.group(1).rsplit("/", 2)[-2]
    assert client.get(url.group(1)).status_code == 200
    assert token not in inbox.content.decode()
    assert "Red comunitaria Tiwintza" in inbox.content.decode()
    assert timedelta(hours=47, minutes=59) < link.expires_at - timezone.now() <= timedelta(hours=48)
    event = AuditEvent.objects.get(action="referrals.intake_link.created")
    assert (event.actor, event.target_id, event.restricted_office_id) == (
        gbv_specialist,
        str(link.uuid),
        gbv_specialist.office_id,
    )


@pytest.mark.django_db
def test_link_may_name_a_provider_of_the_care_route_only(gbv_specialist, org_b):
    own = Provider.objects.create(
        organization=gbv_specialist.organization, name="Puesto Nueva Esperanza", kind="ngo"
    )
    foreign = Provider.objects.create(organization=org_b, name="Otro", kind="ngo")

    link, _ = actions.issue_intake_link(actor=gbv_specialist, label="P", hours=2, provider=own)

    assert link.provider == own
    with pytest.raises(ActionError) as exc:
        actions.issue_intake_link(actor=gbv_specialist, label="P", hours=2, provider=foreign)
    assert list(exc.value.errors) == ["provider"]


@pytest.mark.django_db
def test_only_the_gbv_team_issues_links(caseworker, admin_a, gbv_specialist):
    for user in (caseworker, admin_a):
        with pytest.raises(Http404):
            actions.issue_intake_link(actor=user, label="P", hours=2)

    assert not IntakeLink.objects.exists()


# The public page


@pytest.mark.django_db
def test_public_page_answers_with_private_headers(client, token):
    page = client.get(_url(token))

    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"
    assert page["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.django_db
def test_link_works_once(client, token, link):
    first = client.post(_url(token), FORM)
    second = client.post(_url(token), FORM)
    again = client.get(_url(token))

    assert first.status_code == 200
    assert "El equipo de VBG lo recibió" in first.content.decode()
    assert (second.status_code, again.status_code) == (404, 404)
    intake = Intake.objects.get()
    assert (intake.link, intake.office_id, intake.alias) == (link, link.office_id, "Flor")
    assert intake.needs == ["health", "psychosocial"]
    link.refresh_from_db()
    assert link.used_at is not None
    assert second["Referrer-Policy"] == "no-referrer"


@pytest.mark.django_db
def test_used_expired_revoked_and_unknown_links_answer_the_same_404(
    client, gbv_specialist, token, intake
):
    expired, expired_token = actions.issue_intake_link(actor=gbv_specialist, label="E", hours=1)
    IntakeLink.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - timedelta(hours=3),
        expires_at=timezone.now() - timedelta(hours=2),
    )
    revoked, revoked_token = actions.issue_intake_link(actor=gbv_specialist, label="R", hours=1)
    actions.revoke_intake_link(actor=gbv_specialist, link=revoked)

    pages = {
        "used": client.get(_url(token)),
        "expired": client.get(_url(expired_token)),
        "revoked": client.get(_url(revoked_token)),
        "unknown": client.get(_url("x" * 43)),
        "expired post": client.post(_url(expired_token), FORM),
    }

    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 404)
    bodies = {_without_csrf(page.content.decode()) for page in pages.values()}
    assert len(bodies) == 1
    assert "Este enlace no funciona" in bodies.pop()
    assert Intake.objects.count() == 1


@pytest.mark.django_db
def test_used_link_answers_like_an_unknown_one(client, token):
    client.post(_url(token), FORM)

    used = client.get(_url(token))
    unknown = client.get(_url("y" * 43))

    assert used.status_code == unknown.status_code == 404
    assert _without_csrf(used.content.decode()) == _without_csrf(unknown.content.decode())


@pytest.mark.django_db
def test_public_pages_speak_the_visitors_language(client, token):
    gone = client.get(_url("z" * 43), HTTP_ACCEPT_LANGUAGE="en")
    chosen = client.get(_url(token) + "?lang=en")
    sent = client.post(_url(token) + "?lang=en", FORM)

    assert gone.status_code == 404
    assert "This link does not work" in gone.content.decode()
    assert "What does the person want to be called?" in chosen.content.decode()
    assert 'href="?lang=es"' in chosen.content.decode()
    assert "The GBV team received it" in sent.content.decode()


@pytest.mark.django_db
def test_public_page_sets_no_cookie_and_takes_a_post_without_origin(token):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)

    page = browser.get(_url(token))
    sent = browser.post(_url(token), FORM, HTTP_ORIGIN="null")

    assert page.cookies == {} and sent.cookies == {}
    assert "csrfmiddlewaretoken" not in page.content.decode()
    assert sent.status_code == 200
    assert Intake.objects.count() == 1


@pytest.mark.django_db
def test_expired_link_refuses_a_submission_in_the_action(gbv_specialist):
    link, token = actions.issue_intake_link(actor=gbv_specialist, label="E", hours=1)
    IntakeLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(Http404):
        actions.receive_intake(token=token, data=_data())

    assert not Intake.objects.exists()


@pytest.mark.django_db
def test_invalid_submission_shows_errors_saves_nothing_and_keeps_the_link(client, token, link):
    page = client.post(_url(token), {**FORM, "consent": "", "alias": "", "needs": []})

    assert page.status_code == 400
    html = page.content.decode()
    assert "Este campo es obligatorio." in html
    assert not Intake.objects.exists()
    link.refresh_from_db()
    assert link.used_at is None
    assert not AuditEvent.objects.filter(action="referrals.intake.received").exists()


@pytest.mark.django_db
def test_action_refuses_a_phone_contact_without_phone_and_text_past_its_bounds(token):
    with pytest.raises(ActionError) as exc:
        actions.receive_intake(token=token, data=_data(phone="", note="x" * 501, consent=False))

    assert sorted(exc.value.errors) == ["consent", "note", "phone"]
    assert not Intake.objects.exists()


@pytest.mark.django_db
def test_public_page_refuses_a_large_body(client, token):
    page = client.post(_url(token), {**FORM, "note": "x" * 20_000})

    assert page.status_code == 413
    assert not Intake.objects.exists()


@pytest.mark.django_db
def test_public_page_is_rate_limited_per_client_address(client, settings, token):
    settings.AMPARO_INTAKE_TRIES_PER_MINUTE = 3

    answers = [client.get(_url(token)).status_code for _ in range(4)]
    elsewhere = client.get(_url(token), REMOTE_ADDR="10.0.0.9")

    assert answers == [200, 200, 200, 429]
    assert elsewhere.status_code == 200
    limited = client.post(_url(token), FORM)
    assert limited.status_code == 429
    assert "Demasiados intentos" in limited.content.decode()
    assert limited["Referrer-Policy"] == "no-referrer"
    assert not Intake.objects.exists()


@pytest.mark.django_db
def test_sensitive_text_is_ciphertext_in_the_database(intake):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT alias, community, phone, safe_times, note FROM referrals_intake WHERE id = %s",
            [intake.pk],
        )
        stored = cursor.fetchone()

    assert all(value.startswith("fernet:") for value in stored)
    assert not any("Flor" in v or "0991234567" in v or "Esperanza" in v for v in stored)


@pytest.mark.django_db
def test_receipt_is_audited_for_the_office_without_actor_or_personal_text(intake, link):
    event = AuditEvent.objects.get(action="referrals.intake.received")

    assert event.actor is None and event.ip_address is None
    assert event.restricted_office_id == link.office_id
    assert event.organization_id == link.organization_id
    assert event.details == {"source": "link", "link": str(link.uuid)}
    assert event.fields == []


@pytest.fixture
def racing_link(make_user, office_a1):
    """A link for the race tests: transactional tests run after others emptied the tables,
    areas included, so its issuer's office has none."""
    user = make_user("gbv_specialist", office=office_a1, username="vbg-race")
    GBVTeamMember.objects.create(office=office_a1, user=user)
    return actions.issue_intake_link(actor=user, label="R", hours=2)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_submission_waits_for_one_in_flight_and_then_finds_the_link_used(racing_link):
    link, token = racing_link
    outcome = []

    def submit():
        try:
            actions.receive_intake(token=token, data=_data())
            outcome.append("saved")
        except Http404:
            outcome.append("404")
        finally:
            connections.close_all()

    with transaction.atomic():  # another submission holds the link's row
        IntakeLink.objects.filter(pk=link.pk).update(used_at=timezone.now())
        racer = threading.Thread(target=submit)
        racer.start()
        racer.join(timeout=1)
        assert racer.is_alive(), "the second submission did not wait for the row lock"
    racer.join(timeout=10)

    assert outcome == ["404"]
    assert not Intake.objects.exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_save_one_intake(racing_link):
    _, token = racing_link
    start = threading.Barrier(2)
    outcome = []

    def submit():
        try:
            start.wait()
            actions.receive_intake(token=token, data=_data())
            outcome.append("saved")
        except Http404:
            outcome.append("404")
        finally:
            connections.close_all()

    racers = [threading.Thread(target=submit) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=10)

    assert sorted(outcome) == ["404", "saved"]
    assert Intake.objects.count() == 1


# The office's inbox


@pytest.mark.django_db
def test_an_intake_is_the_offices_gbv_team_only(
    client, intake, gbv_specialist, caseworker, admin_a, other_office_gbv, other_org_gbv
):
    urls = [
        reverse("referrals:intake", args=[intake.uuid]),
        reverse("referrals:intake-record", args=[intake.uuid]),
    ]
    client.force_login(gbv_specialist)
    allowed = [client.get(url).status_code for url in urls]

    refused = {}
    for user in (caseworker, admin_a, other_office_gbv, other_org_gbv):
        client.force_login(user)
        refused[user.username] = [client.get(url).status_code for url in urls]
        refused[user.username].append(client.post(urls[0], {"reason": "declined"}).status_code)
        refused[user.username].append(client.post(urls[1], {"given_names": "X"}).status_code)
    client.logout()
    anonymous = client.get(urls[0])

    assert allowed == [200, 200]
    assert refused == {u: [404, 404, 404, 404] for u in refused}
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    intake.refresh_from_db()
    assert intake.state == "received"
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_inbox_lists_the_offices_intakes_to_its_gbv_team_only(
    client, intake, gbv_specialist, caseworker, admin_a, other_office_gbv
):
    pages = [reverse("referrals:intakes"), reverse("referrals:intake-print")]
    client.force_login(gbv_specialist)
    own = client.get(pages[0]).content.decode()
    client.force_login(other_office_gbv)
    other = client.get(pages[0]).content.decode()

    refused = {}
    for user in (caseworker, admin_a):
        client.force_login(user)
        refused[user.username] = [client.get(url).status_code for url in pages]
    client.logout()
    anonymous = client.get(pages[0])

    assert "Puesto de cuidado Barrio Nueva Esperanza" in own
    assert "Flor" not in own  # the list names the post, not her
    assert "Puesto de cuidado Barrio Nueva Esperanza" not in other
    assert refused == {u: [404, 404] for u in refused}
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


@pytest.mark.django_db
def test_viewing_an_intake_is_audited(client, intake, gbv_specialist):
    client.force_login(gbv_specialist)

    page = client.get(reverse("referrals:intake", args=[intake.uuid]))

    assert "Flor" in page.content.decode()
    event = AuditEvent.objects.get(action="referrals.intake.viewed")
    assert (event.actor, event.target_id) == (gbv_specialist, str(intake.uuid))
    assert event.restricted_office_id == intake.office_id


@pytest.mark.django_db
def test_intake_becomes_a_walk_in_case_with_its_safe_contact(client, intake, gbv_specialist):
    client.force_login(gbv_specialist)
    form = client.get(reverse("referrals:intake-record", args=[intake.uuid])).content.decode()

    answer = client.post(
        reverse("referrals:intake-record", args=[intake.uuid]),
        {
            "given_names": "Flor",
            "sex": "F",
            "phone": "0991234567",
            "risk_level": "medium",
            "summary": "Desde el puesto",
        },
    )

    assert 'value="Flor"' in form and 'value="0991234567"' in form
    assert AuditEvent.objects.filter(action="referrals.intake.viewed").count() == 1
    case = Case.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/cases/{case.uuid}/"
    assert case.restricted and case.is_walk_in and case.office_id == intake.office_id
    assert '"given_names": "Flor"' in SurvivorIdentity.objects.get(case=case).details
    safety = SurvivorSafety.objects.get(case=case)
    assert (safety.may_call, safety.may_leave_message) == (True, False)
    assert safety.safe_contact == "Mañanas entre semana"
    intake.refresh_from_db()
    assert (intake.state, intake.case, intake.handled_by) == ("recorded", case, gbv_specialist)
    assert AuditEvent.objects.get(action="referrals.intake.recorded").details == {
        "case": str(case.uuid)
    }
    again = client.post(
        reverse("referrals:intake-record", args=[intake.uuid]),
        {"given_names": "Flor", "risk_level": "medium"},
    )
    assert again.status_code == 400
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_closing_an_intake_needs_a_reason_and_is_audited(client, intake, gbv_specialist):
    client.force_login(gbv_specialist)
    url = reverse("referrals:intake", args=[intake.uuid])

    refused = client.post(url, {"reason": "whatever"})
    closed = client.post(url, {"reason": "no_safe_contact"})

    assert refused.status_code == 400
    assert closed.status_code == 302
    intake.refresh_from_db()
    assert (intake.state, intake.closure_reason) == ("closed", "no_safe_contact")
    event = AuditEvent.objects.get(action="referrals.intake.closed")
    assert (event.actor, event.fields) == (gbv_specialist, ["closure_reason", "state"])


@pytest.mark.django_db
def test_revoking_is_audited_and_only_for_the_offices_team(
    client, link, token, gbv_specialist, other_office_gbv
):
    url = reverse("referrals:intake-link-revoke", args=[link.uuid])
    client.force_login(other_office_gbv)
    refused = client.post(url)
    client.force_login(gbv_specialist)

    revoked = client.post(url)

    assert refused.status_code == 404
    assert revoked.status_code == 302
    link.refresh_from_db()
    assert link.revoked_by == gbv_specialist
    assert AuditEvent.objects.filter(action="referrals.intake_link.revoked").count() == 1
    client.logout()
    assert client.get(_url(token)).status_code == 404


@pytest.mark.django_db
def test_a_paper_form_lands_in_the_same_inbox(client, gbv_specialist, caseworker):
    client.force_login(caseworker)
    refused = client.get(reverse("referrals:intake-paper"))
    client.force_login(gbv_specialist)

    answer = client.post(
        reverse("referrals:intake-paper"),
        {**FORM, "label": "Puesto La Tolita", "contact_by": "care_post", "phone": ""},
    )

    assert refused.status_code == 404
    intake = Intake.objects.get()
    assert answer.status_code == 302
    assert (intake.source, intake.sender_label, intake.entered_by) == (
        "paper",
        "Puesto La Tolita",
        gbv_specialist,
    )
    inbox = client.get(reverse("referrals:intakes")).content.decode()
    assert "Puesto La Tolita" in inbox
    event = AuditEvent.objects.get(action="referrals.intake.received")
    assert (event.actor, event.details) == (gbv_specialist, {"source": "paper"})


@pytest.mark.django_db
def test_blank_printed_form_has_the_fields_and_the_warning(client, gbv_specialist):
    client.force_login(gbv_specialist)

    page = client.get(reverse("referrals:intake-print")).content.decode()

    assert "¿Cómo quiere la persona que la llamen?" in page
    assert "no escriba quién causó el daño" in page.lower()


@pytest.mark.django_db
def test_home_page_shows_the_gbv_team_its_waiting_intakes(
    client, intake, gbv_specialist, caseworker
):
    client.force_login(gbv_specialist)
    own = client.get(reverse("home")).content.decode()
    client.force_login(caseworker)
    other = client.get(reverse("home")).content.decode()

    assert reverse("referrals:intake", args=[intake.uuid]) in own
    assert "Admisiones desde puestos de cuidado" in own
    assert "Admisiones desde puestos de cuidado" not in other


@pytest.mark.django_db
def test_inbox_reads_a_fixed_number_of_queries(client, gbv_specialist):
    from django.test.utils import CaptureQueriesContext

    client.force_login(gbv_specialist)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("referrals:intakes")).status_code == 200
        return len(queries)

    def one_more(n: int) -> None:
        _, token = actions.issue_intake_link(actor=gbv_specialist, label=f"Puesto {n}", hours=2)
        actions.receive_intake(token=token, data=_data())

    one_more(1)
    one = count()
    for n in (2, 3):
        one_more(n)
    actions.close_intake(actor=gbv_specialist, intake=Intake.objects.first(), reason="declined")

    assert count() == one
