"""Reference numbers (households, cases, referrals, and the apps to come): one allocator.

A reference is a prefix the caller builds (office, year, kind) and a number counted per
organization and prefix: `EC-QUI-2026-000123`, `C-QUI-2026-00042`. The caller formats it;
this module only hands out numbers, never the same one twice.
"""

from amparo.core.models import ReferenceCounter


def allocate(*, organization_id: int, prefix: str, count: int = 1) -> range:
    """The next `count` numbers under `prefix` in the organization (one, or a block for a bulk
    load), in order.

    The counter row stays locked (SELECT … FOR UPDATE) until the caller's transaction ends, so
    concurrent callers wait rather than share a number; if that transaction rolls back, so does
    the allocation. Must run inside a transaction (every action is one; Django refuses the
    lock outside one).
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    counter, _created = ReferenceCounter.objects.get_or_create(
        organization_id=organization_id, prefix=prefix
    )
    counter = ReferenceCounter.objects.select_for_update().get(pk=counter.pk)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return range(first, first + count)
