"""The one small interface every channel implements.

    result = channel.send(Outgoing(address="+593991234567", body="…", reference=message.uuid))

`send` returns the provider's reference for the message, or raises `TemporaryFailure` (try
again later: a timeout, 429, 5xx, a refused SMTP connection) or `PermanentFailure` (never
retry: a bad number, a refused recipient, bad credentials).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class Outgoing:
    address: str
    body: str
    reference: UUID  # ours: the provider's status callbacks may bring it back
    subject: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # e-mail only (List-Unsubscribe)


class TemporaryFailure(Exception):
    """Worth another attempt later."""


class PermanentFailure(Exception):
    """Another attempt would fail the same way."""


class Channel(Protocol):
    code: str  # email, sms, whatsapp

    def send(self, message: Outgoing) -> str:
        """Hand the message to the provider; return its reference (may be empty)."""
        ...

    def close(self) -> None:
        """Release connections (a batch reuses one)."""
        ...
