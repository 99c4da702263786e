"""Reads of the programme screens: projects, targeting rules and cycles for those who plan them
(`assistance.manage`), already scoped. Anyone else gets nothing (404 on a detail)."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Count, Q, QuerySet

from amparo.assistance.models import Cycle, Entitlement, Project, TargetingRule
from amparo.assistance.queries import cycles_visible_to, projects_visible_to
from amparo.core import access
from amparo.core.models import Office, User

MANAGE = "assistance.manage"


def managed_projects(user: User) -> QuerySet[Project]:
    """The organization's projects, for holders of `assistance.manage`."""
    if not access.can(user, MANAGE):
        return Project.objects.none()
    return projects_visible_to(user).prefetch_related("offices")


def get_managed_project(user: User, project_id: UUID | str) -> Project:
    """One project `user` plans; 404 when missing, of another organization or not theirs."""
    return access.get_visible(managed_projects(user), uuid=project_id)


def rules_visible_to(user: User) -> QuerySet[TargetingRule]:
    """The targeting rules of the projects `user` plans."""
    if not access.can(user, MANAGE):
        return TargetingRule.objects.none()
    return access.visible(user, TargetingRule.objects.select_related("project"), office_field=None)


def get_rule_for(user: User, rule_id: UUID | str) -> TargetingRule:
    """One rule `user` may see and change; 404 otherwise."""
    return access.get_visible(rules_visible_to(user), uuid=rule_id)


def managed_cycles(user: User) -> QuerySet[Cycle]:
    """The cycles `user` plans (the visible ones, for holders of `assistance.manage`)."""
    if not access.can(user, MANAGE):
        return Cycle.objects.none()
    return cycles_visible_to(user).select_related("rule")


def get_managed_cycle(user: User, cycle_id: UUID | str) -> Cycle:
    return access.get_visible(managed_cycles(user), uuid=cycle_id)


def project_offices_for(user: User, project: Project) -> QuerySet[Office]:
    """The project's offices `user` may work in (their own, for an office-bound role)."""
    offices = project.offices.filter(is_active=True).order_by("name")
    if user.office_bound:
        offices = offices.filter(pk__in=[user.office_id] if user.office_id else [])
    return offices


def entitlement_counts(cycle: Cycle) -> dict[str, int]:
    """How many of the cycle's entitlements are pending, delivered, cancelled, absent (not
    collected when it closed): one query."""
    states = Entitlement.State
    return Entitlement.objects.filter(cycle=cycle).aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(state=states.PENDING)),
        delivered=Count("pk", filter=Q(state=states.DELIVERED)),
        cancelled=Count("pk", filter=Q(state=states.CANCELLED)),
        absent=Count("pk", filter=Q(state=states.ABSENT)),
    )
