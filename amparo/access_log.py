"""gunicorn's access log without the secrets that travel in a path: the one-time link of a care
post's intake page (`/intake/<secret>/`) is logged as `/intake/…/`. `amparo serve` uses it."""

import re

from gunicorn.glogging import Logger

SECRET_IN_PATH = re.compile(r"(/intake/)[^/\s?#]+")


def redact(text: str) -> str:
    return SECRET_IN_PATH.sub(r"\1…", text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{referer}i"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms
