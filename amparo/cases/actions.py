"""Every write to cases. One transaction each; the audit event in the same function.

Each action checks its own rights: the permission (404 when missing), and that the case is one
the actor may see (404 otherwise). Bad input raises `ActionError` with messages by field, before
anything is written. Audit details never hold narrative text.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.cases import queries
from amparo.cases.models import (
    HIGH_RISK,
    PLANNABLE_SERVICES,
    Approval,
    Case,
    CaseNote,
    CasePlan,
    CaseState,
    CaseType,
    ClosureReason,
    FollowUp,
    GBVService,
    GBVTeamMember,
    Incident,
    IncidentContext,
    IncidentType,
    PlanAction,
    RiskLevel,
    Transfer,
)
from amparo.core import access, audit
from amparo.core.errors import ActionError, Errors
from amparo.core.models import Area, Office, User
from amparo.registry.models import Individual, ReferenceCounter
from amparo.registry.queries import individuals_visible_to
from amparo.registry.regions import office_region

MAX_TEXT = 20_000
# Forward steps a caseworker takes; closing needs a supervisor (`request_closure`, `decide`).
FORWARD = {
    CaseState.INTAKE: CaseState.ASSESSMENT,
    CaseState.ASSESSMENT: CaseState.CASE_PLAN,
    CaseState.CASE_PLAN: CaseState.IMPLEMENTATION,
}


def _check_team(actor: User, case: Case, permission: str = "cases.manage") -> Case:
    """404 unless the actor holds `permission` and is on the case's team; returns it locked."""
    access.require(actor, permission)
    return access.get_visible(
        queries.cases_visible_to(actor).select_for_update(of=("self",)), pk=case.pk
    )


def _check_open(case: Case) -> None:
    if case.is_closed:
        raise ActionError.general(_("This case is closed. Reopen it first."))


