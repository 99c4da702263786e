"""Administrators manage each office's GBV team here. They never see the files themselves:
cases are not in the admin at all."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from amparo.cases import actions
from amparo.cases.models import GBVTeamMember
from amparo.core import access
from amparo.core.models import Office, User
from amparo.core.scoped_admin import ScopedAdmin


class GBVTeamMemberForm(forms.ModelForm):
    class Meta:
        model = GBVTeamMember
        fields = ["office", "user"]

    def clean(self):
        data = super().clean()
        office, user = data.get("office"), data.get("user")
        if office and user:
            if user.organization_id != office.organization_id or not access.can(user, "cases.gbv"):
                self.add_error("user", _("Choose a GBV specialist of this organization."))
            elif user.pk == self.actor.pk:
                self.add_error("user", _("Another administrator must add you to a GBV team."))
            elif user.office_bound and user.office_id != office.pk:
                self.add_error("user", _("This person works in another office."))
        return data


@admin.register(GBVTeamMember)
class GBVTeamMemberAdmin(ScopedAdmin):
    """Who reads the GBV and PSEA files of each office."""

    form = GBVTeamMemberForm
    permission = "core.manage_users"
    organization_field = "office__organization"
    list_display = ["user", "office", "added_at"]
    list_filter = ["office"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Leaving the team is not history to keep on the row: the audit log keeps it.
        return access.can(request.user, self.permission)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        if db_field.name == "office":
            kwargs["queryset"] = access.visible(user, Office.objects.all(), office_field=None)
        elif db_field.name == "user":
            kwargs["queryset"] = access.visible(user, User.objects.all(), office_field=None)
        return super(ScopedAdmin, self).formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        actions.add_to_gbv_team(
            actor=request.user, office=obj.office, user=obj.user, request=request
        )
        obj.pk = GBVTeamMember.objects.get(office=obj.office, user=obj.user).pk

    def delete_model(self, request, obj):
        actions.remove_from_gbv_team(
            actor=request.user, office=obj.office, user=obj.user, request=request
        )

    def delete_queryset(self, request, queryset):
        for member in queryset:
            self.delete_model(request, member)
