"""Two-factor sign-in: who needs it, enrolment, codes, recovery codes, the API, admin reset."""

import io
import re
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.cases.models import GBVTeamMember
from amparo.core import actions, twofactor
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent, User
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _policy_on(org_a, org_b, settings):
    org_a.require_two_factor = org_b.require_two_factor = True
    org_a.save()
    org_b.save()
    settings.AMPARO_TWO_FACTOR_FOR_PLATFORM_ADMINS = True
    # A wrong code makes the next try wait (a second, doubling): tests that type a wrong code
    # and then the right one would depend on the clock; one test below checks the throttle.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the user's authenticator app shows now (or `steps_ahead` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    device = actions.start_two_factor_enrolment(user=user)
    return actions.confirm_two_factor_enrolment(user=user, code=code_for(device))


def sign_in(client, user: User):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


@pytest.mark.parametrize(
    ("role", "needs"),
    [
        ("administrator", True),
        ("gbv_specialist", True),
        ("case_supervisor", True),  # cases.gbv
        ("ethics_focal_point", True),  # feedback.psea
        ("caseworker", False),
        ("registration_officer", False),
        ("me_officer", False),
    ],
)
def test_roles_that_administer_users_or_read_restricted_files_need_two_factor(
    make_user, office_a1, role, needs
):
    user = make_user(role, office=office_a1, organization=office_a1.organization)

    assert twofactor.required_for(user) is needs


def test_gbv_team_members_need_two_factor_whatever_their_role(make_user, office_a1):
    caseworker = make_user("caseworker", office=office_a1)
    before = twofactor.required_for(caseworker)

    GBVTeamMember.objects.create(office=office_a1, user=caseworker)

    assert (before, twofactor.required_for(caseworker)) == (False, True)


def test_organization_policy_off_means_no_second_factor(admin_a, org_a):
    actions.set_two_factor_policy(actor=None, organization=org_a, required=False)
    admin_a.refresh_from_db()

    assert twofactor.required_for(admin_a) is False
    event = AuditEvent.objects.get(action="core.organization.updated")
    assert event.fields == ["require_two_factor"]


def test_only_platform_administrators_change_the_policy(admin_a, org_a):
    with pytest.raises(ActionError):
        actions.set_two_factor_policy(actor=admin_a, organization=org_a, required=False)

    org_a.refresh_from_db()
    assert org_a.require_two_factor is True


def test_platform_administrators_need_two_factor_unless_configured_off(db, settings):
    root = User.objects.create_superuser("root", password=PASSWORD)
    needed = twofactor.required_for(root)

    settings.AMPARO_TWO_FACTOR_FOR_PLATFORM_ADMINS = False

    assert (needed, twofactor.required_for(root)) == (True, False)


def test_user_without_device_is_sent_to_enrol_before_any_page(client, admin_a):
    sign_in(client, admin_a)

    home = client.get("/")
    team = client.get("/team/")
    api = client.get("/api/v1/me/")

    assert home.status_code == 302
    assert home["Location"] == "/two-factor/setup/?next=%2F"
    assert team["Location"].startswith("/two-factor/setup/")
    assert api.status_code == 403


def test_enrolment_confirms_with_a_code_and_shows_ten_recovery_codes_once(client, admin_a):
    sign_in(client, admin_a)
    page = client.get("/two-factor/setup/")
    device = TOTPDevice.objects.get(user=admin_a)

    wrong = client.post("/two-factor/setup/", {"otp": "000000", "next": "/team/"})
    right = client.post("/two-factor/setup/", {"otp": code_for(device), "next": "/team/"})

    assert page.status_code == 200
    assert b"data:image/svg+xml" in page.content
    assert b'href="/team/"' not in page.content  # no menu leading back here
    assert wrong.status_code == 400
    assert right.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", right.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(
        StaticDevice.objects.get(user=admin_a).token_set.values_list("token", flat=True)
    )
    assert client.get("/team/").status_code == 200
    assert AuditEvent.objects.filter(action="core.user.two_factor_enrolled").count() == 1


