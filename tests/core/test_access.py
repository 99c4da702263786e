import pytest
from django.urls import reverse

from amparo.core import access, queries
from amparo.core.models import Role, User
from tests.factories import api_token


def api(client, user):
    token = api_token(user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client


@pytest.fixture
def colleagues(make_user, office_a1, office_a2, office_b1):
    return {
        "a1": make_user("caseworker", office=office_a1, username="cw_a1"),
        "a2": make_user("caseworker", office=office_a2, username="cw_a2"),
        "b1": make_user("caseworker", office=office_b1, username="cw_b1"),
    }


def test_visible_users_org_wide_role_sees_only_own_organization(admin_a, colleagues):
    names = set(queries.users_visible_to(admin_a).values_list("username", flat=True))

    assert names == {"admin_a", "cw_a1", "cw_a2"}


def test_visible_users_office_bound_role_sees_only_own_office(colleagues):
    names = set(queries.users_visible_to(colleagues["a1"]).values_list("username", flat=True))

    assert names == {"cw_a1"}


def test_visible_inactive_user_sees_nothing(colleagues):
    user = colleagues["a1"]
    user.is_active = False

    assert queries.users_visible_to(user).count() == 0
    assert not access.can(user, "core.view_team")


def test_team_page_other_organization_user_answers_404(client, admin_a, colleagues):
    client.force_login(admin_a)

    listed = client.get(reverse("team"))
    other = client.get(reverse("user", args=[colleagues["b1"].uuid]))
    own = client.get(reverse("user", args=[colleagues["a2"].uuid]))

    assert str(colleagues["b1"].uuid) not in listed.content.decode()
    assert str(colleagues["a2"].uuid) in listed.content.decode()
    assert other.status_code == 404
    assert own.status_code == 200


def test_team_page_office_bound_user_cannot_open_other_office_colleague(client, colleagues):
    client.force_login(colleagues["a1"])

    response = client.get(reverse("user", args=[colleagues["a2"].uuid]))

    assert response.status_code == 404


def test_office_pages_other_organization_office_answers_404(client, admin_a, office_b1, office_a1):
    client.force_login(admin_a)

    assert client.get(reverse("office", args=[office_b1.uuid])).status_code == 404
    assert client.get(reverse("office", args=[office_a1.uuid])).status_code == 200
    assert office_b1.name not in client.get(reverse("offices")).content.decode()


def test_pages_without_role_permission_answer_404(client, colleagues):
    client.force_login(colleagues["a1"])

    assert client.get(reverse("audit")).status_code == 404
    assert client.get(reverse("offices")).status_code == 404


def test_api_users_other_organization_not_listed_and_detail_404(client, admin_a, colleagues):
    client = api(client, admin_a)

    listed = client.get("/api/v1/users/").json()
    detail = client.get(f"/api/v1/users/{colleagues['b1'].uuid}/")

    assert {u["username"] for u in listed["results"]} == {"admin_a", "cw_a1", "cw_a2"}
    assert detail.status_code == 404


def test_api_users_search_by_filter_cannot_find_other_organization(client, admin_a, colleagues):
    client = api(client, admin_a)

    found = client.get("/api/v1/users/", {"office__code": "b1"}).json()

    assert found["count"] == 0


def test_api_offices_office_bound_supervisor_sees_own_office_only(
    client, make_user, office_a1, office_a2
):
    supervisor = make_user("case_supervisor", office=office_a1)
    client = api(client, supervisor)

    listed = client.get("/api/v1/offices/").json()
    other = client.get(f"/api/v1/offices/{office_a2.uuid}/")

    assert [o["code"] for o in listed["results"]] == ["a1"]
    assert other.status_code == 404


def test_api_organizations_lists_only_own(client, admin_a, org_b):
    client = api(client, admin_a)

    listed = client.get("/api/v1/organizations/").json()
    other = client.get(f"/api/v1/organizations/{org_b.uuid}/")

    assert [o["code"] for o in listed["results"]] == ["org-a"]
    assert other.status_code == 404


def test_api_audit_events_role_without_permission_answers_404(client, colleagues):
    client = api(client, colleagues["a1"])

    assert client.get("/api/v1/audit-events/").status_code == 404


def test_api_anonymous_is_refused(client):
    response = client.get("/api/v1/users/")

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("administrator", 200),
        ("registration_officer", 404),
        ("caseworker", 404),
        ("case_supervisor", 200),  # only the events of its GBV team's files (cases.gbv_audit)
        ("gbv_specialist", 404),
        ("distribution_officer", 404),
        ("me_officer", 404),
        ("ethics_focal_point", 200),  # only the events of sensitive feedback (feedback.psea)
        ("partner_focal_point", 404),
    ],
)
def test_audit_page_role_matrix(client, make_user, office_a1, role, status):
    user = make_user(role, office=office_a1, organization=office_a1.organization)
    client.force_login(user)

    response = client.get(reverse("audit"))

    assert response.status_code == status


def test_admin_other_organization_user_change_page_is_not_reachable(client, admin_a, colleagues):
    client.force_login(admin_a)

    other = client.get(reverse("admin:core_user_change", args=[colleagues["b1"].pk]))
    changed = client.post(
        reverse("admin:core_user_change", args=[colleagues["b1"].pk]),
        {"username": "taken-over", "language": "en"},
    )
    own = client.get(reverse("admin:core_user_change", args=[colleagues["a1"].pk]))
    listing = client.get(reverse("admin:core_user_changelist"))

    colleagues["b1"].refresh_from_db()
    assert (other.status_code, changed.status_code, own.status_code) == (404, 404, 200)
    assert (colleagues["b1"].username, colleagues["b1"].language) == ("cw_b1", "es")
    assert "cw_b1" not in listing.content.decode()


def test_admin_is_refused_to_roles_without_admin_permissions(client, colleagues):
    client.force_login(colleagues["a1"])

    response = client.get(reverse("admin:index"))

    assert response.status_code == 404


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
