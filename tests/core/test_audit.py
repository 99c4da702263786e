import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from amparo.core import audit
from amparo.core.models import AuditEvent
from tests.factories import PASSWORD, api_token


@pytest.fixture
def caseworker(make_user, office_a1):
    return make_user("caseworker", office=office_a1, username="cw")


def test_login_records_event_with_client_address(client, caseworker):
    response = client.post(
        reverse("login"), {"username": "cw", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )

    event = AuditEvent.objects.get(action="core.user.logged_in")
    assert response.status_code == 302
    assert (event.actor, event.ip_address, event.organization) == (
        caseworker,
        "10.1.2.3",
        caseworker.organization,
    )


def test_failed_login_records_event_without_actor(client, caseworker):
    response = client.post(reverse("login"), {"username": "cw", "password": "wrong-password"})

    event = AuditEvent.objects.get(action="core.user.login_failed")
    assert response.status_code == 200
    assert (event.actor, event.actor_username, event.target_id) == (
        None,
        "cw",
        str(caseworker.uuid),
    )


def test_repeated_failed_logins_lock_the_account(client, caseworker, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "cw", "password": "wrong-password"})

    response = client.post(reverse("login"), {"username": "cw", "password": PASSWORD})

    assert response.status_code == 429
    assert not AuditEvent.objects.filter(action="core.user.logged_in").exists()


def test_user_detail_view_records_one_event_with_actor(client, admin_a, caseworker):
    client.force_login(admin_a)

    client.get(reverse("user", args=[caseworker.uuid]))

    events = list(AuditEvent.objects.filter(action="core.user.viewed"))
    assert [(e.actor, e.target_id, e.target_type) for e in events] == [
        (admin_a, str(caseworker.uuid), "core.user")
    ]


def test_api_user_detail_records_one_view_event(client, admin_a, caseworker):
    token = api_token(admin_a)

    client.get(f"/api/v1/users/{caseworker.uuid}/", HTTP_AUTHORIZATION=f"Token {token}")

    events = AuditEvent.objects.filter(action="core.user.viewed", target_id=str(caseworker.uuid))
    assert [e.actor for e in events] == [admin_a]


def test_change_records_one_event_with_field_names(client, caseworker):
    client.force_login(caseworker)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    events = list(AuditEvent.objects.filter(action="core.user.updated"))
    assert [(e.actor, e.fields) for e in events] == [(caseworker, ["language"])]


def test_admin_create_office_records_event(client, admin_a):
    client.force_login(admin_a)

    response = client.post(
        reverse("admin:core_office_add"), {"code": "esm", "name": "Esmeraldas", "is_active": "on"}
    )

    event = AuditEvent.objects.get(action="core.office.created")
    assert response.status_code == 302
    assert (event.actor, event.organization) == (admin_a, admin_a.organization)
    assert set(event.fields) >= {"code", "name"}


def test_audit_event_cannot_be_changed_through_the_model(admin_a):
    event = audit.record(actor=admin_a, action="core.test.done")

    event.action = "core.test.undone"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")

    assert AuditEvent.objects.get(pk=event.pk).action == "core.test.done"


def test_audit_event_cannot_be_changed_in_the_database(admin_a):
    event = audit.record(actor=admin_a, action="core.test.done")

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'x' WHERE id = %s", [event.pk])

    assert AuditEvent.objects.get(pk=event.pk).action == "core.test.done"


def test_audit_event_admin_refuses_change_and_delete(client, admin_a):
    event = audit.record(actor=admin_a, action="core.test.done")
    client.force_login(admin_a)

    change = client.post(
        reverse("admin:core_auditevent_change", args=[event.pk]), {"action": "core.test.undone"}
    )
    delete = client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"})
    add = client.get(reverse("admin:core_auditevent_add"))

    assert (change.status_code, delete.status_code, add.status_code) == (404, 404, 404)
    assert AuditEvent.objects.get(pk=event.pk).action == "core.test.done"