def _check_text(field: str, text: str, *, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ActionError.on(field, _("This field is required."))
    if len(text) > MAX_TEXT:
        raise ActionError.on(field, _("Keep this under %(max)d characters.") % {"max": MAX_TEXT})
    return text


def _check_not_future(field: str, value: date) -> None:
    if value > timezone.localdate():
        raise ActionError.on(field, _("This date is in the future."))


def next_reference(organization_id: int, code: str, letter: str) -> str:
    """The next number for cases ("C") or referrals ("R") of an office (by its code), per year."""
    year = timezone.localdate().year
    prefix = f"{letter}-{code.replace('-', '')[:3].upper()}-{year}"
    counter, _created = ReferenceCounter.objects.get_or_create(
        organization_id=organization_id, prefix=prefix
    )
    counter = ReferenceCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{counter.last:05d}"


def _may_hold_case(user: User, office: Office, restricted: bool) -> bool:
    return (
        user.is_active
        and user.organization_id == office.organization_id
        and access.can(user, "cases.manage")
        and (not user.office_bound or user.office_id == office.pk)
        and (not restricted or queries.is_on_gbv_team(user, office.pk))
    )


@transaction.atomic
def open_case(
    *,
    actor: User,
    individuals: list[Individual],
    type: str,
    risk_level: str,
    summary: str = "",
    psea_related: bool = False,
    opened_on: date | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Open a case for one or more people of one household, owned by the actor in their office."""
    access.require(actor, "cases.manage")
    if type not in CaseType.values:
        raise ActionError.on("type", _("Choose a case type."))
    if risk_level not in RiskLevel.values:
        raise ActionError.on("risk_level", _("Choose a risk level."))
    if not individuals:
        raise ActionError.on("individuals", _("Choose at least one person."))
    ids = {p.pk for p in individuals}
    people = list(individuals_visible_to(actor).filter(pk__in=ids))
    if len(people) != len(ids):
        raise ActionError.on("individuals", _("One of these people is not in your registry."))
    if len({p.household_id for p in people}) > 1:
        raise ActionError.on("individuals", _("All people of a case must belong to one household."))
    office = actor.office
    if office is None:
        raise ActionError.general(_("Your account has no office: ask an administrator."))
    restricted = type == CaseType.GBV or psea_related
    if restricted and not queries.is_on_gbv_team(actor, office.pk):
        raise ActionError.on(
            "type",
            _("Only the GBV team of your office can open GBV or PSEA-related cases."),
        )
    opened_on = opened_on or timezone.localdate()
    _check_not_future("opened_on", opened_on)
    case = Case.objects.create(
        organization_id=office.organization_id,
        office=office,
        reference=next_reference(office.organization_id, office.code, "C"),
        type=type,
        restricted=restricted,
        psea_related=psea_related,
        risk_level=risk_level,
        household_id=people[0].household_id,
        owner=actor,
        summary=_check_text("summary", summary),
        opened_on=opened_on,
    )
    case.individuals.set(people)
    audit.record(
        actor=actor,
        action="cases.case.opened",
        target=case,
        request=request,
        details={"type": type, "risk_level": risk_level, "people": len(people)},
    )
    return case


@transaction.atomic
def update_case(
    *, actor: User, case: Case, risk_level: str, summary: str, request: HttpRequest | None = None
) -> Case:
    case = _check_team(actor, case)
    _check_open(case)
    if risk_level not in RiskLevel.values:
        raise ActionError.on("risk_level", _("Choose a risk level."))
    summary = _check_text("summary", summary)
    changed = [
        f for f, v in (("risk_level", risk_level), ("summary", summary)) if getattr(case, f) != v
    ]
    case.risk_level, case.summary = risk_level, summary
    case.save(update_fields=["risk_level", "summary", "updated_at"])
    _plan_approval_follows_risk(actor, case)
    audit.record(
        actor=actor, action="cases.case.changed", target=case, fields=changed, request=request
    )
    return case


@transaction.atomic
def advance(*, actor: User, case: Case, request: HttpRequest | None = None) -> Case:
    """Move the case one step on: intake → assessment → case plan → implementation."""
    case = _check_team(actor, case)
    _check_open(case)
    target = FORWARD.get(case.state)
    if target is None:
        raise ActionError.general(_("This case is already in implementation and follow-up."))
    if target == CaseState.IMPLEMENTATION:
        plan = CasePlan.objects.filter(case=case).first()
        if plan is None or not plan.goals:
            raise ActionError.general(_("Write the case plan's goals before implementation."))
        if case.risk_level in HIGH_RISK and plan.approved_at is None:
            raise ActionError.general(
                _("The plan of a high-risk case needs a supervisor's approval first.")
            )
    before = case.state
    case.state = target
    case.save(update_fields=["state", "updated_at"])
    audit.record(
        actor=actor,
        action="cases.case.advanced",
        target=case,
        fields=["state"],
        request=request,
        details={"from": before, "to": target},
    )
    return case


@transaction.atomic
def save_plan(
    *,
    actor: User,
    case: Case,
    needs: str,
    goals: str,
    services_planned: list[str],
    request: HttpRequest | None = None,
) -> CasePlan:
    """Write the assessment and plan. A high-risk case's plan goes to a supervisor for approval."""
    case = _check_team(actor, case)
    _check_open(case)
    needs = _check_text("needs", needs, required=True)
    goals = _check_text("goals", goals, required=True)
    unknown = set(services_planned) - PLANNABLE_SERVICES.keys()
    if unknown:
        raise ActionError.on("services_planned", _("Choose services from the list."))
    plan, created = CasePlan.objects.get_or_create(case=case)
    plan.needs, plan.goals, plan.services_planned = needs, goals, sorted(set(services_planned))
    # An approval covers the plan as it was: any change needs a new one (for high risk).
    plan.approved_by, plan.approved_at = None, None
    plan.save()
    needs_approval = case.risk_level in HIGH_RISK
    if needs_approval:
        Approval.objects.update_or_create(
            case=case,
            kind=Approval.Kind.PLAN,
            decision=Approval.Decision.PENDING,
            defaults={"requested_by": actor},
        )
    audit.record(
        actor=actor,
        action="cases.plan.written" if created else "cases.plan.changed",
        target=case,
        fields=["needs", "goals", "services_planned"],
        request=request,
        details={"approval_requested": needs_approval},
    )
    return plan


def _plan_approval_follows_risk(actor: User, case: Case) -> None:
    """A plan of a case that became high-risk goes to a supervisor; one that no longer is
    withdraws its waiting request."""
    plan = CasePlan.objects.filter(case=case).first()
    pending = Approval.objects.filter(case=case, kind=Approval.Kind.PLAN, decision="pending")
    if case.risk_level in HIGH_RISK:
        if plan is not None and plan.approved_at is None and not pending.exists():
            Approval.objects.create(case=case, kind=Approval.Kind.PLAN, requested_by=actor)
    elif pending.exists():
        pending.delete()
        audit.record(actor=actor, action="cases.plan.approval_withdrawn", target=case)


@transaction.atomic
def add_plan_action(
    *,
    actor: User,
    case: Case,
    description: str,
    responsible: User,
    due_date: date,
    request: HttpRequest | None = None,
) -> PlanAction:
    case = _check_team(actor, case)
    _check_open(case)
    plan = CasePlan.objects.filter(case=case).first()
    if plan is None:
        raise ActionError.general(_("Write the case plan first."))
    description = _check_text("description", description, required=True)
    if responsible.organization_id != case.organization_id or not responsible.is_active:
        raise ActionError.on("responsible", _("Choose an active colleague of your organization."))
    if case.restricted and not queries.is_on_gbv_team(responsible, case.office_id):
        raise ActionError.on("responsible", _("Choose a member of the office's GBV team."))
    action = PlanAction.objects.create(
        plan=plan, description=description, responsible=responsible, due_date=due_date
    )
    audit.record(actor=actor, action="cases.plan_action.added", target=case, request=request)
    return action


@transaction.atomic
def complete_plan_action(
    *, actor: User, action: PlanAction, request: HttpRequest | None = None
) -> PlanAction:
    case = _check_team(actor, action.plan.case)
    _check_open(case)
    if action.done_on is not None:
        raise ActionError.general(_("This action is already done."))
    action.done_on = timezone.localdate()
    action.save(update_fields=["done_on"])
    audit.record(actor=actor, action="cases.plan_action.done", target=case, request=request)
    return action


@transaction.atomic
def add_follow_up(
    *,
    actor: User,
    case: Case,
    date: date,
    kind: str,
    notes: str = "",
    next_date: date | None = None,
    request: HttpRequest | None = None,
) -> FollowUp:
    case = _check_team(actor, case)
    _check_open(case)
    if kind not in FollowUp.Kind.values:
        raise ActionError.on("kind", _("Choose visit, call or session."))
    _check_not_future("date", date)
    if next_date is not None and next_date < date:
        raise ActionError.on("next_date", _("The next follow-up must be after this one."))
    follow_up = FollowUp.objects.create(
        case=case,
        date=date,
        kind=kind,
        notes=_check_text("notes", notes),
        next_date=next_date,
        author=actor,
    )
    audit.record(
        actor=actor,
        action="cases.follow_up.added",
        target=case,
        request=request,
        details={"kind": kind},
    )
    return follow_up


@transaction.atomic
def add_note(*, actor: User, case: Case, text: str, request: HttpRequest | None = None) -> CaseNote:
    case = _check_team(actor, case)
    note = CaseNote.objects.create(
        case=case, text=_check_text("text", text, required=True), author=actor
    )
    audit.record(actor=actor, action="cases.note.added", target=case, request=request)
    return note


@transaction.atomic
def request_closure(
    *, actor: User, case: Case, reason: str, request: HttpRequest | None = None
) -> Approval:
    """Ask a supervisor to close the case. The case stays open until they approve."""
    case = _check_team(actor, case)
    _check_open(case)
    if reason not in ClosureReason.values:
        raise ActionError.on("reason", _("Choose why the case closes."))
    if Approval.objects.filter(case=case, kind=Approval.Kind.CLOSURE, decision="pending").exists():
        raise ActionError.general(_("A closure request is already waiting for a supervisor."))
    approval = Approval.objects.create(
        case=case, kind=Approval.Kind.CLOSURE, closure_reason=reason, requested_by=actor
    )
    audit.record(
        actor=actor,
        action="cases.closure.requested",
        target=case,
        request=request,
        details={"reason": reason},
    )
    return approval


@transaction.atomic
def decide(
    *,
    actor: User,
    approval: Approval,
    approve: bool,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Approval:
    """A supervisor approves or returns a closure or a high-risk plan. Nobody decides their own
    request."""
    case = _check_team(actor, approval.case, "cases.supervise")
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    if actor.office_id != case.office_id:
        raise ActionError.general(_("A supervisor of the case's office decides."))
    _check_open(case)
    if approval.decision != Approval.Decision.PENDING:
        raise ActionError.general(_("This request has already been decided."))
    if approval.requested_by_id == actor.pk:
        raise ActionError.general(_("Another supervisor must decide on your own request."))
    now = timezone.now()
    approval.decision = Approval.Decision.APPROVED if approve else Approval.Decision.REJECTED
    approval.decided_by, approval.decided_at = actor, now
    approval.comment = _check_text("comment", comment, required=not approve)
    approval.save()
    if approve and approval.kind == Approval.Kind.CLOSURE:
        case.state, case.closed_on = CaseState.CLOSED, timezone.localdate()
        case.closure_reason = approval.closure_reason
        case.save(update_fields=["state", "closed_on", "closure_reason", "updated_at"])
    if approve and approval.kind == Approval.Kind.PLAN:
        CasePlan.objects.filter(case=case).update(approved_by=actor, approved_at=now)
    audit.record(
        actor=actor,
        action=f"cases.{approval.kind}.{approval.decision}",
        target=case,
        request=request,
    )
    return approval


@transaction.atomic
def reopen(*, actor: User, case: Case, reason: str, request: HttpRequest | None = None) -> Case:
    case = _check_team(actor, case)
    if not case.is_closed:
        raise ActionError.general(_("This case is open."))
    reason = _check_text("reason", reason, required=True)
    case.state, case.closed_on, case.closure_reason = CaseState.ASSESSMENT, None, ""
    case.save(update_fields=["state", "closed_on", "closure_reason", "updated_at"])
    CaseNote.objects.create(
        case=case, text=_("Case reopened: %(reason)s") % {"reason": reason}, author=actor
    )
    audit.record(actor=actor, action="cases.case.reopened", target=case, request=request)
    return case


@transaction.atomic
def transfer(
    *,
    actor: User,
    case: Case,
    to_owner: User,
    reason: str,
    request: HttpRequest | None = None,
) -> Transfer:
    """Give the case to another caseworker (in their office). The caseworker or a supervisor
    may do it; the trail of earlier owners stays."""
    case = _check_team(actor, case)
    _check_open(case)
    if case.owner_id != actor.pk and not access.can(actor, "cases.supervise"):
        raise ActionError.general(_("Only the caseworker or a supervisor can transfer a case."))
    reason = _check_text("reason", reason, required=True)
    if to_owner.pk == case.owner_id:
        raise ActionError.on("to_owner", _("This person already holds the case."))
    to_office = to_owner.office
    if to_office is None or not _may_hold_case(to_owner, to_office, case.restricted):
        message = (
            _("Choose a member of the GBV team of an office.")
            if case.restricted
            else _("Choose a caseworker of your organization with an office.")
        )
        raise ActionError.on("to_owner", message)
    record = Transfer.objects.create(
        case=case,
        from_owner_id=case.owner_id,
        to_owner=to_owner,
        from_office_id=case.office_id,
        to_office=to_office,
        reason=reason,
        by=actor,
    )
    case.owner, case.office = to_owner, to_office
    case.save(update_fields=["owner", "office", "updated_at"])
    audit.record(
        actor=actor,
        action="cases.case.transferred",
        target=case,
        fields=["owner", "office"],
        request=request,
        details={"office_changed": record.from_office_id != record.to_office_id},
    )
    return record


@transaction.atomic
def add_member(*, actor: User, case: Case, user: User, request: HttpRequest | None = None) -> None:
    case = _check_team(actor, case)
    _check_open(case)
    if not _may_hold_case(user, case.office, case.restricted):
        message = (
            _("Only members of the office's GBV team can join this case.")
            if case.restricted
            else _("Choose a colleague of this office who works on cases.")
        )
        raise ActionError.on("user", message)
    case.members.add(user)
    audit.record(actor=actor, action="cases.member.added", target=case, request=request)


@transaction.atomic
def remove_member(
    *, actor: User, case: Case, user: User, request: HttpRequest | None = None
) -> None:
    case = _check_team(actor, case)
    case.members.remove(user)
    audit.record(actor=actor, action="cases.member.removed", target=case, request=request)


def _incident_values(data: dict) -> dict:
    errors = Errors()
    bad = errors.add

    today = timezone.localdate()
    incident_date, report_date = data.get("incident_date"), data.get("report_date")
    if not isinstance(incident_date, date):
        bad("incident_date", _("Enter the date of the incident."))
    elif incident_date > today:
        bad("incident_date", _("This date is in the future."))
    if not isinstance(report_date, date):
        bad("report_date", _("Enter the date of the report."))
    elif report_date > today:
        bad("report_date", _("This date is in the future."))
    elif isinstance(incident_date, date) and report_date < incident_date:
        bad("report_date", _("The report cannot come before the incident."))
    if not isinstance(data.get("area"), Area):
        bad("area", _("Choose where it happened."))
    choices = {
        "type": IncidentType.values,
        "context": IncidentContext.values,
        "perpetrator_sex": Incident.PerpetratorSex.values,
        "perpetrator_age_group": [
            c for c, _label in Incident._meta.get_field("perpetrator_age_group").choices
        ],
        "perpetrator_relationship": [
            c for c, _label in Incident._meta.get_field("perpetrator_relationship").choices
        ],
    }
    for field, allowed in choices.items():
        if data.get(field) not in allowed:
            bad(field, _("Choose a value from the list."))
    count = data.get("perpetrator_count")
    if not isinstance(count, int) or not 1 <= count <= 99:
        bad("perpetrator_count", _("Enter a number from 1 to 99."))
    for field in ("services_received", "referral_consent"):
        if set(data.get(field) or []) - set(GBVService.values):
            bad(field, _("Choose services from the list."))
    if len(data.get("account") or "") > MAX_TEXT:
        bad("account", _("Keep this under %(max)d characters.") % {"max": MAX_TEXT})
    errors.raise_if_any()
    return {
        "incident_date": incident_date,
        "report_date": report_date,
        "area": data["area"],
        "type": data["type"],
        "context": data["context"],
        "account": (data.get("account") or "").strip(),
        "perpetrator_count": count,
        "perpetrator_sex": data["perpetrator_sex"],
        "perpetrator_age_group": data["perpetrator_age_group"],
        "perpetrator_relationship": data["perpetrator_relationship"],
        "services_received": sorted(set(data.get("services_received") or [])),
        "referral_consent": sorted(set(data.get("referral_consent") or [])),
    }


@transaction.atomic
def record_incident(
    *,
    actor: User,
    case: Case,
    data: dict,
    incident: Incident | None = None,
    request: HttpRequest | None = None,
) -> Incident:
    """Record (or correct) a GBV incident of a GBV case, with the GBVIMS core fields."""
    case = _check_team(actor, case, "cases.gbv")
    if case.type != CaseType.GBV:
        raise ActionError.general(_("Incidents are recorded on GBV cases."))
    values = _incident_values(data)
    if values["area"].country_code != office_region(case.office):
        raise ActionError.on("area", _("Choose a place in the office's country."))
    if incident is None:
        incident = Incident.objects.create(case=case, recorded_by=actor, **values)
        verb = "recorded"
    else:
        if incident.case_id != case.pk:
            raise ActionError.general(_("This incident belongs to another case."))
        for field, value in values.items():
            setattr(incident, field, value)
        incident.save()
        verb = "changed"
    audit.record(
        actor=actor,
        action=f"cases.incident.{verb}",
        target=incident,
        fields=sorted(values),
        request=request,
        organization_id=case.organization_id,
    )
    return incident


@transaction.atomic
def add_to_gbv_team(
    *, actor: User, office: Office, user: User, request: HttpRequest | None = None
) -> GBVTeamMember:
    """An administrator puts a GBV specialist on an office's GBV team (without reading files)."""
    access.require(actor, "core.manage_users")
    if not actor.is_superuser and office.organization_id != actor.organization_id:
        raise Http404
    if user.organization_id != office.organization_id or not access.can(user, "cases.gbv"):
        raise ActionError.on("user", _("Choose a GBV specialist of this organization."))
    if user.pk == actor.pk:
        raise ActionError.on("user", _("Another administrator must add you to a GBV team."))
    if user.office_bound and user.office_id != office.pk:
        raise ActionError.on("user", _("This person works in another office."))
    member, _created = GBVTeamMember.objects.get_or_create(office=office, user=user)
    audit.record(
        actor=actor,
        action="cases.gbv_team.added",
        target=user,
        request=request,
        organization_id=office.organization_id,
        details={"office": office.code},
    )
    return member


@transaction.atomic
def remove_from_gbv_team(
    *, actor: User, office: Office, user: User, request: HttpRequest | None = None
) -> None:
    access.require(actor, "core.manage_users")
    if not actor.is_superuser and office.organization_id != actor.organization_id:
        raise Http404
    GBVTeamMember.objects.filter(office=office, user=user).delete()
    audit.record(
        actor=actor,
        action="cases.gbv_team.removed",
        target=user,
        request=request,
        organization_id=office.organization_id,
        details={"office": office.code},
    )
