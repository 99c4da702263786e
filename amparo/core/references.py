"""Reference numbers (households, cases, referrals, and the apps to come): one allocator.

A reference is a prefix (kind, office, year) and a number counted per organization and
prefix: `EC-QUI-2026-000123` (households), `C-QUI-2026-00042` (cases), `R-…` (referrals).
`office_year` builds those; `allocate` hands out the numbers, never the same one twice.
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


def office_year(
    *, organization_id: int, lead: str, office_code: str, year: int, digits: int, count: int = 1
) -> list[str]:
    """The next `count` references `{lead}-{OFF}-{year}-{number}` of an office: `OFF` is the
    office code's first three letters or digits, the number has `digits` digits."""
    prefix = f"{lead}-{office_code.replace('-', '')[:3].upper()}-{year}"
    numbers = allocate(organization_id=organization_id, prefix=prefix, count=count)
    return [f"{prefix}-{number:0{digits}d}" for number in numbers]