def test_audit_event_api_refuses_change_and_delete(client, admin_a):
    event = audit.record(actor=admin_a, action="core.test.done")
    token = api_token(admin_a)
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    url = f"/api/v1/audit-events/{event.pk}/"

    put = client.put(url, {"action": "x"}, content_type="application/json", **auth)
    patch = client.patch(url, {"action": "x"}, content_type="application/json", **auth)
    delete = client.delete(url, **auth)
    post = client.post("/api/v1/audit-events/", {"action": "x"}, **auth)

    assert (put.status_code, patch.status_code, delete.status_code, post.status_code) == (
        405,
        405,
        405,
        405,
    )
    assert AuditEvent.objects.get(pk=event.pk).action == "core.test.done"


def test_audit_log_page_filters_by_action_and_shows_own_organization_only(client, admin_a, admin_b):
    audit.record(actor=admin_a, action="core.office.created")
    audit.record(actor=admin_a, action="core.user.created")
    audit.record(actor=admin_b, action="core.office.created")
    client.force_login(admin_a)

    response = client.get(reverse("audit"), {"action": "core.office"})

    rows = list(response.context["page"])
    assert [(e.actor, e.action) for e in rows] == [(admin_a, "core.office.created")]


def test_audit_log_page_rejects_inverted_dates_with_message(client, admin_a):
    client.force_login(admin_a)

    response = client.get(reverse("audit"), {"since": "2026-02-01", "until": "2026-01-01"})

    assert response.status_code == 200
    assert "«Desde» debe ser igual o anterior a «Hasta»." in response.content.decode()


def test_admin_user_change_page_view_is_audited(client, admin_a, make_user, office_a1):
    colleague = make_user("caseworker", office=office_a1)
    client.force_login(admin_a)

    client.get(reverse("admin:core_user_change", args=[colleague.pk]))

    events = AuditEvent.objects.filter(action="core.user.viewed", target_id=str(colleague.uuid))
    assert [e.actor for e in events] == [admin_a]


@pytest.mark.parametrize("query", [{"until": "9999-12-31"}, {"since": "0001-01-01"}])
def test_audit_page_out_of_range_dates_answer_with_a_message(client, admin_a, query):
    client.force_login(admin_a)

    response = client.get(reverse("audit"), query)

    assert response.status_code == 200
    assert response.context["form"].errors


def test_audit_api_out_of_range_date_answers_400(client, admin_a):
    token = api_token(admin_a)

    response = client.get(
        "/api/v1/audit-events/",
        {"until": "9999-12-31T23:59:59"},
        HTTP_AUTHORIZATION=f"Token {token}",
    )

    assert response.status_code == 400


def test_api_token_login_is_audited(client, make_user, office_a1):
    make_user("caseworker", office=office_a1, username="cw")

    client.post(
        "/api/v1/auth/token/",
        {"username": "cw", "password": PASSWORD},
        content_type="application/json",
    )

    actions_seen = sorted(AuditEvent.objects.values_list("action", flat=True))
    assert actions_seen == ["core.token.created", "core.user.logged_in"]


def test_failed_login_with_unknown_name_does_not_store_what_was_typed(client, db):
    client.post(reverse("login"), {"username": "María Pérez 0912345678", "password": "x"})

    event = AuditEvent.objects.get(action="core.user.login_failed")
    assert (event.actor_username, event.target_id) == ("", "")


def test_client_address_behind_trusted_proxy(client, make_user, office_a1, settings):
    settings.AMPARO_TRUSTED_PROXIES = ["10.0.0.1"]
    make_user("caseworker", office=office_a1, username="cw")

    client.post(
        reverse("login"),
        {"username": "cw", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7",
    )

    assert AuditEvent.objects.get(action="core.user.logged_in").ip_address == "198.51.100.7"


def test_untrusted_forwarded_header_is_ignored(client, make_user, office_a1):
    make_user("caseworker", office=office_a1, username="cw")

    client.post(
        reverse("login"),
        {"username": "cw", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.5",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )

    assert AuditEvent.objects.get(action="core.user.logged_in").ip_address == "192.0.2.5"
