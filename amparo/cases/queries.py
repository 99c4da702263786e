"""Every read of cases, already scoped to the case team.

Who is on a case's team:
- an ordinary case: its caseworker (owner), the colleagues explicitly added to it, and the case
  supervisors of its office;
- a restricted case (GBV, or related to sexual exploitation and abuse): only the GBV team of its
  office (`GBVTeamMember`), whatever their other rights — organization administrators and platform
  operators included. They can manage the team; they cannot read the file.
Everybody else gets 404.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from amparo.cases.consent import GBV_CONSENT_FOR
from amparo.cases.models import (
    AdolescentIncapacity,
    Approval,
    Case,
    CaseState,
    ChildConsent,
    ConsentWithdrawal,
    FollowUp,
    GBVTeamMember,
    Incident,
    MonthlyRelease,
    PerpetratorRelationship,
    PlanAction,
    ServiceDecision,
    SurvivorIdentity,
    SurvivorSafety,
)
from amparo.core import access
from amparo.core.models import Area, Office, User


def _team_condition(user: User) -> Q:
    # Uncorrelated subqueries (the user's own membership rows): the planner reads them once
    # instead of probing them per case (see docs/benchmarks.md, "Cases and referrals").
    memberships = Case.members.through.objects.filter(user_id=user.pk).values("case_id")
    ordinary = Q(owner_id=user.pk) | Q(pk__in=memberships)
    if access.can(user, "cases.supervise") and user.office_id:
        ordinary |= Q(office_id=user.office_id)
    condition = Q(restricted=False) & ordinary
    if access.can(user, "cases.gbv"):
        teams = GBVTeamMember.objects.filter(user_id=user.pk).values("office_id")
        condition |= Q(restricted=True, office_id__in=teams)
    return condition


def mine(user: User) -> Q:
    """Cases the user holds or was added to (no join, so no DISTINCT needed)."""
    memberships = Case.members.through.objects.filter(user_id=user.pk).values("case_id")
    return Q(owner_id=user.pk) | Q(pk__in=memberships)


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The cases whose team `user` is on (see the module's docstring)."""
    if not access.can(user, "cases.view"):
        return Case.objects.none()
    qs = access.visible(user, Case.objects.all(), office_field=None)
    return qs.filter(_team_condition(user)).select_related("office", "owner", "household")


def get_case_for(user: User, case_id: UUID | str) -> Case:
    return access.get_visible(cases_visible_to(user), uuid=case_id)


def is_on_gbv_team(user: User, office_id: int) -> bool:
    return (
        access.can(user, "cases.gbv")
        and GBVTeamMember.objects.filter(office_id=office_id, user_id=user.pk).exists()
    )


def gbv_team_offices(user: User) -> list[int]:
    """The offices whose restricted records `user` reads: those of their GBV teams, with the
    right to GBV files (`core.access.restricted_offices` asks this)."""
    if not access.can(user, "cases.gbv"):
        return []
    return list(GBVTeamMember.objects.filter(user_id=user.pk).values_list("office_id", flat=True))


def is_on_any_gbv_team(user: User) -> bool:
    """A GBV team member reads restricted files: core asks them for a second factor."""
    return GBVTeamMember.objects.filter(user_id=user.pk).exists()


def case_page(user: User, case_id: UUID | str) -> Case:
    """One case with everything its page shows (one query per related list)."""
    qs = cases_visible_to(user).prefetch_related(
        "individuals",
        "members",
        "follow_ups__author",
        "notes__author",
        "transfers__from_owner",
        "transfers__to_owner",
        "transfers__to_office",
        "approvals__requested_by",
        "approvals__decided_by",
        "incidents__area",
    )
    return access.get_visible(qs, uuid=case_id)


def plan_of(case: Case):
    """The case's plan with its actions, or None before one is written."""
    from amparo.cases.models import CasePlan

    return (
        CasePlan.objects.filter(case=case)
        .prefetch_related("actions__responsible")
        .select_related("approved_by")
        .first()
    )


def pending_approval(case: Case, kind: str):
    return case.approvals.filter(kind=kind, decision="pending").first()


def _overdue(qs: QuerySet[Case], today: date) -> QuerySet[Case]:
    last_follow_up = FollowUp.objects.filter(case_id=OuterRef("pk")).order_by("-date", "-id")
    late_action = PlanAction.objects.filter(
        plan__case_id=OuterRef("pk"), done_on__isnull=True, due_date__lt=today
    )
    return (
        qs.exclude(state=CaseState.CLOSED)
        .annotate(
            next_follow_up=Subquery(last_follow_up.values("next_date")[:1]),
            has_late_action=Exists(late_action),
        )
        .filter(Q(next_follow_up__lt=today) | Q(has_late_action=True))
        .order_by("next_follow_up", "reference")
    )


