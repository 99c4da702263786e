"""Django admin for organization administrators, scoped to their organization and audited."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.core import actions, audit, queries, twofactor
from amparo.core.admin_site import ADMIN_PERMISSIONS
from amparo.core.forms import errors_on
from amparo.core.models import Area, AuditEvent, Office, Organization, Role, User
from amparo.core.roles import PERMISSIONS
from amparo.core.scoped_admin import ScopedAdmin

# django-otp's own admins would show authenticator keys and recovery codes: administrators
# reset a user's two-factor sign-in from the user list instead (an audited action).
for _otp_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_otp_model):
        admin.site.unregister(_otp_model)


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin):
    permission = "core.manage_offices"
    organization_field = "pk"
    list_display = ["name", "code", "kind", "is_care_route_partner", "require_two_factor"]
    search_fields = ["name", "code"]

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


@admin.register(Office)
class OfficeAdmin(ScopedAdmin):
    permission = "core.manage_offices"
    list_display = ["name", "code", "organization", "area", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["area"]

    def get_fields(self, request, obj=None):
        fields = ["code", "name", "area", "is_active"]
        return (["organization"] if request.user.is_superuser else []) + fields


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        choices=list(PERMISSIONS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Role
        fields = ["organization", "code", "name", "office_bound", "permissions"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("organization"):
            self.instance.organization = data["organization"]
        if self.instance.organization_id is None:
            self.add_error(None, _("A custom role belongs to one organization: choose it."))
        administrative = {p for p in data.get("permissions", []) if p in ADMIN_PERMISSIONS}
        if data.get("office_bound") and administrative:
            self.add_error(
                "office_bound",
                _(
                    "Administration is organization-wide: a role with %(perms)s cannot be "
                    "limited to one office."
                )
                % {"perms": ", ".join(sorted(administrative))},
            )
        return data


@admin.register(Role)
class RoleAdmin(ScopedAdmin):
    permission = "core.manage_roles"
    form = RoleForm
    list_display = ["__str__", "code", "organization", "office_bound"]

    def get_queryset(self, request):
        return queries.roles_available_to(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_builtin and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        fields = ["code", "name", "office_bound", "permissions"]
        return (["organization"] if request.user.is_superuser else []) + fields

    def save_model(self, request, obj, form, change):
        actions.save_role(actor=request.user, role=obj, changed=form.changed_data, request=request)


class AssignmentCheck(forms.ModelForm):
    """Office and role must fit the organization: the same rule as `actions.create_user`."""

    instance: User

    def clean(self):
        super().clean()
        data = self.cleaned_data
        self.instance.organization = data.get("organization") or self.instance.organization
        self.instance.office = data.get("office")
        self.instance.role = data.get("role")
        with errors_on(self):
            actions.validate_assignment(self.instance)
        return data


# What an administrator sets on an account (the password has its own form).
ACCOUNT_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "organization",
    "office",
    "role",
    "language",
)


class AmparoUserCreationForm(AssignmentCheck, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ACCOUNT_FIELDS


class AmparoUserChangeForm(AssignmentCheck, forms.ModelForm):
    class Meta:
        model = User
        fields = (*ACCOUNT_FIELDS, "is_active")


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    permission = "core.manage_users"
    actions = ["revoke_api_tokens", "reset_two_factor"]
    form = AmparoUserChangeForm
    add_form = AmparoUserCreationForm
    list_display = [
        "username",
        "first_name",
        "last_name",
        "organization",
        "office",
        "role",
        "is_active",
        "last_login",
    ]
    list_filter = [
        "is_active",
        ("role", admin.RelatedOnlyFieldListFilter),
        ("office", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    filter_horizontal = []

    def get_fieldsets(self, request, obj=None):
        org = ["organization"] if request.user.is_superuser else []
        if obj is None:
            return [
                (
                    None,
                    {
                        "fields": [
                            "username",
                            "password1",
                            "password2",
                            "first_name",
                            "last_name",
                            "email",
                            *org,
                            "office",
                            "role",
                            "language",
                        ]
                    },
                )
            ]
        return [
            (None, {"fields": ["username", "password"]}),
            (_("Person"), {"fields": ["first_name", "last_name", "email", "language"]}),
            (_("Access"), {"fields": [*org, "office", "role", "is_active"]}),
            (_("Dates"), {"fields": ["last_login", "date_joined"]}),
            (_("Sign-in"), {"fields": ["two_factor", "api_tokens_in_use"]}),
        ]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if not request.user.is_superuser:  # platform accounts are not the organization's
            qs = qs.filter(is_superuser=False)
        return qs

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            person = self.get_object(request, object_id)
            if person is not None:
                audit.record_view(request=request, target=person)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        return ["last_login", "date_joined", "two_factor", "api_tokens_in_use"] if obj else []

    @admin.display(description=_("two-factor sign-in"))
    def two_factor(self, obj: User) -> str:
        if twofactor.authenticator_of(obj) is not None:
            return str(_("Set up (%(left)d recovery codes left)")) % {
                "left": twofactor.recovery_codes_left(obj)
            }
        if twofactor.required_for(obj):
            return str(_("Required, not set up yet: asked for at the next sign-in"))
        return str(_("Not required"))

    @admin.display(description=_("API tokens in use"))
    def api_tokens_in_use(self, obj: User):
        # Keys are never stored: only their first characters, to tell the devices apart.
        rows = [
            (
                f"{t.prefix}…",
                t.label or "—",
                date_format(localtime(t.created_at), "SHORT_DATETIME_FORMAT"),
                date_format(localtime(t.expires_at), "SHORT_DATETIME_FORMAT"),
                date_format(localtime(t.last_used_at), "SHORT_DATETIME_FORMAT")
                if t.last_used_at
                else "—",
            )
            for t in queries.api_tokens_of(obj)
        ]
        if not rows:
            return "—"
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("key"),
            _("device"),
            _("created"),
            _("expires"),
            _("last used"),
        )
        body = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
        )
        return format_html("<table>{}{}</table>", header, body)

    @admin.action(description=_("Revoke the selected users' API tokens"))
    def revoke_api_tokens(self, request, queryset):
        ended = sum(
            actions.revoke_api_tokens_of(actor=request.user, user=user, request=request)
            for user in queryset
        )
        self.message_user(
            request,
            ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", ended)
            % {"count": ended},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reset the selected users' two-factor sign-in"))
    def reset_two_factor(self, request, queryset):
        users = list(queryset)
        for user in users:
            actions.reset_two_factor(actor=request.user, user=user, request=request)
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in reset for %(count)d user: they set it up again at their next "
                "sign-in.",
                "Two-factor sign-in reset for %(count)d users: they set it up again at their "
                "next sign-in.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )

    def log_change(self, request, obj, message):
        if request.path.rstrip("/").endswith("password"):
            audit.record(
                actor=request.user,
                action="core.user.password_changed",
                target=obj,
                fields=["password"],
                request=request,
            )
        return super().log_change(request, obj, message)


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    permission = "core.manage_offices"
    list_display = ["name", "code", "level", "parent", "country_code"]
    list_filter = ["level", "country_code"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return Area.objects.select_related("parent")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    """Read-only: nobody can add, change or delete audit events from the application."""

    permission = "core.view_audit"
    list_display = ["at", "actor_username", "action", "target_type", "target_id", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_username", "target_id", "action"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        return queries.audit_events_visible_to(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        return {}
