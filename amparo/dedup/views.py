"""Reviewing possible duplicates: the queue, one pair side by side with the reasons, the
decisions and the merge; starting a run; the merges an administrator may undo. Thin: parse →
access → query or act → render. Pairs whose two records the user cannot both see answer 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.core import access, audit, jobs
from amparo.core.errors import ActionError
from amparo.core.forms import errors_on
from amparo.core.http import AuthenticatedRequest
from amparo.core.names import country_name, language_name
from amparo.dedup import actions, queries, words
from amparo.dedup.forms import DecisionForm, MergeForm, RunForm
from amparo.dedup.models import CandidatePair
from amparo.registry import queries as registry_queries
from amparo.registry.models import Individual


@login_required
def queue(request: AuthenticatedRequest) -> HttpResponse:
    access.require_any(request.user, ("dedup.review", "dedup.run"))
    unsure = request.GET.get("show") == "unsure"
    pairs = queries.queue_for(request.user, unsure=unsure)
    page = Paginator(pairs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "dedup/queue.html",
        {
            "page": page,
            "unsure": unsure,
            "run": queries.latest_run(request.user),
            "can_run": access.can(request.user, "dedup.run"),
            "can_undo": access.can(request.user, "dedup.undo"),
            "form": RunForm(),
        },
    )


@login_required
@require_POST
def start_run(request: AuthenticatedRequest) -> HttpResponse:
    access.require(request.user, "dedup.run")
    form = RunForm(request.POST)
    if form.is_valid():
        with errors_on(form):
            job = actions.start_run(
                actor=request.user,
                threshold=form.cleaned_data["threshold"],
                retrain=form.cleaned_data["retrain"],
            )
            return redirect("dedup:run_status", job.uuid)
    return render(
        request,
        "dedup/queue.html",
        {
            "page": None,
            "run": queries.latest_run(request.user),
            "can_run": True,
            "form": form,
        },
        status=400,
    )


@login_required
def run_status(request: AuthenticatedRequest, job_id) -> HttpResponse:
    access.require(request.user, "dedup.run")
    job = jobs.get_job_for(request.user, job_id)
    if job.handler != jobs.path_of(actions.run_job):
        raise Http404
    if not job.is_over:
        return render(request, "dedup/run_progress.html", {"job": job})
    if job.state == job.State.FINISHED:
        result = job.result or {}
        messages.success(
            request,
            _("%(people)s people compared; %(pairs)s possible duplicates to review.")
            % {"people": result.get("people", 0), "pairs": result.get("pairs", 0)},
        )
        return redirect("dedup:queue")
    return render(request, "dedup/run_progress.html", {"job": job}, status=400)


def _value(person: Individual, key: str) -> str:
    """One compared value in words."""
    if key == "household":
        return f"{person.household.reference} · {person.get_relationship_display()}"
    if key == "consent":
        given = [
            str(label)
            for flag, label in (
                (person.contact_consent, _("contact")),
                (person.data_sharing_consent, _("data sharing")),
            )
            if flag
        ]
        when = date_format(person.consent_date, "SHORT_DATE_FORMAT") if person.consent_date else ""
        return " · ".join([", ".join(given) or _("none"), when]).strip(" ·")
    if key == "date_of_birth":
        shown = date_format(person.date_of_birth, "SHORT_DATE_FORMAT")
        return f"{shown} ({_('estimated')})" if person.dob_estimated else shown
    if key == "nationality":
        return country_name(person.nationality)
    if key in ("sex", "population_group"):
        return getattr(person, f"get_{key}_display")()
    return getattr(person, key) or ""


def _row(key: str, label, first: str, second: str) -> dict:
    differs = first != second
    return {"key": key, "label": label, "first": first, "second": second, "differs": differs}


def _comparison(pair: CandidatePair, user) -> list[dict]:
    rows = []
    for key in actions.CHOICES:
        label = actions.CHOICE_LABELS.get(key) or Individual._meta.get_field(key).verbose_name
        first, second = _value(pair.first, key), _value(pair.second, key)
        rows.append(_row(key, label, first, second))
    for label, read in (
        (_("documents"), lambda p: ", ".join(str(d) for d in p.documents.all())),
        (
            _("specific needs"),
            lambda p: ", ".join(
                registry_queries.need_names(registry_queries.needs_visible_to(user, p))
            ),
        ),
        (_("languages"), lambda p: ", ".join(language_name(code) for code in p.languages)),
        (_("other names"), lambda p: p.other_names),
    ):
        first, second = read(pair.first), read(pair.second)
        rows.append(_row("", label, first, second))
    return rows


def _pair_page(request, pair: CandidatePair, form: MergeForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "dedup/pair.html",
        {
            "pair": pair,
            "rows": _comparison(pair, request.user),
            "reasons": words.reasons(pair.reasons),
            "others": queries.cluster_of(pair, request.user),
            "decision": queries.decision_on(pair.first, pair.second),
            "sides": [("first", pair.first), ("second", pair.second)],
            "keep": form.data.get("keep", "first") if form.is_bound else "first",
            "form": form,
        },
        status=status,
    )


@login_required
def pair_page(request: AuthenticatedRequest, pair_id: int) -> HttpResponse:
    access.require(request.user, "dedup.review")
    pair = queries.get_pair_for(request.user, pair_id)
    for person in (pair.first, pair.second):
        audit.record_view(request=request, target=person)
    return _pair_page(request, pair, MergeForm())


@login_required
@require_POST
def pair_merge(request: AuthenticatedRequest, pair_id: int) -> HttpResponse:
    access.require(request.user, "dedup.review")
    pair = queries.get_pair_for(request.user, pair_id)
    form = MergeForm(request.POST)
    if form.is_valid():
        keep_first = form.cleaned_data["keep"] == "first"
        survivor, merged = (pair.first, pair.second) if keep_first else (pair.second, pair.first)
        with errors_on(form):
            actions.merge(
                actor=request.user,
                survivor_id=survivor.uuid,
                merged_id=merged.uuid,
                choices=form.choices(),
                request=request,
            )
            messages.success(request, _("Records merged: %(name)s.") % {"name": survivor})
            return redirect("registry:individual", survivor.uuid)
    return _pair_page(request, pair, form, status=400)


@login_required
@require_POST
def pair_decide(request: AuthenticatedRequest, pair_id: int) -> HttpResponse:
    access.require(request.user, "dedup.review")
    pair = queries.get_pair_for(request.user, pair_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose “different people” or “not sure”."))
        return _pair_page(request, pair, MergeForm(), status=400)
    actions.decide(
        actor=request.user, pair=pair, verdict=form.cleaned_data["verdict"], request=request
    )
    messages.success(request, _("Decision saved."))
    return redirect("dedup:queue")


@login_required
def merges(request: AuthenticatedRequest) -> HttpResponse:
    access.require(request.user, "dedup.undo")
    page = Paginator(queries.merges_visible_to(request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "dedup/merges.html",
        {"page": page, "show_names": access.can(request.user, "registry.view")},
    )


@login_required
@require_POST
def merge_undo(request: AuthenticatedRequest, merge_id) -> HttpResponse:
    access.require(request.user, "dedup.undo")
    record = queries.get_merge_for(request.user, merge_id)
    try:
        actions.undo_merge(actor=request.user, merge_record=record, request=request)
    except ActionError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The merge was undone: both records are back."))
    return redirect("dedup:merges")
