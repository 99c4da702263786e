"""API tokens: hashed, expiring, revoked by their holder, an administrator or a password change."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from amparo.core import actions
from amparo.core.errors import ActionError
from amparo.core.models import ApiToken, AuditEvent
from tests.factories import PASSWORD, api_token

TOKEN_URL = "/api/v1/auth/token/"
MINE_URL = "/api/v1/auth/tokens/"


@pytest.fixture
def caseworker(make_user, office_a1):
    return make_user("caseworker", office=office_a1, username="cw")


def sign_in(client, username="cw", password=PASSWORD, **extra):
    return client.post(
        TOKEN_URL, {"username": username, "password": password, **extra}, "application/json"
    )


def auth(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_token_is_stored_as_a_hash_and_ends_after_the_configured_days(client, caseworker, settings):
    settings.AMPARO_API_TOKEN_DAYS = 7

    response = sign_in(client, device="Samsung A12")

    key = response.json()["token"]
    token = ApiToken.objects.get()
    assert response.status_code == 200
    assert list(response.json()) == ["token"]
    assert token.key_hash == ApiToken.hash_key(key) != key
    assert (token.prefix, token.label) == (key[:8], "Samsung A12")
    assert token.expires_at - token.created_at == timedelta(days=7)
    assert client.get("/api/v1/me/", **auth(key)).json()["username"] == "cw"


def test_expired_token_is_refused_with_a_message(client, caseworker):
    key = api_token(caseworker)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get("/api/v1/me/", **auth(key))

    assert response.status_code == 401
    assert "Inicie sesión de nuevo" in response.json()["detail"]


def test_unknown_or_malformed_token_is_refused(client, caseworker):
    api_token(caseworker)

    assert client.get("/api/v1/me/", **auth("not-a-key")).status_code == 401
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token a b").status_code == 401


def test_token_of_a_deactivated_account_is_refused(client, caseworker):
    key = api_token(caseworker)
    caseworker.is_active = False
    caseworker.save(update_fields=["is_active"])

    assert client.get("/api/v1/me/", **auth(key)).status_code == 401


def test_password_change_ends_every_token(client, caseworker):
    keys = [api_token(caseworker), api_token(caseworker)]

    caseworker.set_password("another-long-enough-secret")
    caseworker.save()

    assert [client.get("/api/v1/me/", **auth(k)).status_code for k in keys] == [401, 401]
    new_key = sign_in(client, password="another-long-enough-secret").json()["token"]
    assert client.get(MINE_URL, **auth(new_key)).json()[0]["prefix"] == new_key[:8]
    assert len(client.get(MINE_URL, **auth(new_key)).json()) == 1


def test_password_changed_by_an_administrator_ends_the_users_tokens(client, admin_a, caseworker):
    key = api_token(caseworker)
    client.force_login(admin_a)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[caseworker.pk]),
        {"password1": "a-new-long-secret-9", "password2": "a-new-long-secret-9"},
    )

    assert response.status_code == 302
    assert client.get("/api/v1/me/", **auth(key)).status_code == 401


def test_password_changed_by_command_ends_the_users_tokens(client, caseworker, monkeypatch):
    key = api_token(caseworker)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a-new-long-secret-9")

    call_command("changepassword", "cw", stdout=io.StringIO())

    assert client.get("/api/v1/me/", **auth(key)).status_code == 401


def test_delete_signs_the_presented_token_out(client, caseworker):
    key = sign_in(client).json()["token"]
    other = api_token(caseworker)

    response = client.delete(TOKEN_URL, **auth(key))

    assert response.status_code == 204
    assert client.get("/api/v1/me/", **auth(key)).status_code == 401
    assert client.get("/api/v1/me/", **auth(other)).status_code == 200
    event = AuditEvent.objects.get(action="core.token.revoked")
    assert (event.actor, event.details["ending"]) == (caseworker, "signed_out")


def test_delete_without_a_token_is_refused_and_changes_nothing(client, caseworker):
    api_token(caseworker)

    anonymous = client.delete(TOKEN_URL)
    client.force_login(caseworker)
    session = client.delete(TOKEN_URL)

    assert anonymous.status_code == 401
    assert session.status_code == 400
    assert "non_field_errors" in session.json()
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 0


def test_user_lists_own_working_tokens_without_keys(client, caseworker, make_user, office_a1):
    mine = api_token(caseworker)
    ended = api_token(caseworker)
    client.delete(TOKEN_URL, **auth(ended))
    expired = api_token(caseworker)
    ApiToken.objects.filter(prefix=expired[:8]).update(expires_at=timezone.now())
    api_token(make_user("caseworker", office=office_a1, username="cw2"))

    response = client.get(MINE_URL, **auth(mine))

    rows = response.json()
    assert response.status_code == 200
    assert [(r["prefix"], r["current"]) for r in rows] == [(mine[:8], True)]
    assert set(rows[0]) == {
        "id",
        "prefix",
        "label",
        "created_at",
        "expires_at",
        "last_used_at",
        "current",
    }
    assert mine not in response.content.decode()


def test_user_revokes_one_of_own_tokens_but_not_someone_elses(
    client, caseworker, make_user, office_a1
):
    mine = api_token(caseworker)
    lost_phone = api_token(caseworker)
    colleague = make_user("caseworker", office=office_a1, username="cw2")
    theirs = api_token(colleague)
    lost_id = ApiToken.objects.get(prefix=lost_phone[:8]).uuid
    their_id = ApiToken.objects.get(prefix=theirs[:8]).uuid

    revoked = client.delete(f"{MINE_URL}{lost_id}/", **auth(mine))
    refused = client.delete(f"{MINE_URL}{their_id}/", **auth(mine))

    assert (revoked.status_code, refused.status_code) == (204, 404)
    assert client.get("/api/v1/me/", **auth(lost_phone)).status_code == 401
    assert client.get("/api/v1/me/", **auth(theirs)).status_code == 200


def test_administrator_revokes_tokens_of_own_organization_only(
    client, admin_a, caseworker, make_user, office_b1
):
    key_a = api_token(caseworker)
    user_b = make_user("caseworker", office=office_b1, username="cw-b")
    key_b = api_token(user_b)
    client.force_login(admin_a)

    response = client.post(
        reverse("admin:core_user_changelist"),
        {"action": "revoke_api_tokens", "_selected_action": [caseworker.pk, user_b.pk]},
    )

    assert response.status_code == 302
    assert client.get("/api/v1/me/", **auth(key_a)).status_code == 401
    assert client.get("/api/v1/me/", **auth(key_b)).status_code == 200
    event = AuditEvent.objects.get(action="core.token.revoked")
    assert (event.actor, event.target_id, event.details) == (
        admin_a,
        str(caseworker.uuid),
        {"count": 1, "ending": "revoked_by_admin"},
    )


def test_revoking_another_organizations_tokens_is_refused(admin_a, make_user, office_b1):
    user_b = make_user("caseworker", office=office_b1, username="cw-b")
    api_token(user_b)

    with pytest.raises(ActionError):
        actions.revoke_api_tokens_of(actor=admin_a, user=user_b)

    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_roles_without_user_administration_cannot_revoke_tokens(client, caseworker, make_user):
    supervisor = make_user("case_supervisor", office=caseworker.office, username="sup")
    key = api_token(caseworker)
    client.force_login(supervisor)

    response = client.post(
        reverse("admin:core_user_changelist"),
        {"action": "revoke_api_tokens", "_selected_action": [caseworker.pk]},
    )

    assert response.status_code == 404
    assert client.get("/api/v1/me/", **auth(key)).status_code == 200


def test_administrator_sees_a_users_tokens_without_keys(client, admin_a, caseworker):
    key = api_token(caseworker)
    client.force_login(admin_a)

    page = client.get(reverse("admin:core_user_change", args=[caseworker.pk])).content.decode()

    assert f"{key[:8]}…" in page
    assert key not in page


def test_token_use_is_remembered_at_most_once_a_minute(client, caseworker):
    key = sign_in(client).json()["token"]

    client.get("/api/v1/me/", **auth(key))
    first = ApiToken.objects.get().last_used_at
    client.get("/api/v1/me/", **auth(key))

    assert first is not None
    assert ApiToken.objects.get().last_used_at == first
