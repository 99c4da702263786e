"""The one error every action raises when it refuses bad input or an impossible step.

An action collects what is wrong, field by field, and raises `ActionError` before it writes
anything (it runs in one transaction, so nothing is half-written). The screens put the messages
next to their fields (`amparo.core.forms.errors_on`), the API answers 400 with the same mapping
(`amparo.core.drf.exception_handler`), and commands print them. Messages are already in the
user's language. Field paths name the input: `date_of_birth`, `members.0.date_of_birth`,
`counts.F.18-59`, `rows.12`; `__all__` holds what belongs to no one field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from django.core.exceptions import ValidationError

ALL = "__all__"


class ActionError(Exception):
    """Refused input: `errors` maps a field path (or `ALL`) to messages."""

    def __init__(self, errors: Mapping[str, Iterable[str]]):
        self.errors: dict[str, list[str]] = {k: [str(m) for m in v] for k, v in errors.items()}
        super().__init__(self.errors)

    @classmethod
    def on(cls, field: str, message: str) -> ActionError:
        """One message on one field: `raise ActionError.on("date", _("In the future."))`."""
        return cls({field: [message]})

    @classmethod
    def general(cls, *messages: str) -> ActionError:
        """Messages about the whole input (a rejected file, a closed case)."""
        return cls({ALL: list(messages)})

    @classmethod
    def from_django(cls, exc: ValidationError) -> ActionError:
        """Django's own validation (model `full_clean`, password validators), same shape."""
        if hasattr(exc, "error_dict"):
            return cls({(k if k != "__all__" else ALL): v for k, v in exc.message_dict.items()})
        return cls({ALL: exc.messages})

    @property
    def messages(self) -> list[str]:
        """Every message, field order kept (for commands and flash messages)."""
        return [message for messages in self.errors.values() for message in messages]


class Errors(dict[str, list[str]]):
    """Collects messages while an action checks its input; `raise_if_any()` before writing."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(str(message))

    def raise_if_any(self) -> None:
        if self:
            raise ActionError(self)


@contextmanager
def django_validation() -> Iterator[None]:
    """Inside an action: Django's `ValidationError` (full_clean, password rules) leaves as
    `ActionError`, so callers handle one error family."""
    try:
        yield
    except ValidationError as exc:
        raise ActionError.from_django(exc) from exc
