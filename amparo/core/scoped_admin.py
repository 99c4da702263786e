"""The admin's kernel: `ScopedAdmin`, the base of every app's model admins (role permission,
organization scope, 404 for what is out of scope, an audit event per save)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.http import Http404

from amparo.core import access, audit, queries
from amparo.core.models import Office


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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        organization = request.user.organization
        has_org = any(f.name == "organization" for f in self.model._meta.fields)
        if request.user.is_superuser or organization is None or not has_org:
            return form
        base_clean = form.clean

        def clean(self):
            # The organization is not a form field, so Django would skip the constraints that
            # involve it (unique code per organization): check them here, as form errors.
            self.instance.organization = organization
            data = base_clean(self)
            construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
            try:
                self.instance.validate_constraints()
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
            return data

        # A subclass with this check, made the way `ModelAdmin.get_form` makes its own.
        return type(form.__name__, (form,), {"clean": clean})

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
