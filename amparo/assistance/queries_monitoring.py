"""Reads for reconciliation and monitoring: a cycle's reconciliation and anomalies, its
post-distribution monitoring sample and surveys, and the people reached by deliveries.

Who reconciles a cycle: holders of `assistance.manage` or `reports.view` (M&E) in its
organization (in its office for office-bound roles). Who sees the monitoring sample and
surveys: holders of `assistance.manage` within the same scope. Everybody else gets 404.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from amparo.assistance.models import (
    CashUse,
    Cycle,
    Delivery,
    Entitlement,
    MonitoringSample,
    MonitoringSurvey,
    Problem,
)
from amparo.core import access
from amparo.core.models import User
from amparo.registry.models import Individual
from amparo.registry.normalize import name_key

RECONCILE = ("assistance.manage", "reports.view")
# Whose counts of people reached include deliveries: whoever sees deliveries or reports.
REACH = ("assistance.distribute", "assistance.manage", "reports.view")


def cycles_reconcilable_by(user: User) -> QuerySet[Cycle]:
    """The cycles whose reconciliation `user` may read (see the module's docstring)."""
    if not access.can_any(user, RECONCILE):
        return Cycle.objects.none()
    qs = Cycle.objects.select_related("project", "office")
    return access.visible(user, qs, office_field="office")


def get_reconcilable_cycle_for(user: User, cycle_id: UUID | str) -> Cycle:
    """One cycle `user` may reconcile; 404 when missing or out of scope."""
    return access.get_visible(cycles_reconcilable_by(user), uuid=cycle_id)


def managed_deliveries(user: User) -> QuerySet[Delivery]:
    """The deliveries `user` may reverse: those of their scope, with `assistance.manage`."""
    if not access.can(user, "assistance.manage"):
        return Delivery.objects.none()
    qs = Delivery.objects.select_related("entitlement", "entitlement__household", "delivered_by")
    return access.visible(user, qs, office_field="entitlement__office")


def get_managed_delivery_for(user: User, delivery_id: UUID | str) -> Delivery:
    """One delivery `user` may reverse; 404 when missing or out of scope."""
    return access.get_visible(managed_deliveries(user), uuid=delivery_id)


def get_managed_entitlement_for(user: User, entitlement_id: UUID | str) -> Entitlement:
    """One entitlement `user` may cancel; 404 when missing or out of scope."""
    if not access.can(user, "assistance.manage"):
        return access.get_visible(Entitlement.objects.none(), uuid=entitlement_id)
    qs = access.visible(user, Entitlement.objects.select_related("cycle"), office_field="office")
    return access.get_visible(qs, uuid=entitlement_id)


# --- Reconciliation -----------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    households: int = 0
    amount: Decimal = Decimal(0)


@dataclass(frozen=True)
class Row:
    """One line of a breakdown (a day, an officer)."""

    label: str
    households: int
    amount: Decimal


@dataclass(frozen=True)
class Collector:
    """One person who collected for `households` households (at least the threshold)."""

    name: str
    households: int
    references: list[str]


@dataclass(frozen=True)
class Burst:
    """`count` deliveries by `officer` from `start` to `end` (within the window)."""

    officer: str
    start: datetime.datetime
    end: datetime.datetime
    count: int


@dataclass(frozen=True)
class Outside:
    """A delivery recorded on a day outside its cycle's dates."""

    reference: str
    delivered_at: datetime.datetime
    officer: str


@dataclass(frozen=True)
class Reversal:
    reference: str
    delivered_at: datetime.datetime
    reversed_at: datetime.datetime | None  # never None: the query reads reversed ones only
    reversed_by: str
    reason: str


@dataclass(frozen=True)
class Thresholds:
    collector_households: int
    burst_deliveries: int
    burst_seconds: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        return cls(
            collector_households=settings.AMPARO_ANOMALY_COLLECTOR_HOUSEHOLDS,
            burst_deliveries=settings.AMPARO_ANOMALY_BURST_DELIVERIES,
            burst_seconds=settings.AMPARO_ANOMALY_BURST_SECONDS,
        )


@dataclass
class Reconciliation:
    """What a cycle promised and what it handed out. `pending` are the households not served
    yet; once the cycle is closed they are the absent (`absent`)."""

    cycle: Cycle
    thresholds: Thresholds
    entitled: Tally = field(default_factory=Tally)
    delivered: Tally = field(default_factory=Tally)
    pending: Tally = field(default_factory=Tally)
    cancelled: Tally = field(default_factory=Tally)
    reversals: list[Reversal] = field(default_factory=list)
    by_day: list[Row] = field(default_factory=list)
    by_officer: list[Row] = field(default_factory=list)
    collectors: list[Collector] = field(default_factory=list)
    outside_dates: list[Outside] = field(default_factory=list)
    bursts: list[Burst] = field(default_factory=list)
    # Stock movements (the stock branch) and cash payment counts (the payments branch) add
    # their own fields here, filled in `reconciliation`.

    @property
    def absent(self) -> Tally | None:
        return self.pending if self.cycle.state == Cycle.State.CLOSED else None

    @property
    def anomalies(self) -> int:
        return len(self.collectors) + len(self.outside_dates) + len(self.bursts)


def _officer_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def reconciliation(
    user: User, cycle: Cycle, thresholds: Thresholds | None = None
) -> Reconciliation:
    """The reconciliation of `cycle` (one `user` read through `get_reconcilable_cycle_for`):
    counts and amounts by state, current deliveries by day and by officer, reversals, and
    the anomalies (`collectors`, `outside_dates`, `bursts`; thresholds from the settings
    unless given). A fixed number of queries; the anomalies are computed in Python over the
    cycle's deliveries, in one pass each (20,000 deliveries in well under a second).
    """
    result = Reconciliation(cycle=cycle, thresholds=thresholds or Thresholds.from_settings())
    entitlements = access.visible(
        user, Entitlement.objects.filter(cycle=cycle), office_field="office"
    )
    states = {
        row["state"]: Tally(row["n"], row["amount"] or Decimal(0))
        for row in entitlements.values("state").annotate(n=Count("pk"), amount=Sum("amount"))
    }
    result.delivered = states.get(Entitlement.State.DELIVERED, Tally())
    # Pending while the cycle is open, absent once it closed: one line of the table.
    pending = states.get(Entitlement.State.PENDING, Tally())
    absent = states.get(Entitlement.State.ABSENT, Tally())
    result.pending = Tally(pending.households + absent.households, pending.amount + absent.amount)
    result.cancelled = states.get(Entitlement.State.CANCELLED, Tally())
    result.entitled = Tally(
        result.delivered.households + result.pending.households,
        result.delivered.amount + result.pending.amount,
    )
    deliveries = access.visible(
        user,
        Delivery.objects.filter(entitlement__cycle=cycle),
        office_field="entitlement__office",
    )
    rows = list(
        deliveries.filter(reversed_at__isnull=True)
        .order_by("delivered_at", "pk")
        .values_list(
            "delivered_at",
            "delivered_by_id",
            "entitlement__amount",
            "entitlement__household_id",
            "entitlement__household__reference",
            "collected_by_id",
            "collected_by_alternate",
        )
    )
    officers = {
        u.pk: _officer_name(u)
        for u in User.objects.filter(pk__in={r[1] for r in rows} | _reversers(deliveries))
    }
    _breakdowns(result, rows, officers)
    _collectors(result, rows)
    _outside_dates(result, rows, officers)
    _bursts(result, rows, officers)
    result.reversals = [
        Reversal(
            reference=reference,
            delivered_at=delivered_at,
            reversed_at=reversed_at,
            reversed_by=officers.get(by, ""),
            reason=reason,
        )
        for reference, delivered_at, reversed_at, by, reason in deliveries.filter(
            reversed_at__isnull=False
        )
        .order_by("reversed_at", "pk")
        .values_list(
            "entitlement__household__reference",
            "delivered_at",
            "reversed_at",
            "reversed_by_id",
            "reverse_reason",
        )
    ]
    return result


def _reversers(deliveries: QuerySet[Delivery]) -> set[int]:
    return set(
        deliveries.filter(reversed_by__isnull=False).values_list("reversed_by_id", flat=True)
    )


def _breakdowns(result: Reconciliation, rows: list, officers: dict[int, str]) -> None:
    days: dict[datetime.date, list] = defaultdict(lambda: [0, Decimal(0)])
    by_officer: dict[int, list] = defaultdict(lambda: [0, Decimal(0)])
    for at, officer, amount, *_rest in rows:
        day = days[timezone.localdate(at)]
        day[0], day[1] = day[0] + 1, day[1] + amount
        person = by_officer[officer]
        person[0], person[1] = person[0] + 1, person[1] + amount
    result.by_day = [Row(day.isoformat(), n, total) for day, (n, total) in sorted(days.items())]
    result.by_officer = sorted(
        (Row(officers[o], n, total) for o, (n, total) in by_officer.items()),
        key=lambda r: (-r.households, r.label),
    )


def _collectors(result: Reconciliation, rows: list) -> None:
    """One person collecting for many households: a member (by their folded name, so the same
    person registered twice, or named as an alternate elsewhere, is caught) or an alternate's
    name, folded and in any order."""
    member_ids = {r[5] for r in rows if r[5] is not None}
    members: dict[int, str] = {}
    names: dict[int, str] = {}
    for pk, *parts in Individual.objects.filter(pk__in=member_ids).values_list(
        "pk", "given_names", "first_surname", "second_surname"
    ):
        members[pk] = name_key(*parts)
        names[pk] = " ".join(p for p in parts if p)
    households: dict[str, dict[int, str]] = defaultdict(dict)
    shown: dict[str, str] = {}
    for *_head, household, reference, member, alternate in rows:
        if member is not None:
            key = members.get(member) or f"#{member}"
            label = names.get(member, "")
        else:
            key = name_key(alternate) or alternate
            label = alternate
        households[key][household] = reference
        shown.setdefault(key, label)
    limit = result.thresholds.collector_households
    result.collectors = sorted(
        (
            Collector(shown[key], len(found), sorted(found.values()))
            for key, found in households.items()
            if len(found) >= limit
        ),
        key=lambda c: (-c.households, c.name),
    )


def _outside_dates(result: Reconciliation, rows: list, officers: dict[int, str]) -> None:
    cycle = result.cycle
    result.outside_dates = [
        Outside(reference, at, officers[officer])
        for at, officer, _amount, _household, reference, *_rest in rows
        if not cycle.start_date <= timezone.localdate(at) <= cycle.end_date
    ]


def _bursts(result: Reconciliation, rows: list, officers: dict[int, str]) -> None:
    """At least N deliveries by one officer within M seconds: a sliding window over each
    officer's times; overlapping windows are reported as one burst."""
    need = result.thresholds.burst_deliveries
    window = datetime.timedelta(seconds=result.thresholds.burst_seconds)
    times: dict[int, list[datetime.datetime]] = defaultdict(list)
    for at, officer, *_rest in rows:  # rows come in time order
        times[officer].append(at)
    bursts = []
    for officer, stamps in times.items():
        start = 0
        run: tuple[int, int] | None = None  # first and last index of the current burst
        for end, at in enumerate(stamps):
            while at - stamps[start] > window:
                start += 1
            if end - start + 1 < need:
                continue
            if run is not None and start <= run[1]:
                run = (run[0], end)
            else:
                if run is not None:
                    bursts.append(_burst(officers[officer], stamps, run))
                run = (start, end)
        if run is not None:
            bursts.append(_burst(officers[officer], stamps, run))
    result.bursts = sorted(bursts, key=lambda b: (b.start, b.officer))


def _burst(officer: str, stamps: list[datetime.datetime], run: tuple[int, int]) -> Burst:
    first, last = run
    return Burst(officer, stamps[first], stamps[last], last - first + 1)


# --- Post-distribution monitoring -----------------------------------------------------------


def monitoring_surveys_visible_to(user: User) -> QuerySet[MonitoringSurvey]:
    """The post-distribution surveys `user` may read and record (see the module's
    docstring), with their household."""
    if not access.can(user, "assistance.manage"):
        return MonitoringSurvey.objects.none()
    qs = MonitoringSurvey.objects.select_related(
        "sample", "sample__cycle", "entitlement", "entitlement__household", "answered_by"
    )
    return access.visible(user, qs, office_field="office")


def get_monitoring_survey_for(user: User, survey_id: UUID | str) -> MonitoringSurvey:
    """One survey `user` may read and record; 404 when missing or out of scope."""
    return access.get_visible(monitoring_surveys_visible_to(user), uuid=survey_id)


def monitoring_samples_visible_to(user: User) -> QuerySet[MonitoringSample]:
    """The monitoring samples `user` may see: holders of `assistance.manage` in scope."""
    if not access.can(user, "assistance.manage"):
        return MonitoringSample.objects.none()
    qs = MonitoringSample.objects.select_related("cycle", "drawn_by")
    return access.visible(user, qs, office_field="office")


def monitoring_sample_of(user: User, cycle: Cycle) -> MonitoringSample | None:
    """The monitoring sample of `cycle` if `user` may see it, else None."""
    return monitoring_samples_visible_to(user).filter(cycle=cycle).first()


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    percent: int


@dataclass
class MonitoringSummary:
    sampled: int
    answered: int
    satisfaction: list[Share]
    average_satisfaction: Decimal | None
    uses: list[Share]
    problems: list[Share]
    felt_safe: Share
    felt_unsafe: Share
    complaints: int


def monitoring_summary(surveys: QuerySet[MonitoringSurvey]) -> MonitoringSummary:
    """The answers of `surveys` (a sample's, read through `monitoring_surveys_visible_to`)
    counted: satisfaction 1 to 5, uses, problems (shares of the households answered), safety
    and the number of complaints. Free texts are not summarised: they are read one by one."""
    rows = list(
        surveys.filter(answered_at__isnull=False).values_list(
            "satisfaction", "uses", "problems", "felt_safe", "complaint"
        )
    )
    answered = len(rows)

    def share(label: object, count: int) -> Share:
        return Share(str(label), count, round(100 * count / answered) if answered else 0)

    scores: list[int] = [r[0] for r in rows if r[0] is not None]
    return MonitoringSummary(
        sampled=surveys.count(),
        answered=answered,
        satisfaction=[share(str(n), scores.count(n)) for n in range(5, 0, -1)],
        average_satisfaction=(
            (Decimal(sum(scores)) / answered).quantize(Decimal("0.1")) if answered else None
        ),
        uses=[share(label, sum(v in r[1] for r in rows)) for v, label in CashUse.choices],
        problems=[share(label, sum(v in r[2] for r in rows)) for v, label in Problem.choices],
        felt_safe=share("", sum(r[3] is True for r in rows)),
        felt_unsafe=share("", sum(r[3] is False for r in rows)),
        complaints=sum(bool(r[4]) for r in rows),
    )


# --- People reached ---------------------------------------------------------------------------


def _deliveries_in(
    user: User, since: datetime.date | None, until: datetime.date | None
) -> QuerySet[Delivery]:
    if not access.can_any(user, REACH):
        return Delivery.objects.none()
    qs = Delivery.objects.filter(reversed_at__isnull=True)
    if since is not None:
        qs = qs.filter(delivered_at__date__gte=since)
    if until is not None:
        qs = qs.filter(delivered_at__date__lte=until)
    return access.visible(user, qs, office_field="entitlement__office")


def individuals_reached_by_deliveries(
    user: User, since: datetime.date | None = None, until: datetime.date | None = None
) -> QuerySet:
    """The ids (`individual_id`) of the people reached by the deliveries `user` may see,
    delivered from `since` to `until` (inclusive; reversed ones left out).

    A delivery reaches its household: every member is reached, as the reports of cash and
    kits count them (households reached, and individuals reached = their members), not only
    the person who collected. Members are the household's today. Registered with
    `activities.queries.count_reached_with`, so that `people_reached` counts each person once
    across services given and deliveries.
    """
    households = _deliveries_in(user, since, until).values("entitlement__household_id")
    return (
        Individual.objects.filter(household_id__in=households)
        .values_list("pk", flat=True)
        .order_by()
    )


def households_reached(
    user: User, since: datetime.date | None = None, until: datetime.date | None = None
) -> int:
    """How many households received at least one delivery `user` may see, from `since` to
    `until` (inclusive), each once."""
    return (
        _deliveries_in(user, since, until).aggregate(
            n=Count("entitlement__household_id", distinct=True)
        )["n"]
        or 0
    )
