"""Django admin for organization administrators, scoped to their organization and audited."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from amparo.core import actions, audit, queries
from amparo.core.admin_site import ADMIN_PERMISSIONS
from amparo.core.forms import errors_on
from amparo.core.models import Area, AuditEvent, Office, Organization, Role, User
from amparo.core.roles import PERMISSIONS
from amparo.core.scoped_admin import ScopedAdmin


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin):
    permission = "core.manage_offices"
    organization_field = "pk"
    list_display = ["name", "code", "kind", "is_care_route_partner"]
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
        return ["last_login", "date_joined"] if obj else []

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
