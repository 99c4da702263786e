"""Every read of services given that a screen, endpoint or report shows, already scoped.

Who sees an activity: holders of `activities.view` in its organization (in its office for
office-bound roles) — and, when it belongs to a case, only the people who may see that case
(`cases_visible_to`): a service given on a GBV or PSEA case stays with the GBV team, hidden even
from administrators and platform operators. Everybody else gets 404.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from amparo.activities.models import Activity, Attendance
from amparo.cases.queries import cases_visible_to
from amparo.core import access
from amparo.core.models import Office, User
from amparo.core.queries import users_visible_to
from amparo.registry.models import Individual
from amparo.registry.queries import individuals_visible_to


def activities_visible_to(user: User) -> QuerySet[Activity]:
    """The activities `user` may see (see the module's docstring)."""
    if not access.can(user, "activities.view"):
        return Activity.objects.none()
    qs = access.visible(user, Activity.objects.select_related("office"), office_field="office")
    qs = qs.filter(Q(case__isnull=True) | Q(case__in=cases_visible_to(user).values("pk")))
    return qs


def with_attendance(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """Annotate `registered` (participants) and `counted` (people counted) without joins."""
    through = Activity.participants.through
    registered = (
        through.objects.filter(activity_id=OuterRef("pk"))
        .values("activity_id")
        .annotate(n=Count("individual_id"))
        .values("n")  # type: ignore[misc]  # django-stubs loses `n` on an auto-created through model
    )
    counted = (
        Attendance.objects.filter(activity_id=OuterRef("pk"))
        .values("activity_id")
        .annotate(n=Sum("count"))
        .values("n")
    )
    return qs.annotate(
        registered=Coalesce(Subquery(registered, output_field=IntegerField()), 0),
        counted=Coalesce(Subquery(counted, output_field=IntegerField()), 0),
    )


def get_activity_for(user: User, activity_id: UUID | str) -> Activity:
    """One activity with its staff, case and attendance; 404 when missing or out of scope."""
    qs = with_attendance(activities_visible_to(user)).select_related("case", "recorded_by")
    qs = qs.prefetch_related("staff", "attendance")
    return access.get_visible(qs, uuid=activity_id)


def participants_shown_to(user: User, activity: Activity) -> QuerySet[Individual]:
    """The activity's registered participants whom `user` may see in the registry.

    An activity can be visible to someone who may not see every participant's household (a
    colleague without registry access, or with a narrower office); those are only counted.
    """
    return (
        individuals_visible_to(user)
        .filter(activities=activity)
        .order_by("household__reference", "-is_head", "date_of_birth")
    )


def offices_for_recording(user: User) -> QuerySet[Office]:
    """Active offices where `user` may record: their organization's, or their own office."""
    if not access.can(user, "activities.record"):
        return Office.objects.none()
    return access.visible(user, Office.objects.filter(is_active=True), office_field="pk")


def offices_for_filtering(user: User) -> QuerySet[Office]:
    """Offices whose activities `user` may see, to filter lists by."""
    if not access.can(user, "activities.view"):
        return Office.objects.none()
    return access.visible(user, Office.objects.all(), office_field="pk")


def staff_choices_for(user: User, office: Office | None = None) -> QuerySet[User]:
    """Colleagues `user` may name as staff: active users of the team directory, and themself.

    With `office`, only users of that office's organization.
    """
    qs = User.objects.filter(
        Q(pk__in=users_visible_to(user).values("pk")) | Q(pk=user.pk), is_active=True
    )
    if office is not None:
        qs = qs.filter(organization_id=office.organization_id)
    return qs.order_by("first_name", "last_name", "username")


# Other services that reach registered people, registered by the apps above from
# `AppConfig.ready` (activities may not import them): `assistance` adds deliveries, which reach
# the members of the household served. Each source answers the ids of the individuals reached,
# for a user and a period, as a queryset of one column.
_reach_sources: list[Callable[[User, datetime.date | None, datetime.date | None], QuerySet]] = []


def count_reached_with(
    source: Callable[[User, datetime.date | None, datetime.date | None], QuerySet],
) -> None:
    """Register `source(user, since, until)`: the individual ids it reached, for
    `people_reached` to count with the services given, each person once."""
    if source not in _reach_sources:
        _reach_sources.append(source)


@dataclass(frozen=True)
class PeopleReached:
    """Distinct registered individuals, plus people counted by sex and age band."""

    registered: int
    counted: int

    @property
    def total(self) -> int:
        return self.registered + self.counted


def people_reached(
    user: User, since: datetime.date | None = None, until: datetime.date | None = None
) -> PeopleReached:
    """People reached by the activities `user` may see dated from `since` to `until` (inclusive).

    A registered person counts once however many services they received — services given,
    and what the registered sources add (deliveries of assistance: `count_reached_with`), each
    scoped to what `user` may see. People counted in group activities cannot be told apart,
    so every count adds up: someone who came to three workshops without being registered is
    three people reached.
    """
    activities = activities_visible_to(user)
    if since is not None:
        activities = activities.filter(date__gte=since)
    if until is not None:
        activities = activities.filter(date__lte=until)
    ids = activities.values("pk")
    participants = (
        Activity.participants.through.objects.filter(activity_id__in=ids)
        .values_list("individual_id", flat=True)
        .order_by()
        .distinct()  # also when every source is empty and Django leaves the UNION out
    )
    if _reach_sources:  # UNION (not UNION ALL): a person reached twice is one id
        reached = participants.union(*(source(user, since, until) for source in _reach_sources))
        registered = reached.count()
    else:
        registered = participants.count()
    counted = Attendance.objects.filter(activity_id__in=ids).aggregate(n=Sum("count"))["n"]
    return PeopleReached(registered=registered, counted=counted or 0)
