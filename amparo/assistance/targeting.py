"""Targeting rules as data: their schema, their checks, and the one query that evaluates them.

A rule's criteria are a list of `{"field", "op", "value"}` (plus an optional `"weight"`):

| field | op | value |
| --- | --- | --- |
| population_group | any_member_in | population group codes: some member is in one of them |
| area | in | area codes: the household lives in one of them or in an area inside one |
| size | min, max | a number of members |
| specific_need | any_member_has | need codes (not restricted ones): some member has one |
| age | has_member_under, has_member_at_least | years: some member is younger / at least that old |
| registered_on | on_or_after, within_days | a date (YYYY-MM-DD) / a number of days before today |
| previous_assistance | none_of_type_within_days | {"assistance_type", "days"} |
| previous_assistance | none_of_project_within_days | {"days"}: the rule's project |

A criterion without a weight must pass. Weighted criteria add their weight to the household's
score, which must reach the rule's threshold when it has one. "Previous assistance" is an
entitlement (not cancelled) in a cycle that ended within the last N days or has not ended.

`clean_criteria` refuses anything else, with one translated message per problem;
`qualifying` evaluates a rule as one database query (IN subqueries and annotations), fast
at 100,000 households; `preview` counts without writing anything.
"""

from __future__ import annotations

import datetime
import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.assistance.models import (
    AssistanceType,
    Entitlement,
    TargetingException,
    TargetingRule,
)
from amparo.core.errors import ActionError, Errors
from amparo.core.models import Area, Office
from amparo.registry.models import RESTRICTED_NEEDS, SPECIFIC_NEEDS, Household, Individual

MAX_CRITERIA = 30
MAX_WEIGHT = 100
MAX_DAYS = 3650
MAX_YEARS = 120
MAX_SIZE = 100

FIELDS = {
    "population_group": gettext_lazy("Population group"),
    "area": gettext_lazy("Area"),
    "size": gettext_lazy("Household size"),
    "specific_need": gettext_lazy("Specific need"),
    "age": gettext_lazy("Age of a member"),
    "registered_on": gettext_lazy("Registration date"),
    "previous_assistance": gettext_lazy("Previous assistance"),
}
OPS = {
    "population_group": {"any_member_in": gettext_lazy("some member is")},
    "area": {"in": gettext_lazy("lives in")},
    "size": {"min": gettext_lazy("at least"), "max": gettext_lazy("at most")},
    "specific_need": {"any_member_has": gettext_lazy("some member has")},
    "age": {
        "has_member_under": gettext_lazy("has a member younger than (years)"),
        "has_member_at_least": gettext_lazy("has a member at least (years old)"),
    },
    "registered_on": {
        "on_or_after": gettext_lazy("on or after"),
        "within_days": gettext_lazy("within the last (days)"),
    },
    "previous_assistance": {
        "none_of_type_within_days": gettext_lazy("none of this type within (days)"),
        "none_of_project_within_days": gettext_lazy("none of this project within (days)"),
    },
}
KEYS = {"field", "op", "value", "weight"}


def targetable_needs() -> dict[str, str]:
    """Needs a rule may name: a restricted need (survivor of violence) would reveal restricted
    files through the preview's counts, so it never targets."""
    return {c: str(n) for c, n in SPECIFIC_NEEDS.items() if c not in RESTRICTED_NEEDS}


def clean_criteria(raw: object, threshold: object = None) -> tuple[list[dict], int | None]:
    """The criteria and threshold, normalised; ActionError naming every problem
    (`criteria.3.value`, `threshold`) when anything is unknown or out of range."""
    errors = Errors()
    cleaned: list[dict] = []
    if not isinstance(raw, list):
        raise ActionError.on("criteria", _("The criteria must be a list."))
    if len(raw) > MAX_CRITERIA:
        errors.add("criteria", _("A rule has at most %(n)d criteria.") % {"n": MAX_CRITERIA})
    for index, criterion in enumerate(raw[:MAX_CRITERIA]):
        at = f"criteria.{index}"
        if not isinstance(criterion, dict):
            errors.add(at, _("Each criterion needs a field, an operator and a value."))
            continue
        unknown = set(criterion) - KEYS
        if unknown:
            errors.add(at, _("Unknown keys: %(keys)s.") % {"keys": ", ".join(sorted(unknown))})
            continue
        field, op = criterion.get("field"), criterion.get("op")
        if not isinstance(field, str) or field not in FIELDS:
            errors.add(f"{at}.field", _("Choose one of the fields a rule knows."))
            continue
        if not isinstance(op, str) or op not in OPS[field]:
            errors.add(f"{at}.op", _("Choose an operator this field knows."))
            continue
        value, problem = _clean_value(field, op, criterion.get("value"))
        if problem:
            errors.add(f"{at}.value", problem)
            continue
        item = {"field": field, "op": op, "value": value}
        weight = criterion.get("weight")
        if weight is not None:
            if type(weight) is not int or not 1 <= weight <= MAX_WEIGHT:
                errors.add(
                    f"{at}.weight",
                    _("A weight is a whole number from 1 to %(n)d.") % {"n": MAX_WEIGHT},
                )
                continue
            item["weight"] = weight
        cleaned.append(item)
    clean_threshold: int | None = None
    if threshold not in (None, ""):
        if type(threshold) is not int or threshold < 0:
            errors.add("threshold", _("The minimum score is a whole number, zero or more."))
        elif not any("weight" in c for c in cleaned) and not errors:
            errors.add("threshold", _("A minimum score needs criteria with a weight."))
        else:
            clean_threshold = threshold
    errors.raise_if_any()
    return cleaned, clean_threshold


def _whole(value: object, low: int, high: int) -> int | None:
    return value if type(value) is int and low <= value <= high else None


def _codes(value: object, known: Iterable[str]) -> list[str] | None:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        return None
    known = set(known)
    return sorted(set(value)) if set(value) <= known else None


def _clean_value(field: str, op: str, value: object) -> tuple[object, str | None]:
    """(normalised value, None) or (None, a translated message)."""
    if field == "population_group":
        codes = _codes(value, Individual.PopulationGroup.values)
        return (codes, None) if codes else (None, _("Choose one or more population groups."))
    if field == "area":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            return None, _("Choose one or more areas.")
        codes = sorted(set(value))
        found = set(Area.objects.filter(code__in=codes).values_list("code", flat=True))
        missing = [c for c in codes if c not in found]
        if missing:
            return None, _("Unknown areas: %(codes)s.") % {"codes": ", ".join(missing[:5])}
        return codes, None
    if field == "size":
        size = _whole(value, 1, MAX_SIZE)
        message = _("A household size is a whole number from 1 to %(n)d.") % {"n": MAX_SIZE}
        return (size, None) if size is not None else (None, message)
    if field == "specific_need":
        if isinstance(value, list) and set(value) & RESTRICTED_NEEDS:
            return None, _("A restricted need cannot be used for targeting.")
        codes = _codes(value, targetable_needs())
        return (codes, None) if codes else (None, _("Choose one or more specific needs."))
    if field == "age":
        years = _whole(value, 0 if op == "has_member_at_least" else 1, MAX_YEARS)
        message = _("An age is a whole number of years up to %(n)d.") % {"n": MAX_YEARS}
        return (years, None) if years is not None else (None, message)
    if field == "registered_on":
        if op == "within_days":
            return _days(value)
        try:
            return datetime.date.fromisoformat(str(value)).isoformat(), None
        except ValueError:
            return None, _("Enter a date as YYYY-MM-DD.")
    # previous_assistance
    if not isinstance(value, dict):
        return None, _("Give the number of days (and the type of assistance).")
    allowed = {"days", "assistance_type"} if op == "none_of_type_within_days" else {"days"}
    if set(value) != allowed:
        return None, _("Give the number of days (and the type of assistance).")
    days, problem = _days(value["days"])
    if problem:
        return None, problem
    if op == "none_of_project_within_days":
        return {"days": days}, None
    if value["assistance_type"] not in AssistanceType.values:
        return None, _("Choose a type of assistance.")
    return {"days": days, "assistance_type": value["assistance_type"]}, None


def _days(value: object) -> tuple[int | None, str | None]:
    days = _whole(value, 0, MAX_DAYS)
    if days is None:
        return None, _("A number of days is a whole number from 0 to %(n)d.") % {"n": MAX_DAYS}
    return days, None


