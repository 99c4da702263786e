"""How the staff screens and the API show messages: an SMS's length in segments, and an
address masked for the delivery log (enough to recognise it, not to copy it)."""

from __future__ import annotations

from dataclasses import dataclass

# The GSM 03.38 alphabet: its characters fit 160 to an SMS; one outside it (an accent other
# than these, an emoji) makes the whole message UCS-2, 70 to an SMS.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# These take two of the 160 (an escape, then the character).
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
MASK = "•"


@dataclass(frozen=True)
class SmsLength:
    characters: int
    segments: int
    gsm: bool  # False: UCS-2, 70 characters to a single SMS

    @property
    def per_segment(self) -> int:
        return 160 if self.gsm else 70


def sms_length(text: str) -> SmsLength:
    """Characters and SMS segments of `text` (a longer message is sent in parts of 153 GSM-7
    characters or 67 UCS-2 ones, the rest holding the header that joins them)."""
    gsm = all(c in GSM_BASIC or c in GSM_EXTENDED for c in text)
    if gsm:
        units = sum(2 if c in GSM_EXTENDED else 1 for c in text)
        single, part = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
    if units == 0:
        segments = 0
    elif units <= single:
        segments = 1
    else:
        segments = -(-units // part)
    return SmsLength(characters=len(text), segments=segments, gsm=gsm)


def masked(address: str) -> str:
    """+593991234567 → +5939•••••567; ana.perez@example.org → a•••@example.org."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}{MASK * 3}@{domain}"
    if len(address) <= 8:
        return MASK * max(len(address) - 2, 0) + address[-2:]
    return address[:5] + MASK * (len(address) - 8) + address[-3:]
