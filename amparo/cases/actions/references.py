"""Reference numbers of cases and referrals."""

from __future__ import annotations

from django.utils import timezone

from amparo.core import references


def next_reference(organization_id: int, code: str, letter: str) -> str:
    """The next number for cases ("C") or referrals ("R") of an office (by its code), per year."""
    year = timezone.localdate().year
    prefix = f"{letter}-{code.replace('-', '')[:3].upper()}-{year}"
    (number,) = references.allocate(organization_id=organization_id, prefix=prefix)
    return f"{prefix}-{number:05d}"
