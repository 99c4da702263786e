"""The service directory and care routes for staff: browse (read-only) and import a file.
Maintenance happens in the admin (`referrals.manage_directory`)."""

from uuid import UUID

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from amparo.cases.models import ServiceType
from amparo.core import access, jobs, tabular
from amparo.core.forms import errors_on
from amparo.referrals import imports, queries, tasks

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
    services = services.select_related("provider__office", "provider__network", "provider__country")
    services = services.prefetch_related("areas")
    providers: dict[int, dict] = {}
    for service in services.order_by("provider__name", "provider_id", "name"):
        service.language_names = [imports.language_name(c) for c in service.languages]
        entry = providers.setdefault(
            service.provider_id, {"provider": service.provider, "services": []}
        )
        entry["services"].append(service)
    # Steps come in order, prefetched.
    routes = routes.select_related("network").order_by("area__name", "need", "id")
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
    """Upload a directory file; it is checked or imported in the background worker."""
    user = request.user
    access.require(user, MANAGE)
    if user.organization is None:  # platform operators use `amparo import-directory`
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with errors_on(form):
            tabular.check_size(upload.size)
            data = upload.read()
            tabular.inspect(data, upload.name)  # a bomb is refused here, in milliseconds
            job = jobs.start(
                owner=user,
                handler=tasks.import_directory_file,
                params={"dry_run": form.cleaned_data["dry_run"]},
                data=data,
                filename=upload.name,
            )
            return redirect("referrals:directory-import-job", job.uuid)
    return _import_page(request, form, status=400 if form.errors else 200)


@login_required
def import_directory_job(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """The import's progress (refreshing itself), then its result; only its owner sees it."""
    access.require(request.user, MANAGE)
    job = jobs.get_job_for(request.user, job_id)
    if job.handler != jobs.path_of(tasks.import_directory_file):
        raise Http404
    if not job.is_over:
        return render(request, "referrals/directory_import_progress.html", {"job": job})
    outcome = job.result or {}
    errors = outcome.get("refused", [])
    return _import_page(
        request, ImportForm(), result=None if errors else outcome, errors=errors, job=job
    )


def _import_page(request, form, *, status=200, result=None, errors=(), job=None) -> HttpResponse:
    return render(
        request,
        "referrals/directory_import.html",
        {
            "form": form,
            "job": job,
            "result": result,
            "errors": errors[:500],
            "more_errors": max(0, len(errors) - 500),
            "columns": imports.COLUMNS,
        },
        status=status,
    )