def describe(criterion: dict) -> str:
    """A criterion in words, for screens."""
    field, op, value = criterion["field"], criterion["op"], criterion["value"]
    if isinstance(value, list):
        shown = ", ".join(_label(field, v) for v in value)
    elif isinstance(value, dict):
        shown = str(value["days"])
        if "assistance_type" in value:
            shown = f"{AssistanceType(value['assistance_type']).label}, {shown}"
    else:
        shown = str(value)
    text = f"{FIELDS[field]}: {OPS[field][op]} {shown}"
    if "weight" in criterion:
        text += " " + _("(weight %(w)d)") % {"w": criterion["weight"]}
    return text


def _label(field: str, code: str) -> str:
    if field == "population_group":
        return str(Individual.PopulationGroup(code).label)
    if field == "specific_need":
        return str(SPECIFIC_NEEDS.get(code, code))
    return code


# --- evaluation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What a rule is evaluated against: today (the day the cycle opens) and its project."""

    on: datetime.date
    project_id: int


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one: completed years count from the 28th
        return day.replace(year=day.year - years, day=28)


def _members_where(condition: Q) -> Q:
    """Some member meets `condition`. An IN over a subquery rather than a correlated EXISTS:
    PostgreSQL hashes its result once, where the preview's per-row flags would otherwise run
    the subquery again for every household."""
    return Q(pk__in=Individual.objects.filter(condition).values("household_id"))


def _has_need(need: str) -> Q:
    if connection.features.supports_json_field_contains:
        return Q(specific_needs__contains=[need])
    return Q(specific_needs__icontains=f'"{need}"')


def criterion_q(criterion: dict, ctx: Context) -> Q:
    """The condition a household meets when it passes `criterion` (a cleaned one). Size
    criteria need the `_size` annotation (`qualifying` adds it)."""
    field, op, value = criterion["field"], criterion["op"], criterion["value"]
    if field == "population_group":
        return _members_where(Q(population_group__in=value))
    if field == "area":
        return Q(area_id__in=_areas_within(value))
    if field == "size":
        return Q(_size__gte=value) if op == "min" else Q(_size__lte=value)
    if field == "specific_need":
        needs = Q()
        for need in value:
            needs |= _has_need(need)
        return _members_where(needs)
    if field == "age":
        cutoff = _years_before(ctx.on, value)
        if op == "has_member_under":
            return _members_where(Q(date_of_birth__gt=cutoff))
        return _members_where(Q(date_of_birth__lte=cutoff))
    if field == "registered_on":
        if op == "within_days":
            return Q(registered_on__gte=ctx.on - datetime.timedelta(days=value))
        return Q(registered_on__gte=datetime.date.fromisoformat(value))
    # previous_assistance
    earlier = Entitlement.objects.filter(
        cycle__end_date__gte=ctx.on - datetime.timedelta(days=value["days"]),
    ).exclude(state=Entitlement.State.CANCELLED)
    if op == "none_of_type_within_days":
        earlier = earlier.filter(cycle__assistance_type=value["assistance_type"])
    else:
        earlier = earlier.filter(cycle__project_id=ctx.project_id)
    return ~Q(pk__in=earlier.values("household_id"))


def _areas_within(codes: Sequence[str]) -> Subquery:
    """The areas named and every area inside them (areas nest at most three levels deep)."""
    areas = Area.objects.filter(
        Q(code__in=codes)
        | Q(parent__code__in=codes)
        | Q(parent__parent__code__in=codes)
        | Q(parent__parent__parent__code__in=codes)
    )
    return Subquery(areas.order_by().values("pk"))