def test_wrong_enrolment_code_confirms_nothing(admin_a):
    actions.start_two_factor_enrolment(user=admin_a)

    with pytest.raises(ActionError) as refused:
        actions.confirm_two_factor_enrolment(user=admin_a, code="12345x")

    assert "otp" in refused.value.errors
    assert TOTPDevice.objects.get(user=admin_a).confirmed is False
    assert not StaticDevice.objects.filter(user=admin_a).exists()


def test_enrolled_user_enters_a_code_after_the_password(client, admin_a):
    device, _codes = enrol(admin_a)
    sign_in(client, admin_a)

    blocked = client.get("/team/")
    wrong = client.post("/two-factor/", {"otp": "123456", "next": "/team/"})
    session_before = client.session.session_key
    right = client.post("/two-factor/", {"otp": code_for(device, 1), "next": "/team/"})

    assert blocked["Location"] == "/two-factor/?next=%2Fteam%2F"
    assert wrong.status_code == 400
    assert right.status_code == 302
    assert right["Location"] == "/team/"
    assert client.session.session_key != session_before
    assert client.get("/team/").status_code == 200
    assert list(
        AuditEvent.objects.filter(
            action__in=["core.user.two_factor_verified", "core.user.two_factor_failed"]
        ).values_list("action", flat=True)
    ) == ["core.user.two_factor_verified", "core.user.two_factor_failed"]


