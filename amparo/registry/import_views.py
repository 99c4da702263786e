"""The import screen: upload → map columns → check (dry run) or import, in the background.

The upload is refused at once when `core.tabular.inspect` says so (size, macros, a bomb); it
then waits in the instance folder, private to the uploading session, while the columns are
mapped (only its header is read here). Checking and importing run in the worker
(`registry.tasks.import_file` through `core.jobs`): the screen shows the job's progress page,
which refreshes itself, and then its result."""

import secrets
import time
from pathlib import Path
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from amparo.core import access, jobs, tabular
from amparo.core import queries as core_queries
from amparo.core.errors import ActionError
from amparo.core.forms import errors_on
from amparo.registry import imports, queries, tasks

SESSION_KEY = "registry_imports"


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX, one row per person)"))
    office = forms.ChoiceField(label=_("Office for rows without an office column"))
    valid_rows_only = forms.BooleanField(
        label=_("Import the valid households and skip the others"),
        required=False,
        help_text=_("Otherwise nothing is imported while any row has a problem."),
    )

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [(o.code, o.name) for o in offices]


def mapping_form(headers: list[str], initial: dict[str, str], data=None) -> forms.Form:
    choices = [("", "—"), *((h, h) for h in headers)]
    form = forms.Form(data)
    for ours in imports.DEFAULT_MAPPING:
        guess = initial.get(ours) if initial.get(ours) in headers else None
        if guess is None and imports.DEFAULT_MAPPING[ours] in headers:
            guess = imports.DEFAULT_MAPPING[ours]
        form.fields[ours] = forms.ChoiceField(
            label=ours,
            choices=choices,
            initial=guess or "",
            required=ours in imports.REQUIRED,
        )
    return form


PENDING_HOURS = 24


def _folder() -> Path:
    folder = Path(settings.AMPARO_HOME) / "pending-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _drop_abandoned(folder: Path) -> None:
    """Uploads never imported are personal data at rest: remove them after a day."""
    cutoff = time.time() - PENDING_HOURS * 3600
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "registry.import")
    offices = core_queries.offices_visible_to(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        with errors_on(form):
            tabular.check_size(upload_file.size)
            data = upload_file.read()
            tabular.inspect(data, upload_file.name)  # a bomb is refused here, in milliseconds
            token = secrets.token_urlsafe(16)
            folder = _folder()
            _drop_abandoned(folder)
            (folder / token).write_bytes(data)
            pending = request.session.get(SESSION_KEY, {})
            pending[token] = {
                "filename": upload_file.name[:200],
                "office": form.cleaned_data["office"],
                "valid_rows_only": form.cleaned_data["valid_rows_only"],
            }
            request.session[SESSION_KEY] = pending
            return redirect("registry:import-check", token)
    return render(
        request, "registry/import_upload.html", {"form": form}, status=400 if form.errors else 200
    )


def _pending(request: HttpRequest, token: str) -> tuple[dict, Path]:
    pending = request.session.get(SESSION_KEY, {}).get(token)
    path = _folder() / token
    if pending is None or not path.is_file():
        raise Http404
    return pending, path


@login_required
def check(request: HttpRequest, token: str) -> HttpResponse:
    access.require(request.user, "registry.import")
    pending, path = _pending(request, token)
    context = {"pending": pending, "token": token}
    try:
        columns = tabular.open_table(path, pending["filename"]).columns  # the header only
    except ActionError as exc:
        path.unlink(missing_ok=True)
        return render(
            request,
            "registry/import_check.html",
            {**context, "rejected": " ".join(exc.messages)},
            status=400,
        )
    form = mapping_form(columns, queries.import_mapping_for(request.user), request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request, "registry/import_check.html", {**context, "form": form}, status=400
            )
        mapping = {k: v for k, v in form.cleaned_data.items() if v}
    else:
        mapping = {k: f.initial for k, f in form.fields.items() if f.initial}
    try:
        imports.check_columns(columns, imports.DEFAULT_MAPPING | mapping)
    except ActionError as exc:
        return render(
            request,
            "registry/import_check.html",
            {**context, "form": form, "rejected_columns": " ".join(exc.messages)},
            status=400,
        )
    if request.method != "POST":
        return render(request, "registry/import_check.html", {**context, "form": form})
    job = jobs.start(
        owner=request.user,
        handler=tasks.import_file,
        params={
            "token": token,
            "office": pending["office"],
            "mapping": mapping,
            "dry_run": request.POST.get("action") != "import",
            "valid_rows_only": pending["valid_rows_only"],
        },
        data=path.read_bytes(),
        filename=pending["filename"],
    )
    return redirect("registry:import-job", job.uuid)


@login_required
def job_status(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """The job's progress (refreshing itself) and then its result; only its owner sees it."""
    access.require(request.user, "registry.import")
    job = jobs.get_job_for(request.user, job_id)
    if job.handler != jobs.path_of(tasks.import_file):
        raise Http404
    token = job.params.get("token", "")
    context = {"job": job, "pending": {"filename": job.filename}, "token": token}
    if not job.is_over:
        heading = _("Checking the file") if job.params.get("dry_run") else _("Importing the file")
        return render(request, "registry/import_progress.html", {**context, "heading": heading})
    result = job.result or {}
    if result.get("imported"):
        (_folder() / token).unlink(missing_ok=True)  # nothing left to import from it
        if request.session.get(SESSION_KEY, {}).pop(token, None) is not None:
            request.session.modified = True
        return render(request, "registry/import_done.html", {"report": result, **context})
    return render(
        request,
        "registry/import_result.html",
        {
            **context,
            "report": result,
            "rejected": " ".join(result.get("refused", [])),
            "more_errors": max(0, result.get("problems", 0) - len(result.get("errors", []))),
            "can_retry": token in request.session.get(SESSION_KEY, {})
            and (_folder() / token).is_file(),
        },
    )