def overdue_among(qs: QuerySet[Case], today: date | None = None) -> QuerySet[Case]:
    """The open cases of `qs` with a follow-up date passed or a plan action late (for counts:
    `qs` is the caller's scope)."""
    return _overdue(qs, today or timezone.localdate())


def overdue_for_caseworker(user: User, today: date | None = None) -> QuerySet[Case]:
    """The user's own open cases with a follow-up date passed or a plan action late."""
    today = today or timezone.localdate()
    return _overdue(cases_visible_to(user).filter(owner_id=user.pk), today)


def overdue_for_supervisor(user: User, today: date | None = None) -> QuerySet[Case]:
    """Every overdue open case of the supervisor's office that they may see."""
    if not access.can(user, "cases.supervise") or not user.office_id:
        return Case.objects.none()
    today = today or timezone.localdate()
    return _overdue(cases_visible_to(user).filter(office_id=user.office_id), today)


def approvals_waiting_for(user: User) -> QuerySet[Case]:
    """Cases of the supervisor's office with a closure or plan waiting for their decision."""
    if not access.can(user, "cases.supervise"):
        return Case.objects.none()
    return cases_visible_to(user).filter(approvals__decision="pending").distinct()


def colleagues_for(
    user: User, case: Case | None = None, *, any_office: bool = False
) -> QuerySet[User]:
    """Active colleagues who work on cases: of the case's office (or every office, to transfer);
    for a restricted case, only GBV team members."""
    if user.organization_id is None:
        return User.objects.none()
    qs = User.objects.filter(organization_id=user.organization_id, is_active=True).select_related(
        "role", "office"
    )
    if case is not None and not any_office:
        qs = qs.filter(office_id=case.office_id) | qs.filter(office__isnull=True)
    people = [u for u in qs if access.can(u, "cases.manage") and u.office_id]
    if case is not None and case.restricted:
        team = set(
            GBVTeamMember.objects.filter(user__in=people).values_list("user_id", "office_id")
        )
        people = [u for u in people if (u.pk, u.office_id) in team]
    return User.objects.filter(pk__in=[u.pk for u in people]).order_by("first_name", "last_name")


# What hangs off a case is read through the case, which `get_case_for` already scoped.


def survivor_of(case: Case) -> dict | None:
    """The identity of a walk-in case's survivor (decrypted), or None when the case's people
    are in the registry. `case` comes from `get_case_for`: the GBV team only."""
    if not case.is_walk_in:
        return None
    record = SurvivorIdentity.objects.filter(case=case).first()
    return json.loads(record.details) if record and record.details else None


def survivor_name(identity: dict) -> str:
    return " ".join(
        identity.get(k, "") for k in ("given_names", "first_surname", "second_surname")
    ).strip()


def survivor_age(identity: dict, today: date | None = None) -> int | None:
    if not identity.get("date_of_birth"):
        return None
    today = today or timezone.localdate()
    born = date.fromisoformat(identity["date_of_birth"])
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def get_plan_action_of(case: Case, action_id: int | str) -> PlanAction:
    return access.get_visible(PlanAction.objects.filter(plan__case=case), pk=action_id)


def get_approval_of(case: Case, approval_id: int | str) -> Approval:
    return access.get_visible(Approval.objects.filter(case=case), pk=approval_id)


def get_incident_of(case: Case, incident_id: UUID | str) -> Incident:
    return access.get_visible(Incident.objects.filter(case=case), uuid=incident_id)


def age_of(born: date, today: date | None = None) -> int:
    today = today or timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def survivor_age_in(case: Case, individual=None) -> int | None:
    """The survivor's age today: the registry person's birth date, or the walk-in identity's."""
    if case.is_walk_in:
        return survivor_age(survivor_of(case) or {})
    return age_of(individual.date_of_birth) if individual is not None else None


def perpetrator_is_caregiver(case: Case) -> bool:
    """An incident of the case names the primary caregiver as the alleged perpetrator."""
    return case.incidents.filter(
        perpetrator_relationship=PerpetratorRelationship.CAREGIVER
    ).exists()


def child_consent_for(case: Case, individual=None) -> ChildConsent | None:
    """The newest consent recorded for the child (the walk-in survivor when `individual` is
    None)."""
    return (
        ChildConsent.objects.filter(case=case, individual=individual)
        .order_by("-created_at", "-id")
        .first()
    )