def test_verification_redirects_only_within_the_site(client, admin_a):
    device, _codes = enrol(admin_a)
    sign_in(client, admin_a)

    response = client.post(
        "/two-factor/", {"otp": code_for(device, 1), "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_recovery_code_works_once(client, admin_a):
    _device, codes = enrol(admin_a)
    sign_in(client, admin_a)

    first = client.post("/two-factor/", {"otp": codes[0].upper()})
    client.post(reverse("logout"))
    sign_in(client, admin_a)
    again = client.post("/two-factor/", {"otp": codes[0]})

    assert first.status_code == 302
    assert again.status_code == 400
    assert StaticDevice.objects.get(user=admin_a).token_set.count() == 9
    event = AuditEvent.objects.filter(action="core.user.two_factor_verified").get()
    assert event.details == {"method": "recovery_code"}


def test_wrong_codes_slow_further_tries_down(admin_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 3600  # the wait after one failure: an hour
    device, _codes = enrol(admin_a)

    with pytest.raises(ActionError):
        actions.verify_second_factor(user=admin_a, code="000000")
    with pytest.raises(ActionError) as throttled:
        actions.verify_second_factor(user=admin_a, code=code_for(device, 1))

    assert throttled.value.errors["otp"] == [
        "Demasiados códigos equivocados: espere un minuto e intente de nuevo."
    ]


def test_renewed_recovery_codes_replace_the_old_ones(client, admin_a):
    device, old = enrol(admin_a)
    sign_in(client, admin_a)
    client.post("/two-factor/", {"otp": code_for(device, 1)})

    response = client.post("/two-factor/recovery-codes/")

    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    stored = set(StaticDevice.objects.get(user=admin_a).token_set.values_list("token", flat=True))
    assert (len(new), stored) == (10, set(new))
    assert not stored & set(old)


def test_api_token_needs_the_code_when_two_factor_applies(client, admin_a):
    device, codes = enrol(admin_a)
    body = {"username": admin_a.username, "password": PASSWORD}

    missing = client.post("/api/v1/auth/token/", body, "application/json")
    wrong = client.post("/api/v1/auth/token/", {**body, "otp": "999999"}, "application/json")
    right = client.post(
        "/api/v1/auth/token/", {**body, "otp": code_for(device, 1)}, "application/json"
    )
    recovery = client.post("/api/v1/auth/token/", {**body, "otp": codes[3]}, "application/json")

    assert (missing.status_code, list(missing.json())) == (400, ["otp"])
    assert (wrong.status_code, list(wrong.json())) == (400, ["otp"])
    assert (right.status_code, list(right.json())) == (200, ["token"])
    assert recovery.status_code == 200


def test_api_token_for_a_user_who_has_not_enrolled_says_where_to_enrol(client, admin_a):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": admin_a.username, "password": PASSWORD, "otp": "123456"},
        "application/json",
    )

    assert response.status_code == 400
    assert response.json()["otp"] == [
        "Se requiere el inicio de sesión en dos pasos: configúrelo primero en la aplicación web."
    ]


def test_api_token_without_two_factor_needs_no_code(client, make_user, office_a1):
    make_user("caseworker", office=office_a1, username="cw")

    response = client.post(
        "/api/v1/auth/token/", {"username": "cw", "password": PASSWORD}, "application/json"
    )

    assert response.status_code == 200


def test_administrator_resets_a_colleagues_two_factor(client, admin_a, make_user, office_a1):
    specialist = make_user("gbv_specialist", office=office_a1, username="vbg")
    enrol(specialist)
    device, _codes = enrol(admin_a)
    sign_in(client, admin_a)
    client.post("/two-factor/", {"otp": code_for(device, 1)})

    response = client.post(
        reverse("admin:core_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [specialist.pk]},
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=specialist).exists()
    assert not StaticDevice.objects.filter(user=specialist).exists()
    event = AuditEvent.objects.get(action="core.user.two_factor_reset")
    assert (event.actor, event.target_id) == (admin_a, str(specialist.uuid))
    client.post(reverse("logout"))
    sign_in(client, specialist)
    assert client.get("/")["Location"].startswith("/two-factor/setup/")


def test_reset_is_limited_to_administrators_of_the_users_organization(
    admin_b, make_user, office_a1
):
    specialist = make_user("gbv_specialist", office=office_a1, username="vbg")
    enrol(specialist)

    with pytest.raises(ActionError):
        actions.reset_two_factor(actor=admin_b, user=specialist)
    with pytest.raises(Http404):  # no right to administer users: the same 404 as elsewhere
        actions.reset_two_factor(actor=specialist, user=specialist)

    assert TOTPDevice.objects.filter(user=specialist, confirmed=True).exists()


def test_otp_device_admin_screens_are_not_offered(client, db):
    root = User.objects.create_superuser("root", password=PASSWORD)
    root.organization = None
    client.force_login(root)
    device, _codes = enrol(root)
    client.post("/two-factor/", {"otp": code_for(device, 1)})

    response = client.get("/admin/otp_totp/totpdevice/")

    assert response.status_code == 404


def test_reset_command_removes_the_devices_of_a_user(make_user, office_a1):
    specialist = make_user("gbv_specialist", office=office_a1, username="vbg")
    enrol(specialist)
    out = io.StringIO()

    call_command("reset_two_factor", "vbg", stdout=out)

    assert not TOTPDevice.objects.filter(user=specialist).exists()
    assert "vbg" in out.getvalue()
    assert AuditEvent.objects.get(action="core.user.two_factor_reset").actor is None
    with pytest.raises(CommandError):
        call_command("reset_two_factor", "nobody", stdout=io.StringIO())


def test_platform_administrator_sets_the_policy_in_the_admin_and_it_is_audited(client, org_a):
    root = User.objects.create_superuser("root", password=PASSWORD)
    device, _codes = enrol(root)
    client.force_login(root)
    client.post("/two-factor/", {"otp": code_for(device, 1)})
    url = reverse("admin:core_organization_change", args=[org_a.pk])
    form = {"code": org_a.code, "name": org_a.name, "kind": org_a.kind, "country": ""}

    response = client.post(url, form)  # the box left unticked: off

    org_a.refresh_from_db()
    assert response.status_code == 302
    assert org_a.require_two_factor is False
    event = AuditEvent.objects.get(action="core.organization.updated")
    assert (event.actor, event.fields) == (root, ["require_two_factor"])


def test_organization_administrators_cannot_change_the_policy(client, admin_a, org_a):
    org_a.require_two_factor = False  # so that admin_a signs in with a password alone
    org_a.save()
    client.force_login(admin_a)
    url = reverse("admin:core_organization_change", args=[org_a.pk])

    form = {"code": org_a.code, "name": org_a.name, "kind": org_a.kind}

    response = client.post(url, {**form, "require_two_factor": "on"})

    org_a.refresh_from_db()
    assert response.status_code in (403, 404)
    assert org_a.require_two_factor is False