def household_sizes() -> Coalesce:
    """Each household's number of members, as an annotation."""
    counted = (
        Individual.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def base_households(offices: Iterable[Office]) -> QuerySet[Household]:
    """The households a cycle at `offices` may entitle: the active ones."""
    return Household.objects.filter(
        office__in=list(offices), status=Household.Status.ACTIVE
    ).annotate(_size=household_sizes())


def _scored(qs: QuerySet[Household], criteria: list[dict], ctx: Context) -> QuerySet[Household]:
    weighted = [c for c in criteria if "weight" in c]
    if not weighted:
        return qs.annotate(_score=Value(0, output_field=IntegerField()))
    total = sum(
        (
            Case(When(criterion_q(c, ctx), then=Value(c["weight"])), default=Value(0))
            for c in weighted
        ),
        start=Value(0),
    )
    return qs.annotate(_score=total)


def rule_condition(rule: TargetingRule, ctx: Context) -> Q:
    """What a household of the base meets to qualify by the rule alone (no exceptions)."""
    condition = Q()
    for criterion in rule.criteria:
        if "weight" not in criterion:
            condition &= criterion_q(criterion, ctx)
    if rule.threshold is not None:
        condition &= Q(_score__gte=rule.threshold)
    # An empty Q cannot be negated or put in a When: "every household" is said explicitly.
    return condition or Q(pk__isnull=False)


def _exceptions(rule: TargetingRule, kind: str) -> Q:
    if rule.pk is None:  # a rule being written, previewed before it is saved, has none
        return Q(pk__in=[])
    named = TargetingException.objects.filter(rule=rule, kind=kind)
    return Q(pk__in=named.values("household_id"))


def final_condition(rule: TargetingRule, ctx: Context) -> Q:
    """The rule with its exceptions: excluded households out, included ones in."""
    return (
        rule_condition(rule, ctx) & ~_exceptions(rule, TargetingException.Kind.EXCLUDE)
    ) | _exceptions(rule, TargetingException.Kind.INCLUDE)


def qualifying(
    rule: TargetingRule, offices: Iterable[Office], on: datetime.date
) -> QuerySet[Household]:
    """The households of `offices` entitled by `rule` on `on`, exceptions applied: one query.
    Each comes annotated with `_size` (members) and `_score`."""
    ctx = Context(on=on, project_id=rule.project_id)
    qs = _scored(base_households(offices), rule.criteria, ctx)
    return qs.filter(final_condition(rule, ctx))


@dataclass
class Preview:
    """How many households a rule entitles, and why; nothing written."""

    base: int  # active households of the offices
    by_rule: int  # qualifying by the criteria and threshold alone
    entitled: int  # with the exceptions applied
    included: int  # entitled only through an "include" exception
    excluded: int  # qualifying by the rule but excluded by an exception
    passing: list[tuple[str, int]]  # each criterion in words, with how many pass it
    scores: list[tuple[int, int]]  # (score, households) for those passing the required criteria
    sample: list[str]  # references of a few entitled households


def preview(
    rule: TargetingRule, offices: Iterable[Office], on: datetime.date, *, sample: int = 20
) -> Preview:
    """Count, per criterion and in all, the households of `offices` the rule entitles on `on`.

    One query reads, per household, whether it passes each criterion and whether an exception
    names it: each condition is evaluated once per household (summing them in SQL would
    evaluate each subquery again in every sum). The totals, the score distribution and the
    sample are counted from those flags here; `qualifying` is the query a cycle opens with,
    and the tests check both against the same oracle.
    """
    ctx = Context(on=on, project_id=rule.project_id)
    criteria = list(rule.criteria)
    flags = {f"_c{i}": criterion_q(c, ctx) for i, c in enumerate(criteria)}
    flags["_inc"] = _exceptions(rule, TargetingException.Kind.INCLUDE)
    flags["_exc"] = _exceptions(rule, TargetingException.Kind.EXCLUDE)
    rows = (
        base_households(offices)
        .annotate(
            **{
                name: Case(When(condition, then=Value(1)), default=Value(0))
                for name, condition in flags.items()
            }
        )
        .order_by()
        .values_list("reference", *flags)
    )
    weighted = any("weight" in c for c in criteria)
    passing = [0] * len(criteria)
    scores: dict[int, int] = {}
    base = by_rule = included = excluded = 0
    entitled: list[str] = []
    for reference, *values in rows.iterator(chunk_size=5000):
        base += 1
        passed, include, exclude = values[: len(criteria)], values[-2], values[-1]
        required, score = True, 0
        for i, criterion in enumerate(criteria):
            passing[i] += passed[i]
            if "weight" in criterion:
                score += criterion["weight"] * passed[i]
            elif not passed[i]:
                required = False
        if weighted and required:
            scores[score] = scores.get(score, 0) + 1
        qualifies = required and (rule.threshold is None or score >= rule.threshold)
        by_rule += qualifies
        excluded += qualifies and bool(exclude)
        included += bool(include) and not qualifies
        if include or (qualifies and not exclude):
            entitled.append(reference)
    return Preview(
        base=base,
        by_rule=by_rule,
        entitled=len(entitled),
        included=included,
        excluded=excluded,
        passing=[(describe(c), passing[i]) for i, c in enumerate(criteria)],
        scores=sorted(scores.items()),
        sample=heapq.nsmallest(sample, entitled),
    )
