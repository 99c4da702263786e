"""Reference numbers of cases and referrals."""

from __future__ import annotations

from django.utils import timezone

from amparo.registry.models import ReferenceCounter


def next_reference(organization_id: int, code: str, letter: str) -> str:
    """The next number for cases ("C") or referrals ("R") of an office (by its code), per year."""
    year = timezone.localdate().year
    prefix = f"{letter}-{code.replace('-', '')[:3].upper()}-{year}"
    counter, _created = ReferenceCounter.objects.get_or_create(
        organization_id=organization_id, prefix=prefix
    )
    counter = ReferenceCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{counter.last:05d}"
