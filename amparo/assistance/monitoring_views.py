"""Reconciliation and monitoring screens: a cycle's reconciliation (and its CSV), closing it,
reversing a delivery, cancelling an entitlement; the post-distribution monitoring sample and
its surveys. Thin: parse → access → query or act → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.assistance import actions, queries, queries_monitoring
from amparo.assistance.exports import reconciliation_csv
from amparo.assistance.models import Cycle
from amparo.assistance.monitoring_forms import ReasonForm, SampleForm, SurveyForm
from amparo.core import access, audit
from amparo.core.errors import ActionError
from amparo.core.forms import errors_on


@login_required
def reconciliation_list(request: HttpRequest) -> HttpResponse:
    """The cycles the user may reconcile, newest first."""
    access.require_any(request.user, queries_monitoring.RECONCILE)
    cycles = queries_monitoring.cycles_reconcilable_by(request.user)[:100]
    return render(request, "assistance/reconciliation_list.html", {"cycles": cycles})


@login_required
def reconciliation(request: HttpRequest, cycle_id) -> HttpResponse:
    """A cycle's reconciliation (audited: it names collectors and households); `?format=csv`
    downloads it; `?q=` finds a household's entitlement to reverse or cancel."""
    user = request.user
    cycle = queries_monitoring.get_reconcilable_cycle_for(user, cycle_id)
    rec = queries_monitoring.reconciliation(user, cycle)
    if request.GET.get("format") == "csv":
        audit.record(
            actor=user,
            action="assistance.cycle.reconciliation_exported",
            target=cycle,
            request=request,
        )
        response = HttpResponse(reconciliation_csv(rec), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="reconciliation-{cycle.uuid}.csv"'
        response["Cache-Control"] = "no-store"
        return response
    audit.record(actor=user, action="assistance.cycle.reconciled", target=cycle, request=request)
    may_manage = access.can(user, "assistance.manage")
    reference = request.GET.get("q", "").strip()[:32]
    found = []
    if may_manage and reference:
        found = list(
            queries.entitlements_visible_to(user)
            .filter(cycle=cycle, household__reference__icontains=reference)
            .order_by("household__reference", "pk")[:10]
        )
    context = {
        "cycle": cycle,
        "rec": rec,
        "may_manage": may_manage,
        "q": reference,
        "found": found,
        "sample": queries_monitoring.monitoring_sample_of(user, cycle),
    }
    return render(request, "assistance/reconciliation.html", context)


def _back(cycle: Cycle, reference: str = "") -> str:
    url = reverse("assistance:reconciliation", args=[cycle.uuid])
    return f"{url}?{urlencode({'q': reference})}" if reference else url


def _refused(request: HttpRequest, refused: ActionError) -> None:
    for message in refused.messages:
        messages.error(request, message)


@login_required
@require_POST
def close_cycle(request: HttpRequest, cycle_id) -> HttpResponse:
    access.require(request.user, "assistance.manage")
    cycle = queries.get_cycle_for(request.user, cycle_id)
    try:
        actions.close_cycle(actor=request.user, cycle=cycle, request=request)
    except ActionError as refused:
        _refused(request, refused)
    else:
        messages.success(request, _("Cycle closed: no more deliveries."))
    return redirect(_back(cycle))


@login_required
@require_POST
def reverse_delivery(request: HttpRequest, delivery_id) -> HttpResponse:
    delivery = queries_monitoring.get_managed_delivery_for(request.user, delivery_id)
    entitlement = delivery.entitlement
    back = _back(entitlement.cycle, entitlement.household.reference)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the delivery is reversed."))
        return redirect(back)
    try:
        actions.reverse_delivery(
            actor=request.user,
            delivery=delivery,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ActionError as refused:
        _refused(request, refused)
    else:
        messages.success(
            request,
            _("Delivery to %(reference)s reversed: the household can receive it again.")
            % {"reference": entitlement.household.reference},
        )
    return redirect(back)


@login_required
@require_POST
def cancel_entitlement(request: HttpRequest, entitlement_id) -> HttpResponse:
    entitlement = queries_monitoring.get_managed_entitlement_for(request.user, entitlement_id)
    back = _back(entitlement.cycle, entitlement.household.reference)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the entitlement is cancelled."))
        return redirect(back)
    try:
        actions.cancel_entitlement(
            actor=request.user,
            entitlement=entitlement,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ActionError as refused:
        _refused(request, refused)
    else:
        messages.success(request, _("Entitlement cancelled."))
    return redirect(back)


@login_required
def monitoring(request: HttpRequest, cycle_id) -> HttpResponse:
    """The cycle's post-distribution monitoring: draw the sample (POST), then its surveys and
    a summary of the answers."""
    user = request.user
    access.require(user, "assistance.manage")
    cycle = queries.get_cycle_for(user, cycle_id)
    form = SampleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            actions.draw_monitoring_sample(
                actor=user,
                cycle=cycle,
                size=form.cleaned_data["size"],
                percent=form.cleaned_data["percent"],
                by_day=form.cleaned_data["by_day"],
                request=request,
            )
            messages.success(request, _("Households drawn."))
            return redirect("assistance:monitoring", cycle.uuid)
    sample = queries_monitoring.monitoring_sample_of(user, cycle)
    context: dict = {"cycle": cycle, "sample": sample, "form": form}
    if sample is not None:
        surveys = queries_monitoring.monitoring_surveys_visible_to(user).filter(sample=sample)
        context["surveys"] = surveys
        context["summary"] = queries_monitoring.monitoring_summary(surveys)
        audit.record(
            actor=user, action="assistance.monitoring_sample.viewed", target=sample, request=request
        )
    status = 400 if form.errors else 200
    return render(request, "assistance/monitoring.html", context, status=status)


@login_required
def survey(request: HttpRequest, survey_id) -> HttpResponse:
    """One sampled household's survey: read (audited) and record its answers."""
    user = request.user
    item = queries_monitoring.get_monitoring_survey_for(user, survey_id)
    initial = None
    if item.answered_at is not None:
        initial = {
            "satisfaction": item.satisfaction,
            "uses": item.uses,
            "problems": item.problems,
            "problem_details": item.problem_details,
            "felt_safe": "yes" if item.felt_safe else "no",
            "complaint": item.complaint,
        }
    form = SurveyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            actions.record_survey(actor=user, survey=item, request=request, **form.cleaned_data)
            messages.success(request, _("Survey recorded."))
            return redirect("assistance:monitoring", item.sample.cycle.uuid)
    elif request.method != "POST":
        audit.record(
            actor=user, action="assistance.monitoring_survey.viewed", target=item, request=request
        )
    status = 400 if form.errors else 200
    return render(request, "assistance/survey.html", {"survey": item, "form": form}, status=status)
