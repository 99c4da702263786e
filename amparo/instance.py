"""The instance folder (``AMPARO_HOME``, default ``var/``) and the secrets kept in it.

Secrets come from the environment when set; otherwise they are generated on first start into
files readable only by the owner. They are never part of the repository.
"""

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def home() -> Path:
    path = Path(os.environ.get("AMPARO_HOME", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read_or_create(name: str, make) -> str:
    path = home() / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    return path.read_text().strip()


def secret_key() -> str:
    return os.environ.get("AMPARO_SECRET_KEY") or _read_or_create(
        "secret_key", lambda: secrets.token_urlsafe(50)
    )


def field_keys() -> list[str]:
    """Fernet keys for encrypted fields, newest first (comma-separated in AMPARO_FIELD_KEYS)."""
    raw = os.environ.get("AMPARO_FIELD_KEYS") or _read_or_create(
        "field_keys", lambda: Fernet.generate_key().decode()
    )
    return [key.strip() for key in raw.replace("\n", ",").split(",") if key.strip()]
