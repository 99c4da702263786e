"""Codes that people read aloud, type or scan: beneficiary card numbers, feedback tracking codes.

Crockford's base 32 (no I, L, O or U, so a code read aloud or typed is not misread), drawn from
`secrets`; typed input is forgiven spaces, dashes, lower case, and O/I/L for 0/1/1.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code(length: int) -> str:
    """A random code of `length` symbols (5 bits each)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise_code(text: str, length: int) -> str | None:
    """The stored form of a code as typed or scanned ('k7m2-9qxd 4t8p' → 'K7M29QXD4T8P'), or
    None when it cannot be a code of `length` symbols."""
    code = "".join(ch for ch in text.upper() if ch not in " -").translate(_READ_AS)
    if len(code) != length or any(ch not in ALPHABET for ch in code):
        return None
    return code


def grouped(code: str, size: int = 4) -> str:
    """`code` in groups for reading: 'K7M29QXD4T8P' → 'K7M2-9QXD-4T8P'."""
    return "-".join(code[i : i + size] for i in range(0, len(code), size))
