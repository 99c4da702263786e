from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from amparo.core.errors import ActionError
from amparo.core.models import Office


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class PeriodFilterForm(forms.Form):
    """A list's "from … until …" filter, with the checks every such filter needs."""

    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        for name in ("since", "until"):
            if data.get(name) and not 1900 <= data[name].year <= 2999:
                self.add_error(name, _("Enter a date between 1900 and 2999."))
                data[name] = None
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("“From” must be on or before “Until”."))
        return data


class OfficeFilterForm(forms.Form):
    """A list's office filter; the view passes the offices the user may choose from."""

    office = forms.ModelChoiceField(
        label=_("Office"),
        queryset=Office.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label=_("All offices"),
    )

    def __init__(self, *args, offices: QuerySet[Office] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        office = cast(forms.ModelChoiceField, self.fields["office"])
        office.queryset = offices if offices is not None else Office.objects.none()


class AuditFilterForm(PeriodFilterForm):
    action = forms.CharField(label=_("Action"), required=False, max_length=100)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    target = forms.CharField(label=_("Object id"), required=False, max_length=64)
    field_order = ["action", "actor", "target", "since", "until"]


def show_errors(form: forms.BaseForm, errors: dict[str, list[str]]) -> None:
    """Put an action's errors next to the form's fields (others at the top of the form).

    A form whose fields are not named like the action's paths (a grid, a formset) defines
    `place_action_error(path, message) -> bool`, which places what it knows and says so.
    """
    place = getattr(form, "place_action_error", None)
    for path, messages in errors.items():
        for message in messages:
            if place is None or not place(path, message):
                form.add_error(path if path in form.fields else None, message)


@contextmanager
def errors_on(form: forms.BaseForm) -> Iterator[None]:
    """Run an action for a screen; if it refuses, its messages go next to the form's fields.

        with errors_on(form):
            case = actions.open_case(actor=request.user, ...)
            return redirect("cases:detail", case.uuid)
        return render(request, "cases/new.html", {"form": form}, status=400)

    Only `ActionError` is caught: anything else is a bug and goes on up.
    """
    try:
        yield
    except ActionError as exc:
        show_errors(form, exc.errors)
