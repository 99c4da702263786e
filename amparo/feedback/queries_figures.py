"""Monthly feedback figures: counts only, never an entry.

Who: holders of `feedback.view`, `feedback.psea` or `reports.view` (from their role; a
superuser's flag grants none), over their organization (their office for an office-bound
role: entries from the public page without an office are then not theirs to count).

Sensitive categories (fraud, sexual exploitation and abuse, staff misconduct) appear to
everyone but the ethics focal points (`feedback.psea`) as one anonymous count per category,
small cells suppressed by `core.disclosure` (secondary suppression included); the sensitive
total is suppressed the same way, and the count of all entries is shown only when it cannot
give it away. Every other table counts the ordinary categories only, unless the reader holds
`feedback.psea`, who sees every count exactly, sensitive entries broken down too.

Two queries whatever the number of entries: one GROUP BY over every dimension, one for the
offices' names; the tables are sums of those groups.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core import disclosure
from amparo.core.models import Office, User
from amparo.feedback.models import (
    SENSITIVE,
    Category,
    Channel,
    FeedbackEntry,
    Satisfaction,
    Status,
)
from amparo.feedback.queries import reads_sensitive

FIGURES_READERS = ("feedback.view", "feedback.psea", "reports.view")

ON_TIME = "closed_on_time"
LATE = "closed_late"
OPEN_IN_TIME = "open_in_time"
OPEN_OVERDUE = "open_overdue"
NO_OFFICE = "none"


def may_see_figures(user: User) -> bool:
    """Whether `user` may read the figures (their role grants it; they have an organization)."""
    return (
        user.is_authenticated
        and user.is_active
        and user.organization_id is not None
        and any(p in user.permissions for p in FIGURES_READERS)
    )


def entries_counted_for(user: User) -> QuerySet[FeedbackEntry]:
    """Every entry the figures of `user` count, sensitive ones included. Only ever aggregated:
    never listed, never read one by one."""
    if not may_see_figures(user) or user.organization_id is None:
        return FeedbackEntry.objects.none()
    qs = FeedbackEntry.objects.filter(organization_id=user.organization_id)
    if user.office_bound:
        qs = qs.filter(office_id=user.office_id) if user.office_id else qs.none()
    return qs


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of `month` and of the next one, in the instance's time zone."""
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)

    def start(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    return start(first), start(following)


Cell = int | None  # None: suppressed ("<5")


@dataclass
class Table:
    """One table as shown and exported: `rows` and `footer` are (label, cells) with one cell
    per column; None is a suppressed count."""

    key: str
    title: str
    row_heading: str
    columns: list[str]
    rows: list[tuple[str, list[Cell]]] = field(default_factory=list)
    footer: list[tuple[str, list[Cell]]] = field(default_factory=list)


@dataclass
class Figures:
    month: datetime.date
    exact: bool  # the reader sees sensitive counts exactly (an ethics focal point)
    total: Cell  # every entry received in the month; None when it would reveal a small count
    tables: list[Table]


def _groups(user: User, month: datetime.date, today: datetime.date) -> list[dict]:
    since, until = month_bounds(month)
    deadline = Case(
        When(Q(status=Status.CLOSED, closed_at__date__lte=F("due_on")), then=Value(ON_TIME)),
        When(status=Status.CLOSED, then=Value(LATE)),
        When(due_on__lt=today, then=Value(OPEN_OVERDUE)),
        default=Value(OPEN_IN_TIME),
        output_field=CharField(),
    )
    grouped = (
        entries_counted_for(user)
        .filter(received_at__gte=since, received_at__lt=until)
        .annotate(deadline=deadline)
        .values("category", "channel", "office_id", "status", "satisfaction", "deadline")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [dict(g) for g in grouped]


def _by_category(groups: list[dict], exact: bool) -> tuple[Table, Cell]:
    counts = {c.value: 0 for c in Category}
    for g in groups:
        counts[g["category"]] += g["n"]
    ordinary = [c for c in Category if c not in SENSITIVE]
    sensitive = [c for c in Category if c in SENSITIVE]
    ordinary_total = sum(counts[c.value] for c in ordinary)
    shown: dict[str, Cell] = {c.value: counts[c.value] for c in ordinary}
    if exact:
        shown.update({c.value: counts[c.value] for c in sensitive})
        sensitive_total: Cell = sum(counts[c.value] for c in sensitive)
    else:
        # The sensitive rows and their total as one table of the kernel's disclosure control:
        # no hidden cell can be worked out from the shown ones or the total.
        table = disclosure.suppress({c.value: {"n": counts[c.value]} for c in sensitive}, ["n"])
        shown.update({c.value: table["rows"][c.value]["cells"]["n"] for c in sensitive})
        sensitive_total = table["totals"]["n"]
    total = None if sensitive_total is None else ordinary_total + sensitive_total
    result = Table(
        key="category",
        title=_("By category"),
        row_heading=_("Category"),
        columns=[_("Entries")],
        rows=[(str(c.label), [shown[c.value]]) for c in [*ordinary, *sensitive]],
        footer=[
            (_("Ordinary categories"), [ordinary_total]),
            (_("Sensitive categories"), [sensitive_total]),
            (_("Total"), [total]),
        ],
    )
    return result, total


def _breakdown(
    groups: list[dict],
    exact: bool,
    *,
    key: str,
    title: str,
    heading: str,
    values: list[tuple[str, str]],
    of,
) -> Table:
    """Entries by one dimension (`of(group)` → the code of its row): the ordinary categories
    only, or for an ethics focal point ordinary, sensitive and total."""
    ordinary = {code: 0 for code, _label in values}
    sensitive = {code: 0 for code, _label in values}
    for g in groups:
        code = of(g)
        if code not in ordinary:
            continue
        (sensitive if g["category"] in SENSITIVE else ordinary)[code] += g["n"]
    if exact:
        columns = [_("Ordinary categories"), _("Sensitive categories"), _("Total")]

        def cells(code: str) -> list[Cell]:
            return [ordinary[code], sensitive[code], ordinary[code] + sensitive[code]]

        totals: list[Cell] = [
            sum(ordinary.values()),
            sum(sensitive.values()),
            sum(ordinary.values()) + sum(sensitive.values()),
        ]
    else:
        columns = [_("Entries")]

        def cells(code: str) -> list[Cell]:
            return [ordinary[code]]

        totals = [sum(ordinary.values())]
    return Table(
        key=key,
        title=title,
        row_heading=heading,
        columns=columns,
        rows=[(label, cells(code)) for code, label in values],
        footer=[(_("Total"), totals)],
    )


def _offices(user: User, groups: list[dict]) -> list[tuple[str, str]]:
    """The offices in scope, and any other one entries point at (closed since), by name."""
    used = {g["office_id"] for g in groups if g["office_id"] is not None}
    scope = Q(organization_id=user.organization_id, is_active=True)
    if user.office_bound:
        scope = Q(pk=user.office_id)
    offices = Office.objects.filter(scope | Q(pk__in=used)).order_by("name", "pk")
    rows = [(str(pk), name) for pk, name in offices.values_list("pk", "name")]
    if not user.office_bound:
        rows.append((NO_OFFICE, _("No office (public page)")))
    return rows


def monthly_figures(
    user: User, month: datetime.date, today: datetime.date | None = None
) -> Figures:
    """The figures of entries received in `month` (its first day) that `user` may count."""
    today = today or timezone.localdate()
    exact = reads_sensitive(user)
    groups = _groups(user, month, today)
    by_category, total = _by_category(groups, exact)

    def table(key, title, heading, values, of) -> Table:
        return _breakdown(
            groups, exact, key=key, title=title, heading=heading, values=values, of=of
        )

    deadlines = [
        (ON_TIME, _("Closed within the deadline")),
        (LATE, _("Closed late")),
        (OPEN_IN_TIME, _("Open, within the deadline")),
        (OPEN_OVERDUE, _("Open, overdue")),
    ]
    tables = [
        by_category,
        table(
            "channel",
            _("By channel"),
            _("Channel"),
            [(c.value, str(c.label)) for c in Channel],
            lambda g: g["channel"],
        ),
        table(
            "office",
            _("By office"),
            _("Office"),
            _offices(user, groups),
            lambda g: NO_OFFICE if g["office_id"] is None else str(g["office_id"]),
        ),
        table(
            "status",
            _("By status"),
            _("Status"),
            [(s.value, str(s.label)) for s in Status],
            lambda g: g["status"],
        ),
        table("deadline", _("Answer deadline"), _("Deadline"), deadlines, lambda g: g["deadline"]),
        table(
            "satisfaction",
            _("Satisfaction at closure"),
            _("Satisfaction"),
            [(s.value, str(s.label)) for s in Satisfaction],
            lambda g: g["satisfaction"] if g["status"] == Status.CLOSED else None,
        ),
    ]
    return Figures(month=month.replace(day=1), exact=exact, total=total, tables=tables)
