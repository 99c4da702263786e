"""Post-distribution monitoring (PDM): draw the households to survey, record their answers.

The draw is random and reproducible: a seed stored with the sample, applied to the cycle's
delivered entitlements in a fixed order, draws the same households again (`choose`). By
default it is stratified by distribution day (each day's share of the deliveries gets its
share of the sample), so that a bad day — a long queue, a new officer — cannot be missed by
chance.
"""

from __future__ import annotations

import math
import random
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.assistance.models import (
    CashUse,
    Cycle,
    Delivery,
    MonitoringSample,
    MonitoringSurvey,
    Problem,
)
from amparo.core import access, audit
from amparo.core.errors import ActionError, Errors
from amparo.core.models import User

__all__ = ["choose", "draw_monitoring_sample", "record_survey"]

MAX_TEXT = 2000


def choose(
    population: Iterable[tuple[int, date]], *, size: int, seed: int, by_day: bool
) -> list[int]:
    """The ids drawn from `population` (entitlement id, distribution day): `size` of them with
    `random.Random(seed)`, by day in proportion to each day's deliveries (largest remainders
    first) when `by_day`. Deterministic: the same arguments draw the same ids, sorted."""
    rng = random.Random(seed)  # noqa: S311  # reproducible on purpose; the seed is secret-drawn
    rows = sorted(population)
    if not by_day:
        return sorted(rng.sample([pk for pk, _day in rows], size))
    days: dict[date, list[int]] = defaultdict(list)
    for pk, day in rows:
        days[day].append(pk)
    total = len(rows)
    quota = {day: size * len(ids) / total for day, ids in days.items()}
    share = {day: math.floor(q) for day, q in quota.items()}
    left = size - sum(share.values())
    for day in sorted(days, key=lambda d: (share[d] - quota[d], d))[:left]:
        share[day] += 1
    drawn: list[int] = []
    for day in sorted(days):
        drawn.extend(rng.sample(days[day], share[day]))
    return sorted(drawn)


@transaction.atomic
def draw_monitoring_sample(
    *,
    actor: User,
    cycle: Cycle,
    size: int | None = None,
    percent: Decimal | None = None,
    by_day: bool = True,
    seed: int | None = None,
    request=None,
) -> MonitoringSample:
    """Draw the households of `cycle` to survey: `size` households, or `percent` of those
    delivered (rounded up), among the entitlements with a current (not reversed) delivery.
    One sample per cycle. `seed` is drawn at random unless given (to redo a draw elsewhere).

    Requires `assistance.manage` and a cycle in the actor's scope. Side effects: one empty
    survey per drawn household; audit `assistance.monitoring_sample.drawn`.
    """
    access.require(actor, "assistance.manage")
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if MonitoringSample.objects.filter(cycle=locked).exists():
        raise ActionError.general(_("The households of this cycle were already drawn."))
    delivered = Delivery.objects.filter(
        entitlement__cycle=locked, reversed_at__isnull=True
    ).values_list("entitlement_id", "delivered_at")
    population = [(pk, timezone.localdate(at)) for pk, at in delivered]
    if not population:
        raise ActionError.general(_("No household of this cycle has received its delivery yet."))
    if (size is None) == (percent is None):
        raise ActionError.on("size", _("Give either a number of households or a percentage."))
    if percent is not None:
        if not 0 < percent <= 100:
            raise ActionError.on("percent", _("Give a percentage between 0 and 100."))
        size = math.ceil(len(population) * percent / 100)
    if size is None or size < 1:
        raise ActionError.on("size", _("Draw at least one household."))
    if size > len(population):
        raise ActionError.on(
            "size",
            _("Only %(n)d households received their delivery: draw at most that many.")
            % {"n": len(population)},
        )
    if seed is None:
        seed = secrets.randbits(62)
    drawn = choose(population, size=size, seed=seed, by_day=by_day)
    sample = MonitoringSample.objects.create(
        organization_id=locked.organization_id,
        office_id=locked.office_id,
        cycle=locked,
        seed=seed,
        size=size,
        population=len(population),
        by_day=by_day,
        drawn_by=actor,
    )
    MonitoringSurvey.objects.bulk_create(
        MonitoringSurvey(
            organization_id=locked.organization_id,
            office_id=locked.office_id,
            sample=sample,
            entitlement_id=pk,
        )
        for pk in drawn
    )
    audit.record(
        actor=actor,
        action="assistance.monitoring_sample.drawn",
        target=sample,
        request=request,
        details={"cycle": str(locked.uuid), "size": size, "population": len(population)},
    )
    return sample


