"""Targeting writes: rules (criteria stored as data) and a supervisor's exceptions to them."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from amparo.assistance import targeting
from amparo.assistance.models import Project, TargetingException, TargetingRule
from amparo.core import access, audit
from amparo.core.errors import ActionError, Errors
from amparo.core.models import User
from amparo.registry.models import Household

__all__ = ["add_targeting_exception", "change_rule", "create_rule"]


def _check_project(actor: User, project: Project) -> None:
    if project.organization_id != actor.organization_id:
        raise ActionError.on("project", _("Choose one of your organization's projects."))


@transaction.atomic
def create_rule(
    *,
    actor: User,
    project: Project,
    name: str,
    criteria: object,
    threshold: object = None,
    request=None,
) -> TargetingRule:
    """A targeting rule of `project`; `criteria` as described in `assistance.targeting`.

    Requires `assistance.manage`. Raises ActionError naming every bad criterion. Side
    effects: audit `assistance.rule.created`.
    """
    access.require(actor, "assistance.manage")
    _check_project(actor, project)
    errors = Errors()
    if not name.strip():
        errors.add("name", _("Give the rule a name."))
    try:
        criteria, clean_threshold = targeting.clean_criteria(criteria, threshold)
    except ActionError as refused:
        for field, messages in refused.errors.items():
            for message in messages:
                errors.add(field, message)
    errors.raise_if_any()
    rule = TargetingRule.objects.create(
        organization_id=project.organization_id,
        project=project,
        name=name.strip()[:120],
        criteria=criteria,
        threshold=clean_threshold,
        created_by=actor,
    )
    audit.record(actor=actor, action="assistance.rule.created", target=rule, request=request)
    return rule


@transaction.atomic
def change_rule(
    *,
    actor: User,
    rule: TargetingRule,
    name: str,
    criteria: object,
    threshold: object = None,
    request=None,
) -> TargetingRule:
    """Replace `rule`'s name, criteria and threshold. Cycles already opened keep their
    entitlements: they were computed when they opened.

    Requires `assistance.manage`. Side effects: audit `assistance.rule.changed` (field names).
    """
    access.require(actor, "assistance.manage")
    _check_project(actor, rule.project)
    errors = Errors()
    if not name.strip():
        errors.add("name", _("Give the rule a name."))
    try:
        criteria, clean_threshold = targeting.clean_criteria(criteria, threshold)
    except ActionError as refused:
        for field, messages in refused.errors.items():
            for message in messages:
                errors.add(field, message)
    errors.raise_if_any()
    new = {"name": name.strip()[:120], "criteria": criteria, "threshold": clean_threshold}
    changed = [field for field, value in new.items() if getattr(rule, field) != value]
    for field, value in new.items():
        setattr(rule, field, value)
    rule.save(update_fields=[*changed, "updated_at"])
    audit.record(
        actor=actor,
        action="assistance.rule.changed",
        target=rule,
        fields=changed,
        request=request,
    )
    return rule


@transaction.atomic
def add_targeting_exception(
    *,
    actor: User,
    rule: TargetingRule,
    reference: str,
    kind: str,
    reason: str,
    request=None,
) -> TargetingException:
    """Include (or exclude) the household with `reference` whatever the rule says, from the
    next cycle opened with it. A second decision on the same household replaces the first.

    Requires `assistance.manage` (the programme's supervisors). The household must be of the
    rule's organization and of one of the project's offices. Side effects: audit
    `assistance.exception.added` (the household's id and the decision; the reason stays in
    the record).
    """
    access.require(actor, "assistance.manage")
    _check_project(actor, rule.project)
    errors = Errors()
    if kind not in TargetingException.Kind.values:
        errors.add("kind", _("Choose include or exclude."))
    if not reason.strip():
        errors.add("reason", _("Say why."))
    household = Household.objects.filter(
        organization_id=rule.organization_id,
        office__in=rule.project.offices.all(),
        reference__iexact=reference.strip(),
    ).first()
    if household is None or (actor.office_bound and household.office_id != actor.office_id):
        errors.add("reference", _("No household of the project's offices has this reference."))
        raise ActionError(errors)
    errors.raise_if_any()
    exception, _created = TargetingException.objects.update_or_create(
        rule=rule,
        household=household,
        defaults={
            "organization_id": rule.organization_id,
            "kind": kind,
            "reason": reason.strip()[:300],
            "created_by": actor,
        },
    )
    audit.record(
        actor=actor,
        action="assistance.exception.added",
        target=exception,
        request=request,
        details={"household": str(household.uuid), "kind": kind, "rule": str(rule.uuid)},
    )
    return exception