def adolescent_incapacity_for(case: Case, individual=None) -> AdolescentIncapacity | None:
    """The newest record that the adolescent (the walk-in survivor when `individual` is None)
    cannot consent for themselves."""
    return (
        AdolescentIncapacity.objects.filter(case=case, individual=individual)
        .order_by("-created_at", "-id")
        .first()
    )


def adolescent_incapacities_of(case: Case) -> QuerySet[AdolescentIncapacity]:
    return AdolescentIncapacity.objects.filter(case=case).select_related(
        "recorded_by", "individual"
    )


def consent_withdrawals_of(case: Case) -> QuerySet[ConsentWithdrawal]:
    return ConsentWithdrawal.objects.filter(case=case).select_related("recorded_by", "renewed_by")


def get_withdrawal_of(case: Case, withdrawal_id: UUID | str) -> ConsentWithdrawal:
    return access.get_visible(ConsentWithdrawal.objects.filter(case=case), uuid=withdrawal_id)


def withdrawal_covering(case: Case, service_type: str) -> ConsentWithdrawal | None:
    """The withdrawal of consent, not renewed, that refuses referring the survivor of `case`
    to a service of `service_type` (to every service, or to its GBVIMS kind); None if none."""
    kind = GBV_CONSENT_FOR[service_type]
    return (
        ConsentWithdrawal.objects.filter(case=case, renewed_on__isnull=True)
        .filter(Q(service="") | Q(service=kind))
        .order_by("-withdrawn_on", "-id")
        .first()
    )


# The states of a referral still waiting for the recipient's answer (`referrals.models`
# `AWAITING_ANSWER`, which a test compares): the cases app sits below referrals.
PENDING_REFERRAL_STATES = ("sent", "received")
# The states a referral may still be withdrawn from (`referrals.models.OPEN_STATES`, compared
# by a test too).
OPEN_REFERRAL_STATES = ("sent", "received", "accepted")


def open_referrals_of(referrals) -> list:
    """Of a case's `referrals` (each with its onward `chain`), those still open or followed by
    an open onward referral, each with `open_chain`: what a withdrawal of consent may reach."""
    found = []
    for r in referrals:
        r.open_chain = [link for link in r.chain if link.state in OPEN_REFERRAL_STATES]
        if r.state in OPEN_REFERRAL_STATES or r.open_chain:
            found.append(r)
    return found


def referrals_held_by_withdrawal(case: Case, referrals) -> list:
    """Of the case's `referrals`, those still waiting for an answer whose consent the survivor
    (or caregiver) withdrew since: the caseworker is warned to tell the partner."""
    active = [w for w in consent_withdrawals_of(case) if w.renewed_on is None]
    if not active:
        return []
    withdrawn = {w.service for w in active}
    return [
        r
        for r in referrals
        if r.state in PENDING_REFERRAL_STATES
        and ("" in withdrawn or GBV_CONSENT_FOR.get(r.service.type) in withdrawn)
    ]


def child_consents_of(case: Case) -> QuerySet[ChildConsent]:
    return ChildConsent.objects.filter(case=case).select_related("recorded_by", "individual")


def service_decisions_of(case: Case) -> QuerySet[ServiceDecision]:
    return ServiceDecision.objects.filter(case=case).select_related("recorded_by")


def safety_of(case: Case) -> SurvivorSafety | None:
    return SurvivorSafety.objects.filter(case=case).first()


def open_restricted_cases_of(user: User, individual) -> QuerySet[Case]:
    """The open restricted cases of a person that `user` works on (none for anyone else: the
    answer never says whether others exist)."""
    return (
        cases_visible_to(user)
        .filter(restricted=True, individuals=individual)
        .exclude(state=CaseState.CLOSED)
    )


# Reporting to the GBV coordination group (Information Sharing Protocol).


def gbv_export_offices(user: User) -> QuerySet[Office]:
    """The offices whose incidents `user` may send to the coordination group: those where they
    are on the GBV team and supervise cases (the GBV coordinator). Nobody else, admins included."""
    if not access.can(user, "cases.supervise") or user.organization_id is None:
        return Office.objects.none()
    return Office.objects.filter(
        pk__in=gbv_team_offices(user), organization_id=user.organization_id
    ).order_by("name")


