"""Every read of the service directory, care routes and referrals, already scoped."""

from __future__ import annotations

import hashlib
from uuid import UUID

from django.db.models import Case as DbCase
from django.db.models import Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from amparo.cases import queries as case_queries
from amparo.cases.consent import is_child
from amparo.cases.models import Case, CaseType, GBVTeamMember
from amparo.cases.queries import survivor_age_in
from amparo.core import access
from amparo.core.models import User
from amparo.referrals.models import (
    AWAITING_ANSWER,
    OPEN_STATES,
    CareRoute,
    CoordinationNetwork,
    Intake,
    IntakeLink,
    IntakeState,
    Provider,
    Referral,
    Service,
)

DIRECTORY_READERS = ("referrals.view", "referrals.manage", "referrals.manage_directory")


def _reads_directory(user: User) -> bool:
    return any(access.can(user, p) for p in DIRECTORY_READERS)


def networks_of(user: User) -> QuerySet[CoordinationNetwork]:
    """The active coordination networks the user's organization is a member of."""
    if not user.is_authenticated or not user.is_active or user.organization_id is None:
        return CoordinationNetwork.objects.none()
    return CoordinationNetwork.objects.filter(members=user.organization_id, is_active=True)


def networks_kept_by(user: User) -> QuerySet[CoordinationNetwork]:
    """The networks whose shared directory `user` keeps: a focal point of an active network
    their organization is still a member of, with `referrals.manage_directory`."""
    if not access.can(user, "referrals.manage_directory"):
        return CoordinationNetwork.objects.none()
    return networks_of(user).filter(focal_points=user.pk)


def _directory_rows(user: User, qs: QuerySet, prefix: str = "") -> QuerySet:
    """Rows of the user's organization's own directory and of its networks' shared ones."""
    own = access.visible(user, qs, organization_field=f"{prefix}organization", office_field=None)
    if user.is_superuser:
        return own
    networks = networks_of(user).values("pk")
    return own.filter(**{f"{prefix}network__isnull": True}) | qs.filter(
        **{f"{prefix}network__in": networks}
    )


def directory_keepers() -> QuerySet[User]:
    """Users a platform superuser may name focal points of a network (the action checks that
    they work for a member and may keep a directory)."""
    return User.objects.filter(is_active=True, organization__isnull=False).select_related(
        "organization"
    )


def providers_visible_to(user: User) -> QuerySet[Provider]:
    """The providers of the user's organization's directory and of its networks."""
    if not _reads_directory(user):
        return Provider.objects.none()
    return _directory_rows(user, Provider.objects.all())


def providers_editable_by(user: User) -> QuerySet[Provider]:
    """Providers `user` may change: their organization's own (not a network's), and those of
    the networks they keep as focal point."""
    return _editable(user, providers_visible_to(user))


def services_visible_to(user: User) -> QuerySet[Service]:
    """Services of the user's organization's directory and of its networks (active and
    inactive)."""
    if not _reads_directory(user):
        return Service.objects.none()
    qs = Service.objects.select_related("provider", "provider__agency")
    return _directory_rows(user, qs, "provider__")


def services_editable_by(user: User) -> QuerySet[Service]:
    return _editable(user, services_visible_to(user), "provider__")


def care_routes_visible_to(user: User) -> QuerySet[CareRoute]:
    if not _reads_directory(user):
        return CareRoute.objects.none()
    qs = CareRoute.objects.select_related("area").prefetch_related(
        "steps__service__provider__country"
    )
    return _directory_rows(user, qs)


def care_routes_editable_by(user: User) -> QuerySet[CareRoute]:
    return _editable(user, care_routes_visible_to(user))


def _editable(user: User, qs: QuerySet, prefix: str = "") -> QuerySet:
    if not access.can(user, "referrals.manage_directory"):
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(
        Q(**{f"{prefix}network__isnull": True})
        | Q(**{f"{prefix}network__in": networks_kept_by(user).values("pk")})
    )


def _sender_condition(user: User) -> Q:
    """Referrals the user's side sent: of a case on their team, or (without a case) of their
    office, or of their organization for organization-wide roles."""
    from amparo.cases.queries import cases_visible_to

    if not access.can(user, "referrals.view") or user.organization_id is None:
        return Q(pk__in=[])
    without_case = Q(case__isnull=True)
    if user.office_bound:
        without_case &= Q(from_office_id=user.office_id)
    of_case = Q(case__in=cases_visible_to(user).values("pk"))
    return Q(from_organization_id=user.organization_id) & (of_case | without_case)


def _recipient_condition(user: User) -> Q:
    """Referrals addressed to the user's agency (for office-bound roles: to units of their
    office or of the whole organization)."""
    if not access.can(user, "referrals.respond") or user.organization_id is None:
        return Q(pk__in=[])
    condition = Q(to_organization_id=user.organization_id)
    if user.office_bound:
        condition &= Q(service__provider__office__isnull=True) | Q(
            service__provider__office_id=user.office_id
        )
    # A GBV or PSEA case's referral to a unit of the same organization stays with the GBV
    # team of the case's office (external recipients see what was shared with consent).
    gbv_team = GBVTeamMember.objects.filter(office_id=OuterRef("case__office_id"), user_id=user.pk)
    internal_restricted = Q(case__restricted=True, from_organization_id=user.organization_id)
    return condition & (~internal_restricted | Q(Exists(gbv_team)))


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    """Referrals the user sent (side "sender", every field) or receives (side "recipient": only
    the shared fields). `as_sender` tells which on each row."""
    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    sender, recipient = _sender_condition(user), _recipient_condition(user)
    return (
        Referral.objects.filter(sender | recipient)
        .annotate(as_sender=DbCase(When(sender, then=Value(True)), default=Value(False)))
        .select_related("service", "service__provider", "from_organization", "sent_by", "case")
    )


def get_referral_for(user: User, referral_id: UUID | str) -> Referral:
    return access.get_visible(referrals_visible_to(user), uuid=referral_id)


