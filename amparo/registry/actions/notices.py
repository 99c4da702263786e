"""Notices to an office's GBV team: a restricted need (survivor of violence or torture) was
recorded on a person by someone who cannot read the office's restricted files. Written in the
registering action's transaction; followed up (closed) by the GBV team."""

from collections.abc import Iterable

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core import access, audit
from amparo.core.errors import ActionError
from amparo.core.models import User
from amparo.registry.models import RESTRICTED_NEEDS, Individual, NeedNotice

__all__ = ["close_need_notice", "notify_restricted_needs"]


def notify_restricted_needs(
    *, actor: User, people: Iterable[Individual], request=None
) -> list[NeedNotice]:
    """Tell each person's office's GBV team that a restricted need is recorded on them, unless
    the actor is on that team, or a notice about them is still open. Called by the registry's
    own actions, inside their transaction; the actor learns nothing of it.

    Side effects: audit `registry.need_notice.opened` (restricted to that office's GBV team)."""
    readable = access.restricted_offices(actor)
    notices = []
    for person in people:
        office_id = person.household.office_id
        if office_id in readable:
            continue
        for need in sorted(RESTRICTED_NEEDS & set(person.specific_needs or [])):
            if NeedNotice.objects.filter(
                individual=person, need=need, closed_at__isnull=True
            ).exists():
                continue
            notice = NeedNotice.objects.create(
                organization_id=person.organization_id,
                office_id=office_id,
                individual=person,
                need=need,
                created_by=actor,
            )
            audit.record(
                actor=actor,
                action="registry.need_notice.opened",
                target=notice,
                request=request,
                organization_id=person.organization_id,
                details={"need": need},
            )
            notices.append(notice)
    return notices


@transaction.atomic
def close_need_notice(*, actor: User, notice: NeedNotice, request=None) -> NeedNotice:
    """A member of the office's GBV team marks the notice followed up (the person was
    contacted, assessed, or a case opened). 404 for anyone else.

    Side effects: audit `registry.need_notice.closed`."""
    if notice.office_id not in access.restricted_offices(actor):
        raise Http404
    notice = NeedNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.closed_at is not None:
        raise ActionError.general(_("This notice was already followed up."))
    notice.closed_at = timezone.now()
    notice.closed_by = actor
    notice.save(update_fields=["closed_at", "closed_by"])
    audit.record(
        actor=actor,
        action="registry.need_notice.closed",
        target=notice,
        fields=["closed_at"],
        request=request,
    )
    return notice
