"""Edges found in review: scope corners, bad input that used to answer 500, audit gaps."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from amparo.core import actions, queries
from amparo.core.errors import ActionError
from amparo.core.models import Area, AuditEvent, Office, Role, User
from tests.factories import PASSWORD


def test_office_bound_user_without_office_sees_nobody(make_user, org_a, office_a1):
    make_user("caseworker", office=office_a1)
    make_user("me_officer", organization=org_a)
    custom = Role.objects.create(
        organization=org_a, code="c", name="C", permissions=["core.view_team"], office_bound=True
    )
    lost = User.objects.create(username="lost", organization=org_a, role=custom)

    assert list(queries.users_visible_to(lost)) == []


def test_admin_user_filters_do_not_list_other_organizations_offices(
    client, admin_a, office_a1, office_b1
):
    client.force_login(admin_a)

    page = client.get(reverse("admin:core_user_changelist")).content.decode()

    assert "Oficina B1" not in page


def test_admin_organization_admin_cannot_see_platform_superusers(client, admin_a, org_a):
    root = User.objects.create(username="root", organization=org_a, is_superuser=True)
    client.force_login(admin_a)

    response = client.get(reverse("admin:core_user_change", args=[root.pk]))
    password = client.get(f"/admin/core/user/{root.pk}/password/")

    assert (response.status_code, password.status_code) == (404, 404)


def test_admin_direct_request_without_rights_answers_404(client, make_user, office_a1):
    client.force_login(make_user("caseworker", office=office_a1))

    assert client.get(reverse("admin:index")).status_code == 404
    assert client.get(reverse("admin:core_user_changelist")).status_code == 404


def test_admin_user_change_page_view_is_audited(client, admin_a, make_user, office_a1):
    colleague = make_user("caseworker", office=office_a1)
    client.force_login(admin_a)

    client.get(reverse("admin:core_user_change", args=[colleague.pk]))

    events = AuditEvent.objects.filter(action="core.user.viewed", target_id=str(colleague.uuid))
    assert [e.actor for e in events] == [admin_a]


def test_admin_duplicate_office_code_is_a_form_error(client, admin_a, office_a1):
    client.force_login(admin_a)

    response = client.post(
        reverse("admin:core_office_add"),
        {"code": office_a1.code, "name": "Otra", "is_active": "on"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Office.objects.filter(organization=office_a1.organization).count() == 1


def test_admin_duplicate_role_code_is_a_form_error(client, admin_a):
    Role.objects.create(organization=admin_a.organization, code="abogada", name="Abogada")
    client.force_login(admin_a)

    response = client.post(
        reverse("admin:core_role_add"),
        {"code": "abogada", "name": "Otra", "permissions": ["cases.view"]},
    )

    assert response.status_code == 200
    assert Role.objects.filter(code="abogada").count() == 1


def test_admin_office_bound_role_with_administration_rights_is_refused(client, admin_a):
    client.force_login(admin_a)

    response = client.post(
        reverse("admin:core_role_add"),
        {
            "code": "jefa",
            "name": "Jefa",
            "office_bound": "on",
            "permissions": ["core.manage_users", "core.view_team"],
        },
    )

    assert response.status_code == 200
    assert "office_bound" in response.context["adminform"].form.errors
    assert not Role.objects.filter(code="jefa").exists()


@pytest.mark.parametrize("query", [{"until": "9999-12-31"}, {"since": "0001-01-01"}])
def test_audit_page_out_of_range_dates_answer_with_a_message(client, admin_a, query):
    client.force_login(admin_a)

    response = client.get(reverse("audit"), query)

    assert response.status_code == 200
    assert response.context["form"].errors


def test_audit_api_out_of_range_date_answers_400(client, admin_a):
    token = Token.objects.create(user=admin_a)

    response = client.get(
        "/api/v1/audit-events/",
        {"until": "9999-12-31T23:59:59"},
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )

    assert response.status_code == 400


@pytest.mark.parametrize("body", [{"language": ["es"]}, {"language": "xx"}, ["es"], {}])
def test_me_patch_bad_body_answers_400_and_changes_nothing(client, admin_a, body):
    token = Token.objects.create(user=admin_a)

    response = client.patch(
        "/api/v1/me/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )

    admin_a.refresh_from_db()
    assert response.status_code == 400
    assert admin_a.language == "es"


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


def test_api_404_is_generic_and_in_the_token_users_language(client, make_user, office_a1):
    user = make_user("administrator", organization=office_a1.organization, language="en")
    token = Token.objects.create(user=user)

    response = client.get(
        "/api/v1/users/00000000-0000-0000-0000-000000000000/",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert response["Content-Language"] == "en"


def test_import_areas_cannot_replace_a_country_or_province(db):
    data = b"pcode,name,parent_pcode,level\nEC,Hacked,EC-E,2\nEC-E,Otra,EC,2\n"

    with pytest.raises(ActionError) as exc:
        actions.import_areas(actor=None, data=data)

    assert {e.split(":")[0] for e in exc.value.messages} == {"Fila 2", "Fila 3"}
    assert Area.objects.get(code="EC").name == "Ecuador"


def test_import_areas_rejects_nul_characters(db):
    with pytest.raises(ActionError):
        actions.import_areas(
            actor=None, data=b"pcode,name,parent_pcode,level\nEC0801,Es\x00m,EC-E,2\n"
        )

    assert not Area.objects.filter(code="EC0801").exists()
