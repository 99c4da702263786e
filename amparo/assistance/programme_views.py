"""Programme screens for those who plan assistance (`assistance.manage`): projects, targeting
rules with their preview and exceptions, opening a cycle, a cycle's page. Thin: parse → access
→ query or act → render. Everyone else gets 404."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.assistance import actions, queries_indicators, targeting
from amparo.assistance import queries_targeting as queries
from amparo.assistance.models import TargetingRule
from amparo.assistance.programme_forms import (
    CycleForm,
    ExceptionForm,
    IndicatorForm,
    ProjectForm,
    RuleForm,
)
from amparo.core import access, audit
from amparo.core.errors import ActionError
from amparo.core.forms import errors_on, show_errors
from amparo.core.http import AuthenticatedRequest
from amparo.core.queries import offices_in_scope

MANAGE = queries.MANAGE


@login_required
def project_list(request: AuthenticatedRequest) -> HttpResponse:
    access.require(request.user, MANAGE)
    projects = queries.managed_projects(request.user)
    return render(request, "assistance/projects.html", {"projects": projects})


@login_required
def project_new(request: AuthenticatedRequest) -> HttpResponse:
    access.require(request.user, MANAGE)
    offices = offices_in_scope(request.user)
    form = ProjectForm(request.POST or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_on(form):
            project = actions.create_project(actor=request.user, request=request, **data)
            messages.success(request, _("Project created."))
            return redirect("assistance:project", project.uuid)
    status = 400 if form.errors else 200
    return render(request, "assistance/project_new.html", {"form": form}, status=status)


@login_required
def project_detail(request: AuthenticatedRequest, project_id) -> HttpResponse:
    project = queries.get_managed_project(request.user, project_id)
    return _project_page(request, project, IndicatorForm())


def _project_page(request, project, indicator_form, status=200) -> HttpResponse:
    context = {
        "project": project,
        "rules": project.rules.order_by("name"),
        "cycles": queries.managed_cycles(request.user).filter(project=project),
        "progress": queries_indicators.project_progress(request.user, project),
        "indicator_form": indicator_form,
    }
    return render(request, "assistance/project.html", context, status=status)


@login_required
@require_POST
def indicator_add(request: AuthenticatedRequest, project_id) -> HttpResponse:
    """Add an indicator (a target) to the project; its progress shows on the project page."""
    project = queries.get_managed_project(request.user, project_id)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        with errors_on(form):
            actions.add_project_indicator(
                actor=request.user, project=project, request=request, **form.cleaned_data
            )
            messages.success(request, _("Indicator added."))
            return redirect("assistance:project", project.uuid)
    return _project_page(request, project, form, status=400)


@login_required
@require_POST
def indicator_remove(request: AuthenticatedRequest, indicator_id) -> HttpResponse:
    indicator = queries_indicators.get_indicator_for(request.user, indicator_id)
    project = indicator.project
    actions.remove_project_indicator(actor=request.user, indicator=indicator, request=request)
    messages.success(request, _("Indicator removed."))
    return redirect("assistance:project", project.uuid)


def _rule_page(request, project, rule, form, preview=None, status=200, exception_form=None):
    context = {
        "project": project,
        "rule": rule,
        "form": form,
        "preview": preview,
        "exception_form": exception_form or (ExceptionForm() if rule else None),
        "exceptions": rule.exceptions.select_related("household") if rule else [],
        "fields": targeting.OPS,
        "described": [targeting.describe(c) for c in rule.criteria] if rule else [],
    }
    return render(request, "assistance/rule.html", context, status=status)


def _preview(request, rule: TargetingRule, offices) -> targeting.Preview:
    """Count what `rule` would entitle at `offices` today; the sample of references it shows is
    a view of households, so it is audited (on a saved rule, the rule is the target)."""
    shown = targeting.preview(rule, offices, timezone.localdate())
    audit.record(
        actor=request.user,
        action="assistance.rule.previewed",
        target=rule if rule.pk else rule.project,
        request=request,
        details={"households": len(shown.sample)},
    )
    return shown


@login_required
def rule_edit(request: AuthenticatedRequest, project_id, rule_id=None) -> HttpResponse:
    """Write or change a rule; "Preview" counts without saving anything."""
    project = queries.get_managed_project(request.user, project_id)
    rule = None
    if rule_id is not None:
        rule = queries.get_rule_for(request.user, rule_id)
        if rule.project_id != project.pk:
            return redirect("assistance:rule", rule.project.uuid, rule.uuid)
    form = RuleForm(request.POST or None, initial=_rule_initial(rule) if rule else None)
    if request.method != "POST":
        return _rule_page(request, project, rule, form)
    if not form.is_valid():
        return _rule_page(request, project, rule, form, status=400)
    data = form.cleaned_data
    offices = queries.project_offices_for(request.user, project)
    if "preview" in request.POST:
        try:
            criteria, threshold = targeting.clean_criteria(data["criteria"], data["threshold"])
        except ActionError as refused:
            show_errors(form, refused.errors)
            return _rule_page(request, project, rule, form, status=400)
        draft = TargetingRule(
            pk=rule.pk if rule else None,
            organization_id=project.organization_id,
            project=project,
            name=data["name"],
            criteria=criteria,
            threshold=threshold,
        )
        return _rule_page(request, project, rule, form, preview=_preview(request, draft, offices))
    with errors_on(form):
        if rule is None:
            rule = actions.create_rule(
                actor=request.user,
                project=project,
                name=data["name"],
                criteria=data["criteria"],
                threshold=data["threshold"],
                request=request,
            )
        else:
            actions.change_rule(
                actor=request.user,
                rule=rule,
                name=data["name"],
                criteria=data["criteria"],
                threshold=data["threshold"],
                request=request,
            )
        messages.success(request, _("Targeting rule saved."))
        return redirect("assistance:rule", project.uuid, rule.uuid)
    return _rule_page(request, project, rule, form, status=400)


@login_required
def rule_exception(request: AuthenticatedRequest, project_id, rule_id) -> HttpResponse:
    """A supervisor includes or excludes one household, with a reason."""
    project = queries.get_managed_project(request.user, project_id)
    rule = queries.get_rule_for(request.user, rule_id)
    if request.method != "POST" or rule.project_id != project.pk:
        return redirect("assistance:rule", rule.project.uuid, rule.uuid)
    form = ExceptionForm(request.POST)
    if form.is_valid():
        with errors_on(form):
            actions.add_targeting_exception(
                actor=request.user, rule=rule, request=request, **form.cleaned_data
            )
            messages.success(request, _("Exception recorded."))
            return redirect("assistance:rule", project.uuid, rule.uuid)
    rule_form = RuleForm(initial=_rule_initial(rule))
    return _rule_page(request, project, rule, rule_form, status=400, exception_form=form)


def _rule_initial(rule: TargetingRule) -> dict:
    criteria = json.dumps(rule.criteria, indent=1, ensure_ascii=False)
    return {"name": rule.name, "criteria": criteria, "threshold": rule.threshold}


@login_required
def cycle_new(request: AuthenticatedRequest, project_id) -> HttpResponse:
    """Choose a rule and an office, see the preview, confirm: the cycle opens."""
    project = queries.get_managed_project(request.user, project_id)
    form = CycleForm(
        request.POST or None,
        rules=project.rules.order_by("name"),
        offices=queries.project_offices_for(request.user, project),
        initial={"currency": project.currency},
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "open" not in request.POST:
            preview = _preview(request, data["rule"], [data["office"]])
        else:
            with errors_on(form):
                cycle = actions.open_cycle(
                    actor=request.user, project=project, request=request, **data
                )
                messages.success(request, _("Cycle opened."))
                return redirect("assistance:cycle", cycle.uuid)
    status = 400 if form.errors else 200
    context = {"project": project, "form": form, "preview": preview}
    return render(request, "assistance/cycle_new.html", context, status=status)


@login_required
def cycle_detail(request: AuthenticatedRequest, cycle_id) -> HttpResponse:
    """A cycle's facts and how many of its entitlements are pending and delivered."""
    cycle = queries.get_managed_cycle(request.user, cycle_id)
    context = {"cycle": cycle, "counts": queries.entitlement_counts(cycle)}
    return render(request, "assistance/cycle.html", context)
