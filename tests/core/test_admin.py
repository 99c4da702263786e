from django.urls import reverse

from amparo.core.models import AuditEvent, Office, Role, User


def add_user(client, **overrides):
    data = {
        "username": "nuevo",
        "password1": "a-long-enough-secret",
        "password2": "a-long-enough-secret",
        "first_name": "Nuevo",
        "last_name": "Usuario",
        "email": "",
        "language": "es",
        **overrides,
    }
    return client.post(reverse("admin:core_user_add"), data)


def test_admin_creates_user_in_own_organization(client, admin_a, office_a1):
    client.force_login(admin_a)
    caseworker = Role.objects.get(organization=None, code="caseworker")

    response = add_user(client, office=office_a1.pk, role=caseworker.pk)

    user = User.objects.get(username="nuevo")
    assert response.status_code == 302
    assert (user.organization, user.office, user.role) == (
        admin_a.organization,
        office_a1,
        caseworker,
    )
    event = AuditEvent.objects.get(action="core.user.created")
    assert (event.actor, event.target_id) == (admin_a, str(user.uuid))


def test_admin_cannot_place_user_in_other_organization_office(client, admin_a, office_b1):
    client.force_login(admin_a)
    caseworker = Role.objects.get(organization=None, code="caseworker")

    response = add_user(client, office=office_b1.pk, role=caseworker.pk)

    assert response.status_code == 200
    assert "office" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="nuevo").exists()


def test_admin_office_bound_role_without_office_shows_message(client, admin_a):
    client.force_login(admin_a)
    caseworker = Role.objects.get(organization=None, code="caseworker")

    response = add_user(client, role=caseworker.pk)

    errors = response.context["adminform"].form.errors
    assert errors["office"] == ["Este rol está limitado a una oficina: elija la oficina."]
    assert not User.objects.filter(username="nuevo").exists()


def test_admin_defines_organization_role_from_permissions(client, admin_a):
    client.force_login(admin_a)

    response = client.post(
        reverse("admin:core_role_add"),
        {
            "code": "abogada",
            "name": "Abogada",
            "office_bound": "on",
            "permissions": ["registry.view", "cases.view", "cases.manage"],
        },
    )

    role = Role.objects.get(code="abogada")
    assert response.status_code == 302
    assert (role.organization, role.permissions) == (
        admin_a.organization,
        ["registry.view", "cases.view", "cases.manage"],
    )
    assert AuditEvent.objects.filter(action="core.role.created", target_id=str(role.uuid)).exists()


def test_admin_cannot_edit_builtin_role(client, admin_a):
    client.force_login(admin_a)
    builtin = Role.objects.get(organization=None, code="caseworker")

    response = client.post(
        reverse("admin:core_role_change", args=[builtin.pk]),
        {"code": "caseworker", "name": "X", "permissions": ["core.manage_users"]},
    )

    builtin.refresh_from_db()
    assert response.status_code == 404
    assert "core.manage_users" not in builtin.permissions


def test_admin_other_organization_roles_are_not_listed(client, admin_a, org_b):
    Role.objects.create(organization=org_b, code="secreto", name="Rol de B", permissions=[])
    client.force_login(admin_a)

    response = client.get(reverse("admin:core_role_changelist"))

    assert "Rol de B" not in response.content.decode()
    assert "Gestor de casos" in response.content.decode()


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