def _choices(values: Sequence[str], allowed: Iterable[str]) -> list[str] | None:
    allowed = list(allowed)
    if any(v not in allowed for v in values):
        return None
    return [v for v in allowed if v in values]  # the choices' order, each once


@transaction.atomic
def record_survey(
    *,
    actor: User,
    survey: MonitoringSurvey,
    satisfaction: int,
    uses: Sequence[str],
    problems: Sequence[str],
    felt_safe: bool,
    problem_details: str = "",
    complaint: str = "",
    request=None,
) -> MonitoringSurvey:
    """Record (or correct) a sampled household's answers: satisfaction from 1 to 5, how the
    cash or kit was used (at least one), the problems met (none or several; "other" needs
    words), whether they felt safe going to and from the point, and any complaint. The free
    texts are stored encrypted.

    Requires `assistance.manage` (monitoring is done by M&E staff, not by the officers whose
    distribution it checks) and a survey in the actor's scope. Side effects: audit
    `assistance.monitoring_survey.recorded` with the names of the fields, never the answers.
    """
    access.require(actor, "assistance.manage")
    errors = Errors()
    if not (type(satisfaction) is int and 1 <= satisfaction <= 5):
        errors.add("satisfaction", _("Choose a satisfaction from 1 to 5."))
    chosen_uses = _choices(uses, CashUse.values)
    if chosen_uses is None:
        errors.add("uses", _("Choose uses from the list."))
    elif not chosen_uses:
        errors.add("uses", _("Choose at least one use."))
    chosen_problems = _choices(problems, Problem.values)
    if chosen_problems is None:
        errors.add("problems", _("Choose problems from the list."))
    problem_details = (problem_details or "").strip()
    complaint = (complaint or "").strip()
    if chosen_problems and Problem.OTHER in chosen_problems and not problem_details:
        errors.add("problem_details", _("Describe the other problem."))
    if len(problem_details) > MAX_TEXT:
        errors.add("problem_details", _("Write at most %(n)d characters.") % {"n": MAX_TEXT})
    if len(complaint) > MAX_TEXT:
        errors.add("complaint", _("Write at most %(n)d characters.") % {"n": MAX_TEXT})
    if not isinstance(felt_safe, bool):
        errors.add("felt_safe", _("Say whether they felt safe."))
    errors.raise_if_any()
    locked = MonitoringSurvey.objects.select_for_update().get(pk=survey.pk)
    corrected = locked.answered_at is not None
    locked.satisfaction = satisfaction
    locked.uses = chosen_uses
    locked.problems = chosen_problems
    locked.problem_details = problem_details
    locked.felt_safe = felt_safe
    locked.complaint = complaint
    locked.answered_at = timezone.now()
    locked.answered_by = actor
    fields = ["satisfaction", "uses", "problems", "problem_details", "felt_safe", "complaint"]
    try:
        with transaction.atomic():
            locked.save(update_fields=[*fields, "answered_at", "answered_by"])
    except IntegrityError:  # the satisfaction check, should a caller skip the one above
        raise ActionError.on("satisfaction", _("Choose a satisfaction from 1 to 5.")) from None
    audit.record(
        actor=actor,
        action="assistance.monitoring_survey.recorded",
        target=locked,
        request=request,
        fields=fields,
        details={"corrected": corrected},
    )
    return locked
