"""Logs without the secrets that travel in a path: the one-time link of a care post's intake
page (`/intake/<secret>/`) is logged as `/intake/…/`, and a feedback tracking code checked
through the public API (`/api/v1/public/feedback/<code>/`) as `/api/v1/public/feedback/…/`.

`RedactingLogger` is gunicorn's access log (`amparo serve` uses it); `RedactSecrets` filters
Django's own request log, which names the path of every answer of 400 or more — including
those refused before the intake page's view runs (a NUL byte, too many fields), an unknown
tracking code's 404, or a 500.
"""

import logging
import re

from gunicorn.glogging import Logger

SECRET_IN_PATH = re.compile(r"(/intake/|/api/v1/public/feedback/)[^/\s?#]+")


def redact(text: str) -> str:
    return SECRET_IN_PATH.sub(r"\1…", text)


class RedactSecrets(logging.Filter):
    """A record whose message names a secret path is rewritten without it (settings.LOGGING
    puts this on the `django.request` logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{referer}i"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms
