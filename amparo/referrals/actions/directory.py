"""Every write to the Care Route directory: providers, their services, care routes and steps.

One transaction each; the audit event in the same function. The actor needs
`referrals.manage_directory` (404 otherwise) and works in their own organization's directory:
another organization's rows answer 404 (platform superusers work in any directory). A
coordination network's shared rows (`network` set, `organization` its convener) are changed
only by the network's focal points, through the same actions with `network=`; its other
members read them and get 404 when they try to change them. Bad input
raises `ActionError` before anything is written. Nothing here deletes a provider or a service:
they are deactivated (`is_active=False`) because referrals keep pointing at them; only a
route's steps, which nothing points at, are removed.

The `check_*` functions are the directory's own rules, without writing: the actions apply them,
and the admin's forms call them in `clean()` so that a refusal shows next to its field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.db.models import ForeignKey, Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from amparo.cases.models import CaseType
from amparo.core import access, audit
from amparo.core.errors import ALL, ActionError, Errors
from amparo.core.models import Area, Office, Organization, User
from amparo.referrals import queries
from amparo.referrals.models import (
    CareRoute,
    CareRouteStep,
    CoordinationNetwork,
    Provider,
    ProviderKind,
    Service,
)

M = TypeVar("M", bound=Model)

PERMISSION = "referrals.manage_directory"
MAX_POSITION = 999  # steps are numbered 1…999


@dataclass(frozen=True)
class RouteStep:
    """One step of a care route as it should be: its number, the service, a note."""

    position: int
    service: Service
    note: str = ""


# --- the directory's rules ----------------------------------------------------------------------


def check_provider(
    *,
    organization: Organization,
    name: str,
    kind: str,
    agency: Organization | None,
    office: Office | None,
    provider: Provider | None = None,
    network: CoordinationNetwork | None = None,
) -> None:
    """Raise ActionError unless a provider so described fits `organization`'s directory (or,
    with `network`, the network's shared one: its agency is then a partner or a member, and it
    is no unit of one organization).

    The agency is a Care Route partner or the organization itself (only they receive referrals
    in Amparo), and for a unit of the organization only the organization; only such a unit has
    an office, one of the organization's; no other provider (than `provider`, when changing
    one) has the same name, case ignored.
    """
    _provider_errors(
        organization=organization,
        name=name,
        kind=kind,
        agency=agency,
        office=office,
        provider=provider,
        network=network,
    ).raise_if_any()


def check_service(*, provider: Provider, name: str, service: Service | None = None) -> None:
    """Raise ActionError if `provider` already has another service called `name` (case ignored)."""
    _service_errors(provider=provider, name=name, service=service).raise_if_any()


def check_care_route(
    *,
    organization: Organization,
    area: Area,
    need: str,
    route: CareRoute | None = None,
    network: CoordinationNetwork | None = None,
) -> None:
    """Raise ActionError if `organization` (or `network`) already has another route for `need`
    in `area`."""
    _route_errors(
        organization=organization, area=area, need=need, route=route, network=network
    ).raise_if_any()


def check_care_route_steps(
    *,
    organization: Organization,
    steps: Sequence[RouteStep],
    network: CoordinationNetwork | None = None,
) -> None:
    """Raise ActionError unless each step has its own number (1…999) and a service of
    `organization`'s directory (a network's route: of the network's). Errors are keyed
    `steps.<index>.<field>`."""
    errors = Errors()
    _add_step_errors(errors, organization=organization, steps=steps, network=network)
    errors.raise_if_any()


def _provider_errors(
    *,
    organization: Organization,
    name: str,
    kind: str,
    agency: Organization | None,
    office: Office | None,
    provider: Provider | None,
    network: CoordinationNetwork | None = None,
) -> Errors:
    errors = Errors()
    internal = kind == ProviderKind.INTERNAL
    if network is not None and internal:
        errors.add(
            "kind",
            _(
                "A network's shared directory lists agencies, not units of one organization: "
                "choose another kind."
            ),
        )
    agencies = queries.agencies_for(organization)
    if network is not None:
        agencies = agencies | network.members.all()
    if agency is not None:
        if not agencies.filter(pk=agency.pk).exists():
            errors.add(
                "agency",
                _(
                    "Choose a Care Route partner or your own organization: only they receive "
                    "referrals in Amparo."
                ),
            )
        elif internal and agency.pk != organization.pk:
            errors.add(
                "agency",
                _(
                    "A unit of your organization receives its referrals in your organization: "
                    "choose it or leave the field empty."
                ),
            )
    if office is not None and not internal:
        errors.add(
            "office",
            _(
                "Only a unit of your organization has an office: leave it empty, or set the "
                "kind to “%(internal)s”."
            )
            % {"internal": ProviderKind.INTERNAL.label},
        )
    elif office is not None and office.organization_id != organization.pk:
        errors.add("office", _("Choose one of your organization's offices."))
    if network is not None:
        taken = Provider.objects.filter(network=network, name__iexact=name.strip())
    else:
        taken = Provider.objects.filter(
            organization=organization, network__isnull=True, name__iexact=name.strip()
        )
    if provider is not None:
        taken = taken.exclude(pk=provider.pk)
    if name.strip() and taken.exists():
        errors.add(
            ALL, _("The directory already lists a provider called “%(name)s”.") % {"name": name}
        )
    return errors


def _service_errors(*, provider: Provider, name: str, service: Service | None) -> Errors:
    errors = Errors()
    taken = Service.objects.filter(provider=provider, name__iexact=name.strip())
    if service is not None:
        taken = taken.exclude(pk=service.pk)
    if name.strip() and taken.exists():
        errors.add(
            "name",
            _("%(provider)s already has a service called “%(name)s”.")
            % {"provider": provider.name, "name": name},
        )
    return errors


def _route_errors(
    *,
    organization: Organization,
    area: Area,
    need: str,
    route: CareRoute | None,
    network: CoordinationNetwork | None = None,
) -> Errors:
    errors = Errors()
    if network is not None:
        taken = CareRoute.objects.filter(network=network, area=area, need=need)
    else:
        taken = CareRoute.objects.filter(
            organization=organization, network__isnull=True, area=area, need=need
        )
    if route is not None:
        taken = taken.exclude(pk=route.pk)
    if need in CaseType.values and taken.exists():
        errors.add(
            ALL,
            _("There is already a care route for %(need)s in %(area)s: change that one instead.")
            % {"need": CaseType(need).label, "area": area.display_name},
        )
    return errors


def _add_step_errors(
    errors: Errors,
    *,
    organization: Organization,
    steps: Sequence[RouteStep],
    network: CoordinationNetwork | None = None,
) -> None:
    directory = (
        {"provider__network": network}
        if network is not None
        else {"provider__organization": organization, "provider__network__isnull": True}
    )
    ours = set(
        Service.objects.filter(pk__in={s.service.pk for s in steps}, **directory).values_list(
            "pk", flat=True
        )
    )
    limits = (MinValueValidator(1), MaxValueValidator(MAX_POSITION))
    note_length = CareRouteStep._meta.get_field("note").max_length or 0
    seen: set[int] = set()
    for index, step in enumerate(steps):
        try:
            for limit in limits:
                limit(step.position)
        except ValidationError as exc:
            for message in exc.messages:
                errors.add(f"steps.{index}.position", message)
        else:
            if step.position in seen:
                errors.add(
                    f"steps.{index}.position",
                    _("Another step already has number %(n)d: give each step its own number.")
                    % {"n": step.position},
                )
            seen.add(step.position)
        if step.service.pk not in ours:
            errors.add(
                f"steps.{index}.service",
                _("Choose a service of the network's shared directory.")
                if network is not None
                else _("Choose a service of your organization's directory."),
            )
        if len(step.note) > note_length:
            errors.add(
                f"steps.{index}.note",
                _("Keep this under %(max)d characters.") % {"max": note_length},
            )


def _add_field_errors(errors: Errors, obj: Model) -> None:
    """The model's own field rules (required, lengths, choices, e-mail). Relations are left to
    the actions (scope) and the rules above (agency, office, steps), uniqueness to the rules
    above (case ignored); the database's constraints back both."""
    relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    try:
        obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                errors.add(field, message)


# --- helpers ------------------------------------------------------------------------------------


def _directory(
    actor: User, organization: Organization | None, current: Organization | None = None
) -> Organization:
    """The organization whose directory a row is in: `organization` when given, else the row's
    `current` one, else the actor's. Only platform superusers reach another organization's
    directory (404 for everyone else)."""
    if not actor.is_superuser:
        if actor.organization_id is None:
            raise Http404
        if organization is not None and organization.pk != actor.organization_id:
            raise Http404
        directory = current or actor.organization
        if directory is None:
            raise Http404
        return directory
    organization = organization or current or actor.organization
    if organization is None:
        raise ActionError.on("organization", _("This field is required."))
    return organization


def _kept_network(actor: User, network: CoordinationNetwork) -> CoordinationNetwork:
    """`network`, when the actor keeps its shared directory (a focal point; platform superusers
    too); 404 for everyone else, members included."""
    kept = CoordinationNetwork.objects.all() if actor.is_superuser else None
    return access.get_visible(
        kept if kept is not None else queries.networks_kept_by(actor), pk=network.pk
    )


def _locked(qs: QuerySet[M], obj: M) -> M:
    """`obj` read again from the actor's scope and locked (404 when missing or out of scope).
    The caller's instance is left alone: a refused change leaves nothing half-applied on it."""
    return access.get_visible(qs.select_for_update(of=("self",)), pk=obj.pk)


def _apply(obj: Model, values: dict[str, object]) -> list[str]:
    """Set `values` on `obj`; return the names of those that differ (relations by id)."""
    changed = []
    for name, value in values.items():
        field = obj._meta.get_field(name)
        if isinstance(field, ForeignKey):
            before, after = getattr(obj, field.attname), getattr(value, "pk", None)
        else:
            before, after = getattr(obj, name), value
        if before != after:
            changed.append(name)
        setattr(obj, name, value)
    return changed


# --- providers and services ---------------------------------------------------------------------


@transaction.atomic
def save_provider(
    *,
    actor: User,
    provider: Provider | None = None,
    organization: Organization | None = None,
    name: str,
    kind: str,
    agency: Organization | None = None,
    office: Office | None = None,
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    is_active: bool = True,
    network: CoordinationNetwork | None = None,
    country: Area | None = None,
    request: HttpRequest | None = None,
) -> Provider:
    """Add a provider to a directory (`provider` None) or change one; every field is set as given.

    The directory is the actor's organization's (platform superusers name `organization`; they
    may also move a provider), or with `network` the network's shared one, kept by its focal
    points (a provider stays in the directory it was added to). A unit of the organization
    without an agency receives its referrals in the organization itself. `is_active=False`
    deactivates it.

    Side effects: audit `referrals.provider.created` (fields set) or `.updated` (fields changed).
    """
    access.require(actor, PERMISSION)
    if provider is None and network is not None:
        network = _kept_network(actor, network)
        organization = network.convener
        provider, verb = Provider(organization=organization, network=network), "created"
    elif provider is None:
        organization = _directory(actor, organization)
        provider, verb = Provider(organization=organization), "created"
    else:
        provider = _locked(queries.providers_editable_by(actor), provider)
        network = provider.network
        if network is not None:
            organization = network.convener
        else:
            organization = _directory(actor, organization, provider.organization)
        verb = "updated"
    if kind == ProviderKind.INTERNAL and agency is None:
        agency = organization
    name = name.strip()
    changed = _apply(
        provider,
        {
            "organization": organization,
            "name": name,
            "kind": kind,
            "agency": agency,
            "office": office,
            "contact_name": contact_name.strip(),
            "phone": phone.strip(),
            "email": email.strip(),
            "address": address.strip(),
            "country": country,
            "is_active": is_active,
        },
    )
    errors = _provider_errors(
        organization=organization,
        name=name,
        kind=kind,
        agency=agency,
        office=office,
        provider=provider if provider.pk else None,
        network=network,
    )
    if country is not None and country.level != 0:
        errors.add("country", _("Choose a country."))
    _add_field_errors(errors, provider)
    errors.raise_if_any()
    if provider.pk is None:
        provider.save()
    elif changed:
        provider.save(update_fields=changed)
    audit.record(
        actor=actor,
        action=f"referrals.provider.{verb}",
        target=provider,
        fields=changed,
        request=request,
    )
    return provider