def incident_recorder_rows(
    user: User, offices: list[Office], since: date, until: date
) -> list[tuple[Incident, dict, dict, list[Area]]]:
    """The incidents reported from `since` to `until` in `offices` (those of
    `gbv_export_offices(user)` only) whose survivor consented to sharing them for statistics:
    each with the survivor's sex, nationality and population group (`survivor_profile`), the
    case's decision per
    service, and the chain of areas where it happened."""
    allowed = set(gbv_export_offices(user).values_list("pk", flat=True))
    incidents = list(
        Incident.objects.filter(
            case__office__in=[o.pk for o in offices if o.pk in allowed],
            statistics_consent=True,
            report_date__gte=since,
            report_date__lte=until,
        )
        .select_related("case__organization", "case__survivor", "area")
        .defer("account", "case__summary")  # never exported: not decrypted either
        .prefetch_related("case__individuals", "case__service_decisions")
        .order_by("report_date", "id")
    )
    areas: dict[int, Area] = {}
    result = []
    for incident in incidents:
        case = incident.case
        survivor = survivor_profile(case)
        outcomes = {d.service_type: d.outcome for d in case.service_decisions.all()}
        result.append((incident, survivor, outcomes, _area_chain(incident.area, areas)))
    return result


def survivor_profile(case: Case) -> dict[str, str]:
    """The survivor's sex, nationality and population group, and nothing else of hers: from
    the registry person, or the walk-in identity. For counts and the Incident Recorder only;
    prefetch `individuals` and select `survivor` (else a query per case)."""
    if case.is_walk_in:
        try:
            record = case.survivor
        except SurvivorIdentity.DoesNotExist:
            record = None
        identity = json.loads(record.details) if record and record.details else {}
    else:
        first = next(iter(case.individuals.all()), None)
        identity = (
            {
                "sex": first.sex,
                "nationality": first.nationality,
                "population_group": first.population_group,
            }
            if first
            else {}
        )
    return {k: identity.get(k) or "" for k in ("sex", "nationality", "population_group")}


def _area_chain(area: Area | None, cache: dict[int, Area]) -> list[Area]:
    chain = []
    while area is not None:
        chain.append(area)
        if area.parent_id is None:
            break
        if area.parent_id not in cache:
            cache[area.parent_id] = Area.objects.get(pk=area.parent_id)
        area = cache[area.parent_id]
    return chain


def gbv_offices_of(organization_id: int) -> list[int]:
    """The organization's offices that have a GBV team: the organization's GBV tables count
    them."""
    return sorted(
        set(
            GBVTeamMember.objects.filter(office__organization_id=organization_id).values_list(
                "office_id", flat=True
            )
        )
    )


def release_offices(release_office: Office | None, organization_id: int) -> list[int]:
    """The offices a release counts: its office, or every GBV office of the organization."""
    return [release_office.pk] if release_office else gbv_offices_of(organization_id)


def covers(offices: list[int], team: list[int]) -> bool:
    return bool(offices) and set(offices) <= set(team)


def releases_visible_to(user: User) -> QuerySet[MonthlyRelease]:
    """Monthly GBV tables: every state for the GBV team of their office (of every GBV office,
    for the organization's); approved ones only for anyone else of the organization who sees
    reports. Everybody else: none."""
    if user.organization_id is None:
        return MonthlyRelease.objects.none()
    team = gbv_team_offices(user)
    condition = Q(office_id__in=team)
    if covers(gbv_offices_of(user.organization_id), team):
        condition |= Q(office__isnull=True)
    if access.can(user, "reports.view"):
        condition |= Q(state=MonthlyRelease.State.APPROVED)
    return access.visible(
        user, MonthlyRelease.objects.select_related("office"), office_field=None
    ).filter(condition)


def get_release_for(user: User, release_id: UUID | str) -> MonthlyRelease:
    return access.get_visible(releases_visible_to(user), uuid=release_id)


def may_prepare_releases(user: User) -> bool:
    return bool(gbv_team_offices(user))


def offices_of_gbv_team(user: User) -> QuerySet[Office]:
    return Office.objects.filter(pk__in=gbv_team_offices(user)).order_by("name")


def may_decide_release(user: User, release: MonthlyRelease) -> bool:
    """A GBV coordinator of every office the release counts (approve, withdraw)."""
    offices = release_offices(release.office, release.organization_id)
    return access.can(user, "cases.supervise") and covers(offices, gbv_team_offices(user))


# --- the case's referrals -------------------------------------------------------------------
# The referrals app sits above cases (which may not import it): it names, from its
# `AppConfig.ready`, the function that reads a case's referrals with their onward chains
# (`referrals.queries.sent_from_case`), so that the case's page shows them.
_referrals_reader: list[Callable[[User, Case], list]] = []


def read_referrals_with(reader: Callable[[User, Case], list]) -> None:
    """Register `reader(user, case)`: the referrals `user`'s side sent from `case`."""
    _referrals_reader[:] = [reader]


def referrals_sent_from(user: User, case: Case) -> list:
    """The referrals sent from `case` (one the caller read through `cases_visible_to`), each
    with its onward `chain`; empty when no app reads them."""
    return _referrals_reader[0](user, case) if _referrals_reader else []
