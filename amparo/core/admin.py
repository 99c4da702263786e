"""Django admin for organization administrators, scoped to their organization and audited."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from amparo.core import access, actions, audit, queries
from amparo.core.models import Area, AuditEvent, Office, Organization, Role, User
from amparo.core.roles import PERMISSIONS


class ScopedAdmin(admin.ModelAdmin):
    """Role permission decides access; rows are limited to the administrator's organization."""

    permission = "core.manage_users"
    organization_field = "organization"

    def has_module_permission(self, request) -> bool:
        return access.can(request.user, self.permission)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can(request.user, self.permission)

    def has_add_permission(self, request) -> bool:
        return access.can(request.user, self.permission)

    def has_change_permission(self, request, obj=None) -> bool:
        return access.can(request.user, self.permission)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: history keeps pointing at these rows

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Same answer as the rest of Amparo: missing and out of scope are both 404.
        raise Http404

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return access.visible(
            request.user, qs, organization_field=self.organization_field, office_field=None
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        if db_field.name == "organization":
            kwargs["queryset"] = queries.organizations_visible_to(user)
        elif db_field.name == "office":
            kwargs["queryset"] = access.visible(user, Office.objects.all(), office_field=None)
        elif db_field.name == "role":
            kwargs["queryset"] = queries.roles_available_to(user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and hasattr(obj, "organization_id"):
            obj.organization_id = request.user.organization_id
        super().save_model(request, obj, form, change)
        verb = "updated" if change else "created"
        audit.record(
            actor=request.user,
            action=f"{obj._meta.app_label}.{obj._meta.model_name}.{verb}",
            target=obj,
            fields=form.changed_data,
            request=request,
        )


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
        fields = ["code", "name", "office_bound", "permissions"]


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

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser or obj.organization_id is None and not change:
            obj.organization_id = request.user.organization_id
        try:
            actions.save_role(actor=request.user, role=obj, changed=form.changed_data)
        except ValidationError as exc:  # pragma: no cover - the form validated the same rules
            form.add_error(None, exc)


class AssignmentCheck:
    """Office and role must fit the organization: the same rule as `actions.create_user`."""

    def clean(self):
        data = super().clean()
        self.instance.organization = data.get("organization") or self.instance.organization
        self.instance.office = data.get("office")
        self.instance.role = data.get("role")
        try:
            actions.validate_assignment(self.instance)
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                self.add_error(field_name if field_name in self.fields else None, messages)
        return data


class AmparoUserCreationForm(AssignmentCheck, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "organization",
            "office",
            "role",
            "language",
        ]


class AmparoUserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "organization",
            "office",
            "role",
            "language",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        self.instance.organization = data.get("organization") or self.instance.organization
        self.instance.office = data.get("office")
        self.instance.role = data.get("role")
        try:
            actions.validate_assignment(self.instance)
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                self.add_error(field_name if field_name in self.fields else None, messages)
        return data


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
    list_filter = ["is_active", "role", "office"]
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

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        organization = request.user.organization
        if not request.user.is_superuser and organization is not None:
            base_clean = form.clean

            def clean(self):
                self.instance.organization = organization
                return base_clean(self)

            form.clean = clean
        return form

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