@transaction.atomic
def save_service(
    *,
    actor: User,
    service: Service | None = None,
    provider: Provider,
    type: str,
    name: str,
    areas: Sequence[Area] = (),
    hours: str = "",
    eligibility: str = "",
    languages: Sequence[str] = (),
    is_active: bool = True,
    request: HttpRequest | None = None,
) -> Service:
    """Add a service to a provider of the directory (`service` None) or change one.

    `areas` are where it is given (none: everywhere); `languages` are ISO 639-1 codes.
    `is_active=False` deactivates it.

    Side effects: audit `referrals.service.created` (fields set) or `.updated` (fields changed).
    """
    access.require(actor, PERMISSION)
    provider = access.get_visible(queries.providers_editable_by(actor), pk=provider.pk)
    if service is None:
        service, verb, areas_before = Service(provider=provider), "created", set()
    else:
        service, verb = _locked(queries.services_editable_by(actor), service), "updated"
        areas_before = {a.pk for a in service.areas.all()}
    name = name.strip()
    languages = [code.strip().lower() for code in languages]
    changed = _apply(
        service,
        {
            "provider": provider,
            "type": type,
            "name": name,
            "hours": hours.strip(),
            "eligibility": eligibility.strip(),
            "languages": languages,
            "is_active": is_active,
        },
    )
    errors = _service_errors(provider=provider, name=name, service=service if service.pk else None)
    unknown = [c for c in languages if len(c) != 2 or pycountry.languages.get(alpha_2=c) is None]
    if unknown:
        errors.add(
            "languages",
            _("Unknown language codes: %(codes)s. Use two-letter ISO 639-1 codes (es, en).")
            % {"codes": ", ".join(unknown)},
        )
    _add_field_errors(errors, service)
    errors.raise_if_any()
    if service.pk is None:
        service.save()
    elif changed:
        service.save(update_fields=changed)
    if {a.pk for a in areas} != areas_before:
        service.areas.set(areas)
        changed.append("areas")
    audit.record(
        actor=actor,
        action=f"referrals.service.{verb}",
        target=service,
        fields=changed,
        organization_id=provider.organization_id,
        request=request,
    )
    return service


# --- care routes --------------------------------------------------------------------------------


@transaction.atomic
def save_care_route(
    *,
    actor: User,
    route: CareRoute | None = None,
    organization: Organization | None = None,
    area: Area,
    need: str,
    name: str,
    steps: Sequence[RouteStep] | None = None,
    network: CoordinationNetwork | None = None,
    request: HttpRequest | None = None,
) -> CareRoute:
    """Add a care route for `need` in `area` (`route` None) or change one, with its steps.

    `steps` are all the route's steps as they should be (None leaves them as they are): a
    stored step whose number is not among them is removed, one whose number is among them takes
    that step's service and note, and the other numbers are added. Steps are matched by number
    only, so swapping two numbers never collides. The directory is the actor's organization's
    (platform superusers name `organization`), or with `network` the network's shared one (its
    focal points keep it, with services of the network's providers).

    Side effects: audit `referrals.careroute.created` or `.updated` (field names), then, when
    the steps changed, `referrals.careroute.steps_changed` with how many were added, changed and
    removed.
    """
    access.require(actor, PERMISSION)
    if route is None and network is not None:
        network = _kept_network(actor, network)
        organization = network.convener
        route, verb = CareRoute(organization=organization, network=network), "created"
    elif route is None:
        organization = _directory(actor, organization)
        route, verb = CareRoute(organization=organization), "created"
    else:
        route = _locked(queries.care_routes_editable_by(actor).prefetch_related(None), route)
        network = route.network
        if network is not None:
            organization = network.convener
        else:
            organization = _directory(actor, organization, route.organization)
        verb = "updated"
    changed = _apply(
        route, {"organization": organization, "area": area, "need": need, "name": name.strip()}
    )
    errors = _route_errors(
        organization=organization,
        area=area,
        need=need,
        route=route if route.pk else None,
        network=network,
    )
    if steps is not None:
        steps = [replace(s, note=s.note.strip()) for s in steps]
        _add_step_errors(errors, organization=organization, steps=steps, network=network)
    _add_field_errors(errors, route)
    errors.raise_if_any()
    if route.pk is None:
        route.save()
    elif changed:
        route.save(update_fields=changed)
    audit.record(
        actor=actor,
        action=f"referrals.careroute.{verb}",
        target=route,
        fields=changed,
        request=request,
    )
    if steps is not None:
        counts = _replace_steps(route, steps)
        if any(counts.values()):
            audit.record(
                actor=actor,
                action="referrals.careroute.steps_changed",
                target=route,
                request=request,
                details=counts,
            )
    return route


def _replace_steps(route: CareRoute, steps: Sequence[RouteStep]) -> dict[str, int]:
    stored = {s.position: s for s in CareRouteStep.objects.filter(route=route)}
    wanted = {s.position: s for s in steps}
    removed = [step.pk for position, step in stored.items() if position not in wanted]
    CareRouteStep.objects.filter(pk__in=removed).delete()
    changed = 0
    for position in sorted(stored.keys() & wanted.keys()):
        step, want = stored[position], wanted[position]
        if (step.service_id, step.note) != (want.service.pk, want.note):
            step.service, step.note = want.service, want.note
            step.save(update_fields=["service", "note"])
            changed += 1
    added = CareRouteStep.objects.bulk_create(
        CareRouteStep(route=route, position=p, service=wanted[p].service, note=wanted[p].note)
        for p in sorted(wanted.keys() - stored.keys())
    )
    return {"added": len(added), "changed": changed, "removed": len(removed)}


# --- coordination networks ----------------------------------------------------------------------


def check_network(
    *,
    name: str,
    convener: Organization,
    members: Sequence[Organization],
    focal_points: Sequence[User],
    network: CoordinationNetwork | None = None,
) -> None:
    """Raise ActionError unless the name is free (case ignored) and every focal point is an
    active user of a member organization (the convener is one) who may keep a directory."""
    _network_errors(
        name=name,
        convener=convener,
        members=members,
        focal_points=focal_points,
        network=network,
    ).raise_if_any()


def _network_errors(
    *,
    name: str,
    convener: Organization,
    members: Sequence[Organization],
    focal_points: Sequence[User],
    network: CoordinationNetwork | None,
) -> Errors:
    errors = Errors()
    member_ids = {m.pk for m in members} | {convener.pk}
    taken = CoordinationNetwork.objects.filter(name__iexact=name.strip())
    if network is not None:
        taken = taken.exclude(pk=network.pk)
    if name.strip() and taken.exists():
        errors.add(
            "name", _("There is already a network called “%(name)s”.") % {"name": name.strip()}
        )
    for user in focal_points:
        if user.organization_id not in member_ids or not user.is_active:
            errors.add(
                "focal_points",
                _("%(user)s does not work for a member organization.") % {"user": user},
            )
        elif not access.can(user, PERMISSION):
            errors.add(
                "focal_points",
                _("%(user)s may not keep a directory: give them a role that may.") % {"user": user},
            )
    return errors


@transaction.atomic
def save_network(
    *,
    actor: User | None,
    network: CoordinationNetwork | None = None,
    name: str,
    area: Area,
    convener: Organization,
    members: Sequence[Organization],
    focal_points: Sequence[User] = (),
    is_active: bool = True,
    request: HttpRequest | None = None,
) -> CoordinationNetwork:
    """Create a coordination network (`network` None) or change one: its name, area, convener,
    member organizations (the convener is always one) and focal points, who keep its shared
    directory. Platform superusers only (404 for everyone else); `actor=None` is the platform
    itself (the demo, commands).

    Focal points are active users of member organizations who may keep a directory
    (`referrals.manage_directory`).

    Side effects: audit `referrals.network.created` or `.updated` (the fields changed).
    """
    platform = actor is None or (actor.is_authenticated and actor.is_active and actor.is_superuser)
    if not platform:
        raise Http404
    if network is None:
        network, verb = CoordinationNetwork(), "created"
        members_before: set[int] = set()
        focal_before: set[int] = set()
    else:
        network = CoordinationNetwork.objects.select_for_update().get(pk=network.pk)
        verb = "updated"
        members_before = set(network.members.values_list("pk", flat=True))
        focal_before = set(network.focal_points.values_list("pk", flat=True))
    name = name.strip()
    changed = _apply(
        network, {"name": name, "area": area, "convener": convener, "is_active": is_active}
    )
    member_ids = {m.pk for m in members} | {convener.pk}
    errors = _network_errors(
        name=name,
        convener=convener,
        members=members,
        focal_points=focal_points,
        network=network if network.pk else None,
    )
    _add_field_errors(errors, network)
    errors.raise_if_any()
    if network.pk is None:
        network.save()
    elif changed:
        network.save(update_fields=changed)
    if member_ids != members_before:
        network.members.set(member_ids)
        changed.append("members")
    focal_ids = {u.pk for u in focal_points}
    if focal_ids != focal_before:
        network.focal_points.set(focal_ids)
        changed.append("focal_points")
    audit.record(
        actor=actor,
        action=f"referrals.network.{verb}",
        target=network,
        fields=changed,
        organization_id=convener.pk,
        request=request,
        details={"members": len(member_ids), "focal_points": len(focal_ids)},
    )
    return network
