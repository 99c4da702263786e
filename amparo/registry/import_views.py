"""The import screen: upload → map columns and check (dry run) → import. The uploaded file
waits in the instance folder, private to the uploading session, until imported."""

import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from amparo.core import access, tabular
from amparo.core import queries as core_queries
from amparo.core.errors import ActionError
from amparo.core.forms import errors_on
from amparo.registry import actions, imports, queries

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
            token = secrets.token_urlsafe(16)
            folder = _folder()
            _drop_abandoned(folder)
            (folder / token).write_bytes(upload_file.read())
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


@login_required
def check(request: HttpRequest, token: str) -> HttpResponse:
    access.require(request.user, "registry.import")
    pending = request.session.get(SESSION_KEY, {}).get(token)
    path = _folder() / token
    if pending is None or not path.is_file():
        raise Http404
    data = path.read_bytes()
    office = core_queries.offices_visible_to(request.user).filter(code=pending["office"]).first()
    context = {"pending": pending, "token": token}
    try:
        table = tabular.read_table(data, pending["filename"])
    except ActionError as exc:
        path.unlink(missing_ok=True)
        return render(
            request,
            "registry/import_check.html",
            {**context, "rejected": " ".join(exc.messages)},
            status=400,
        )
    form = mapping_form(
        table.columns, queries.import_mapping_for(request.user), request.POST or None
    )
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request, "registry/import_check.html", {**context, "form": form}, status=400
            )
        mapping = {k: v for k, v in form.cleaned_data.items() if v}
    else:
        mapping = {k: f.initial for k, f in form.fields.items() if f.initial}
    go = request.method == "POST" and request.POST.get("action") == "import"
    try:
        report = imports.import_registry(
            actor=request.user,
            data=data,
            filename=pending["filename"],
            office=office,
            mapping=mapping,
            dry_run=not go,
            valid_rows_only=pending["valid_rows_only"],
        )
    except ActionError as exc:
        return render(
            request,
            "registry/import_check.html",
            {**context, "form": form, "rejected": " ".join(exc.messages)},
            status=400,
        )
    if go and (not report.errors or pending["valid_rows_only"]):
        actions.remember_mapping(actor=request.user, columns=mapping)
        path.unlink(missing_ok=True)
        request.session[SESSION_KEY].pop(token, None)
        request.session.modified = True
        return render(request, "registry/import_done.html", {"report": report, "pending": pending})
    return render(
        request,
        "registry/import_check.html",
        {**context, "form": form, "report": report, "errors": report.errors[:200]},
        status=400 if go else 200,
    )
