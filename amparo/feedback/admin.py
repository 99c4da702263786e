"""Administrators set how many days their organization gives itself to answer each category
of feedback (`ResponseDeadline`), saving through `deadlines.set_response_deadline`.

Feedback entries and notes are NOT in the admin: an administrator must never read a
complaint (sensitive ones go to the ethics focal points alone). Deadlines are never deleted
here: changing the days is the only change (Amparo's own days apply to categories without one).
"""

from django import forms
from django.contrib import admin

from amparo.core.errors import ALL, ActionError
from amparo.core.forms import show_errors
from amparo.core.scoped_admin import ScopedAdmin
from amparo.feedback import deadlines
from amparo.feedback.models import ResponseDeadline


class ResponseDeadlineForm(forms.ModelForm):
    class Meta:
        model = ResponseDeadline
        fields = ["organization", "category", "days"]

    def clean(self):
        data = super().clean()
        if "category" in data and "days" in data:
            try:
                deadlines.check_deadline(category=data["category"], days=data["days"])
            except ActionError as exc:
                errors = dict(exc.errors)
                general = errors.pop(ALL, [])
                show_errors(self, errors)
                if general:
                    raise forms.ValidationError(general) from exc
        return data


@admin.register(ResponseDeadline)
class ResponseDeadlineAdmin(ScopedAdmin):
    permission = deadlines.PERMISSION
    form = ResponseDeadlineForm
    list_display = ["category", "days"]
    ordering = ["category"]

    def get_fields(self, request, obj=None):
        # Administrators set their own organization's; platform superusers choose one.
        if request.user.is_superuser:
            return ["organization", "category", "days"]
        return ["category", "days"]

    def get_readonly_fields(self, request, obj=None):
        # A saved deadline changes its days only: another category is another row.
        return ["category"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = deadlines.set_response_deadline(
            actor=request.user,
            organization=data.get("organization") or obj.organization,
            category=obj.category if change else data["category"],
            days=data["days"],
            request=request,
        )
        obj.pk = saved.pk
        obj.refresh_from_db()
