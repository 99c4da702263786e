"""The service directory and care routes for staff: browse (read-only) and import a file.
Maintenance happens in the admin (`referrals.manage_directory`)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from amparo.cases.models import ServiceType
from amparo.core import access, tabular
from amparo.core.errors import ActionError
from amparo.referrals import imports, queries

MANAGE = "referrals.manage_directory"


class DirectoryFilterForm(forms.Form):
    area = forms.ModelChoiceField(
        label=_("Province"),
        queryset=None,
        to_field_name="code",
        required=False,
        empty_label=_("All"),
        error_messages={"invalid_choice": _("Choose a province from the list.")},
    )
    type = forms.ChoiceField(
        label=_("Type of service"),
        required=False,
        choices=[("", _("All")), *ServiceType.choices],
        error_messages={"invalid_choice": _("Choose a type of service from the list.")},
    )

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = provinces
        self.fields["area"].label_from_instance = lambda area: area.display_name


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not queries.can_read_directory(user):
        raise Http404
    form = DirectoryFilterForm(request.GET or None, provinces=queries.directory_provinces(user))
    area = service_type = None
    if form.is_valid():
        area, service_type = form.cleaned_data["area"], form.cleaned_data["type"]
    if area is not None:
        services = queries.services_serving(user, area, inside=True, active_only=True)
        routes = queries.care_routes_serving(user, area, inside=True)
    else:
        services = queries.services_visible_to(user).filter(
            is_active=True, provider__is_active=True
        )
        routes = queries.care_routes_visible_to(user)
    if service_type:
        services = services.filter(type=service_type)
    services = services.select_related("provider__office").prefetch_related("areas")
    providers: dict[int, dict] = {}
    for service in services.order_by("provider__name", "provider_id", "name"):
        service.language_names = [imports.language_name(c) for c in service.languages]
        entry = providers.setdefault(
            service.provider_id, {"provider": service.provider, "services": []}
        )
        entry["services"].append(service)
    routes = routes.order_by("area__name", "need", "id")  # steps come in order, prefetched
    return render(
        request,
        "referrals/directory.html",
        {
            "form": form,
            "providers": list(providers.values()),
            "service_count": sum(len(p["services"]) for p in providers.values()),
            "routes": list(routes),
            "filtered": area is not None or bool(service_type),
            "can_manage": access.can(user, MANAGE),
        },
        status=400 if form.errors else 200,
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX, one row per service)"))
    dry_run = forms.BooleanField(
        label=_("Only check the file, change nothing"), required=False, initial=True
    )


@login_required
def import_directory(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require(user, MANAGE)
    if user.organization is None:  # platform operators use `amparo import-directory`
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    result, errors = None, []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            tabular.check_size(upload.size)
            result = imports.import_directory(
                actor=user,
                organization=user.organization,
                data=upload.read(),
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )
        except ActionError as exc:  # shown as the list of every problem, not on the form
            errors = exc.messages
    return render(
        request,
        "referrals/directory_import.html",
        {
            "form": form,
            "result": result,
            "errors": errors[:500],
            "more_errors": max(0, len(errors) - 500),
            "columns": imports.COLUMNS,
        },
        status=400 if errors or form.errors else 200,
    )