def _listed(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    return qs.select_related("service", "service__provider", "from_organization", "sent_by", "case")


def incoming_for(user: User) -> QuerySet[Referral]:
    """Referrals addressed to the user's agency. One side only, so each list reads its own
    condition once (see docs/benchmarks.md)."""
    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    sender = _sender_condition(user)
    return _listed(Referral.objects.filter(_recipient_condition(user))).annotate(
        as_sender=DbCase(When(sender, then=Value(True)), default=Value(False))
        if sender != Q(pk__in=[])
        else Value(False)
    )


def outgoing_for(user: User) -> QuerySet[Referral]:
    """Referrals the user's side sent."""
    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    return _listed(Referral.objects.filter(_sender_condition(user))).annotate(as_sender=Value(True))


def waiting_for_answer(user: User) -> QuerySet[Referral]:
    """Incoming referrals not yet concluded (to mark as received, to accept or decline, to report
    on), the nearest answer deadline first."""
    return incoming_for(user).filter(state__in=OPEN_STATES).order_by("respond_by", "id")


def shared_data_withheld(referral: Referral) -> bool:
    """Whether the reader of `referral` (read through `referrals_visible_to`, with `as_sender`)
    no longer sees what it shared about the person (the shared fields, the reason): it was
    withdrawn because the person withdrew consent. Only its originating sender, who holds her
    consent, still reads it; the recipient, and a partner that referred her on from a referral
    it received, keep the reference, service, dates and state."""
    if not referral.consent_withdrawn:
        return False
    return not (getattr(referral, "as_sender", False) and referral.parent_id is None)


def is_overdue(referral: Referral, now=None) -> bool:
    now = now or timezone.now()
    return referral.state in AWAITING_ANSWER and referral.respond_by < now


def overdue(qs: QuerySet[Referral], now=None) -> QuerySet[Referral]:
    return qs.filter(state__in=AWAITING_ANSWER, respond_by__lt=now or timezone.now())


# --- directory screens, API, import and the referral form ------------------------------------
# (Imported here so that this section can grow without touching the lines above.)
from collections.abc import Iterable  # noqa: E402

from amparo.core.models import Area, Organization  # noqa: E402


def can_read_directory(user: User) -> bool:
    """Whether `user` may browse the directory (referrals.view, .manage or .manage_directory)."""
    return _reads_directory(user)


def area_and_parents(area: Area) -> list[int]:
    """Ids of `area` and every area above it (canton → province → country)."""
    chain = []
    seen: set[int] = set()
    current: Area | None = area
    while current is not None and current.pk not in seen:
        chain.append(current.pk)
        seen.add(current.pk)
        current = current.parent
    return chain


def areas_by_code(codes: Iterable[str]) -> dict[str, Area]:
    """Areas for ISO 3166 / P-codes, keyed by the upper-case code (codes are matched that way)."""
    wanted = {c.strip().upper() for c in codes if c and c.strip()}
    if not wanted:
        return {}
    return {a.code.upper(): a for a in Area.objects.filter(code__in=wanted)}


def agencies_for(organization: Organization) -> QuerySet[Organization]:
    """Organizations a directory may name as a provider's agency: Care Route partners and the
    organization itself (only they have focal points in Amparo who receive referrals)."""
    return Organization.objects.filter(Q(is_care_route_partner=True) | Q(pk=organization.pk))


def services_serving(
    user: User, area: Area, *, inside: bool = False, active_only: bool = False
) -> QuerySet[Service]:
    """Visible services that serve `area`: listed for it or for an area above it, or listed for
    no area at all (they serve everywhere). With `inside`, also those listed for an area within
    it (a province's cantons and parishes)."""
    condition = Q(areas__in=area_and_parents(area)) | Q(areas__isnull=True)
    if inside:
        condition |= Q(areas__parent=area) | Q(areas__parent__parent=area)
    qs = services_visible_to(user)
    if active_only:
        qs = qs.filter(is_active=True, provider__is_active=True)
    matching = Service.objects.filter(condition).values("pk")
    return qs.filter(pk__in=matching)


def services_in_order() -> QuerySet[Service]:
    """A provider's services, to prefetch on providers already scoped."""
    return Service.objects.order_by("name", "id")


def get_provider_for(user: User, provider_id: UUID | str) -> Provider:
    """One provider of the user's organization's directory; 404 when missing or out of scope."""
    return access.get_visible(providers_visible_to(user), uuid=provider_id)


def get_service_for(user: User, service_id: UUID | str) -> Service:
    """One service of the user's organization's directory; 404 when missing or out of scope."""
    return access.get_visible(services_visible_to(user), uuid=service_id)


def get_care_route_for(user: User, route_id: UUID | str) -> CareRoute:
    """One care route of the user's organization; 404 when missing or out of scope."""
    return access.get_visible(care_routes_visible_to(user), uuid=route_id)


def care_routes_serving(user: User, area: Area, *, inside: bool = False) -> QuerySet[CareRoute]:
    """Visible care routes for `area` or an area above it (with `inside`, also within it)."""
    condition = Q(area__in=area_and_parents(area))
    if inside:
        condition |= Q(area__parent=area) | Q(area__parent__parent=area)
    return care_routes_visible_to(user).filter(condition)


def care_route_for(user: User, *, area: Area | None, need: str) -> CareRoute | None:
    """The care route the user's organization follows for `need` in `area`: the route of the
    area itself or, failing that, of the nearest area above it; None when there is none."""
    if area is None:
        return None
    chain = area_and_parents(area)
    routes: dict[int, CareRoute] = {}
    for r in care_routes_visible_to(user).filter(area__in=chain, need=need):
        if r.area_id not in routes or r.network_id is None:  # the organization's own first
            routes[r.area_id] = r
    return next((routes[pk] for pk in chain if pk in routes), None)


def suggested_services(user: User, *, area: Area | None, need: str) -> list[Service]:
    """The active services of the care route for `need` in `area`, in the route's order (what
    a referral form offers first). Empty when no route applies."""
    route = care_route_for(user, area=area, need=need)
    return [] if route is None else route_services(route)


def route_services(route: CareRoute) -> list[Service]:
    """The active services of `route`'s steps, in the route's order, each once."""
    services: list[Service] = []
    for step in route.steps.all():
        service = step.service
        if service.is_active and service.provider.is_active and service not in services:
            services.append(service)
    return services


def care_routes_for_case(user: User, case: Case) -> list[CareRoute]:
    """The care routes a referral from `case` follows, in the case office's area: for a child
    survivor of a restricted case, the child protection route first (she is a child before she
    is a GBV survivor: Caring for Child Survivors), then the route for the case's type. A case
    without a route for either gets none."""
    area = case.office.area if case.office_id else None
    needs = [case.type]
    if case.restricted and case.type != CaseType.CHILD_PROTECTION and _survivor_is_child(case):
        needs.insert(0, CaseType.CHILD_PROTECTION)
    routes = [care_route_for(user, area=area, need=need) for need in needs]
    return [route for route in routes if route is not None]


def _survivor_is_child(case: Case) -> bool:
    if case.is_walk_in:
        return is_child(survivor_age_in(case))
    return any(is_child(survivor_age_in(case, person)) for person in case.individuals.all())


def directory_provinces(user: User) -> QuerySet[Area]:
    """First-level areas to filter the directory by: those of the organization's country, or
    (without one) of the countries its directory's services are listed in."""
    qs = Area.objects.filter(level=1).order_by("name")
    organization = user.organization if user.organization_id else None
    if organization is not None and organization.country_id:
        return qs.filter(parent_id=organization.country_id)
    used = services_visible_to(user).values("areas__country_code")
    return qs.filter(country_code__in=used)


# --- onward referrals -------------------------------------------------------------------------

MAX_CHAIN = 10  # links followed down an onward chain


def onward_chain(user: User, referral: Referral) -> list[Referral]:
    """The onward referrals that followed `referral` (a referral of `referrals_visible_to`,
    with `as_sender`), in the order they were sent, for its page.

    Its originating sender (who holds the person's consent) sees the whole chain, however far
    it went (hospital → prosecutor → …); a partner sees only what its own organization sent on
    from it. Rows carry the service, the provider and the state: nothing the chain's partners
    recorded about the person.
    """
    if not (getattr(referral, "as_sender", False) and referral.parent_id is None):
        mine = _links().filter(parent=referral, from_organization_id=user.organization_id)
        return list(mine.order_by("sent_at", "id"))
    return _chains([referral.pk])[referral.pk]


def _links() -> QuerySet[Referral]:
    return Referral.objects.select_related("service", "service__provider", "from_organization")


def _chains(first_ids: list[int]) -> dict[int, list[Referral]]:
    """The whole onward chain of each of `first_ids` (referrals sent from a case or a
    partner's intake, not onward ones), level by level, each level in the order sent: one
    query per level for all of them, at most `MAX_CHAIN` levels."""
    chains: dict[int, list[Referral]] = {pk: [] for pk in first_ids}
    root_of: dict[int | None, int] = {pk: pk for pk in first_ids}
    level = list(first_ids)
    for _depth in range(MAX_CHAIN):
        if not level:
            break
        found = list(_links().filter(parent_id__in=level).order_by("sent_at", "id"))
        for link in found:
            root_of[link.pk] = root_of[link.parent_id]
            chains[root_of[link.pk]].append(link)
        level = [link.pk for link in found]
    return chains


def onward_links(referral: Referral) -> list[Referral]:
    """Every onward referral that followed `referral`, parents before their own onward ones
    (for the actions that carry a withdrawal down the chain; no screen shows these rows)."""
    return _chains([referral.pk])[referral.pk]


def sent_from_case(user: User, case: Case) -> list[Referral]:
    """The referrals `user`'s side sent from `case`, newest first, each with `chain`: the
    onward referrals that followed it (the whole chain, as `onward_chain` shows it to the
    originating sender). For the case's page; a partner never reaches it (the case is not
    theirs). A fixed number of queries whatever the referrals and chains: one for the
    referrals, one per level of the longest chain."""
    referrals = list(outgoing_for(user).filter(case=case).order_by("-sent_at", "-id"))
    chains = _chains([r.pk for r in referrals if r.parent_id is None])
    for referral in referrals:
        referral.chain = chains.get(referral.pk, [])  # type: ignore[attr-defined]
    return referrals


# Intake from care posts (issue 11): the office's GBV team only, whatever the role.


def intake_offices(user: User) -> list[int]:
    """The offices whose intakes and intake links `user` handles: those of their GBV teams."""
    if not user.is_authenticated or not user.is_active or user.organization_id is None:
        return []
    return case_queries.gbv_team_offices(user)


def may_issue_intake_links(user: User) -> bool:
    """A member of the GBV team of their own office who may open cases (a walk-in case is
    what an intake becomes)."""
    return (
        access.can(user, "cases.manage")
        and user.office_id is not None
        and user.office_id in intake_offices(user)
    )


def intake_links_visible_to(user: User) -> QuerySet[IntakeLink]:
    """The intake links of the offices whose GBV team `user` is on."""
    qs = access.visible(user, IntakeLink.objects.all(), office_field=None)
    return qs.filter(office_id__in=intake_offices(user)).select_related("provider", "created_by")


def get_intake_link_for(user: User, link_id: UUID | str) -> IntakeLink:
    return access.get_visible(intake_links_visible_to(user), uuid=link_id)


def intakes_visible_to(user: User) -> QuerySet[Intake]:
    """The intakes received by the offices whose GBV team `user` is on (404 for anyone else,
    administrators included)."""
    qs = access.visible(user, Intake.objects.all(), office_field=None)
    return qs.filter(office_id__in=intake_offices(user)).select_related("office", "case")


def get_intake_for(user: User, intake_id: UUID | str) -> Intake:
    return access.get_visible(intakes_visible_to(user), uuid=intake_id)


def waiting_intakes(user: User) -> QuerySet[Intake]:
    return intakes_visible_to(user).filter(state=IntakeState.RECEIVED)


def intake_link_by_token(token: str) -> IntakeLink | None:
    """The link whose secret is `token`, whatever its state (the public page answers the same
    for every link it cannot use)."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return IntakeLink.objects.filter(token_hash=digest).select_related("office").first()
