"""Every read of messaging, already scoped to the reader.

`recipients(organization, filters, channel)` is the campaign's audience: the registry's
people of the organization matching the filters, with contact consent, an address on the
channel, in an active household, and not opted out of it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from amparo.assistance.models import Entitlement, Project
from amparo.core import access
from amparo.core.models import Area, Office, Organization, User
from amparo.messaging.models import Campaign, Message, OptOut, Template
from amparo.registry import queries as registry_queries
from amparo.registry.models import Household, Individual

ADDRESS_FIELD = {"email": "email", "sms": "phone", "whatsapp": "phone"}


def recipients(
    organization: Organization | int, filters: dict[str, Any], channel: str
) -> QuerySet[Individual]:
    """The people a campaign with these (already validated) filters writes to."""
    field = ADDRESS_FIELD[channel]
    people = Individual.objects.filter(
        organization=organization,
        contact_consent=True,
        household__status=Household.Status.ACTIVE,
    ).exclude(**{field: ""})
    people = people.exclude(Exists(opt_outs(channel, OuterRef(field))))
    if filters.get("offices"):
        people = people.filter(household__office__code__in=filters["offices"])
    if filters.get("areas"):
        codes = filters["areas"]
        people = people.filter(
            Q(household__area__code__in=codes)
            | Q(household__area__parent__code__in=codes)
            | Q(household__area__parent__parent__code__in=codes)
        )
    if filters.get("population_groups"):
        people = people.filter(population_group__in=filters["population_groups"])
    if filters.get("languages"):
        spoken = Q()
        for code in filters["languages"]:
            spoken |= Q(languages__icontains=f'"{code}"')
        people = people.filter(spoken)
    if filters.get("project"):
        people = people.filter(
            Exists(
                Entitlement.objects.filter(
                    household_id=OuterRef("household_id"),
                    cycle__project__code=filters["project"],
                    cycle__project__organization=organization,
                )
            )
        )
    if filters.get("heads_only"):
        people = people.filter(is_head=True)
    return people


def templates_visible_to(user: User) -> QuerySet[Template]:
    if not access.can(user, "messaging.campaigns"):
        return Template.objects.none()
    return access.visible(user, Template.objects.all(), office_field=None)


def get_template_for(user: User, uuid: Any) -> Template:
    template = templates_visible_to(user).filter(uuid=uuid).first()
    if template is None:
        raise Http404
    return template


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    if not access.can(user, "messaging.campaigns"):
        return Campaign.objects.none()
    return access.visible(user, Campaign.objects.select_related("template"), office_field=None)


def get_campaign_for(user: User, uuid: Any) -> Campaign:
    campaign = campaigns_visible_to(user).filter(uuid=uuid).first()
    if campaign is None:
        raise Http404
    return campaign


def campaign_counts(campaign: Campaign) -> dict[str, int]:
    """Messages by state (claimed ones count as queued)."""
    return counts_of_campaigns([campaign.pk])[campaign.pk]


def counts_of_campaigns(campaign_ids: list[int]) -> dict[int, dict[str, int]]:
    """`campaign_counts` of each campaign, in one query (a page of the campaign list)."""
    states = [state for state in Message.State.values if state != Message.State.CLAIMED]
    counts = {pk: dict.fromkeys(states, 0) for pk in campaign_ids}
    rows = (
        Message.objects.filter(campaign_id__in=campaign_ids)
        .values_list("campaign_id", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for campaign_id, state, n in rows:
        counts[campaign_id][Message.State.QUEUED if state == Message.State.CLAIMED else state] += n
    return counts


def filter_names(campaign: Campaign) -> dict[str, list[str]]:
    """The names behind the codes a campaign's filters keep: its offices, areas and project
    (a code nobody has any more is shown as it is)."""
    filters = campaign.filters
    offices = dict(
        Office.objects.filter(
            organization_id=campaign.organization_id, code__in=filters.get("offices") or []
        ).values_list("code", "name")
    )
    areas = dict(
        Area.objects.filter(code__in=filters.get("areas") or []).values_list("code", "name")
    )
    project = filters.get("project") or ""
    projects = dict(
        Project.objects.filter(organization_id=campaign.organization_id, code=project).values_list(
            "code", "name"
        )
    )
    return {
        "offices": [offices.get(c, c) for c in filters.get("offices") or []],
        "areas": [areas.get(c, c) for c in filters.get("areas") or []],
        "project": [f"{project} · {projects[project]}" if project in projects else project]
        if project
        else [],
    }


def campaign_messages(campaign: Campaign) -> QuerySet[Message]:
    """The delivery log, one row per message (newest attempts first within a state)."""
    return campaign.messages.select_related("individual__household").order_by("id")


def projects_for_campaigns(user: User) -> QuerySet[Project]:
    """The organization's assistance projects, to write to the households entitled in one."""
    if not access.can(user, "messaging.campaigns"):
        return Project.objects.none()
    return access.visible(user, Project.objects.all(), office_field=None).order_by("code")


def areas_for_campaigns(user: User) -> QuerySet[Area]:
    """The first-level areas of the organization's country (provinces, departments)."""
    if not access.can(user, "messaging.campaigns") or user.organization is None:
        return Area.objects.none()
    return Area.objects.filter(level=1, parent_id=user.organization.country_id).order_by("name")


def organization_for_reply(channel: str, address: str) -> Organization | None:
    """Whose a reply from `address` is: the organization of the latest message we sent to it
    on `channel`, else `settings.AMPARO_INBOUND_ORGANIZATION` (a code), else nobody's."""
    latest = (
        Message.objects.filter(channel=channel, address=address)
        .select_related("organization")
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is not None:
        return latest.organization
    code = settings.AMPARO_INBOUND_ORGANIZATION
    return Organization.objects.filter(code=code).first() if code else None


def person_with_phone(organization: Organization, phone: str) -> Individual | None:
    """The registered person of `organization` with this phone, if exactly one has it."""
    if not phone:
        return None
    found = list(Individual.objects.filter(organization=organization, phone=phone)[:2])
    return found[0] if len(found) == 1 else None


def opt_outs(channel: Any, address: Any) -> QuerySet[OptOut]:
    """The opt-out of `address` on `channel`: values, or `OuterRef`s inside another query (the
    recipients of a campaign, the sending worker's claim)."""
    return OptOut.objects.filter(channel=channel, address=address)


def opted_out(channel: str, address: str) -> bool:
    """Whether this address already wants no more campaign messages on `channel`."""
    return opt_outs(channel, address).exists()


def person_for_messages(user: User, individual_id: Any) -> Individual:
    """The person `user` may write to (`messaging.send` and the registry's scope), or 404."""
    access.require(user, "messaging.send")
    return registry_queries.get_individual_for(user, individual_id)


def messages_to(user: User, individual: Individual) -> QuerySet[Message]:
    """Messages to a person `person_for_messages` gave, newest first. Those about a restricted
    case are left out for everyone but that office's GBV team."""
    if not access.can(user, "messaging.send"):
        return Message.objects.none()
    qs = access.visible(user, Message.objects.filter(individual=individual), office_field=None)
    qs = qs.filter(
        Q(restricted_office__isnull=True) | Q(restricted_office__in=access.restricted_offices(user))
    )
    return qs.select_related("campaign", "sent_by").order_by("-created_at", "-id")


def templates_for_sending(user: User, channels: list[str]) -> QuerySet[Template]:
    """The organization's templates in use on these channels, for a message to one person."""
    if not access.can(user, "messaging.send"):
        return Template.objects.none()
    qs = access.visible(user, Template.objects.filter(active=True), office_field=None)
    return qs.filter(channel__in=channels)
