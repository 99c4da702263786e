"""The request a signed-in screen receives, for the type checker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from amparo.core.models import User


class AuthenticatedRequest(HttpRequest):
    """An `HttpRequest` whose user is signed in, as `login_required` guarantees.

    Only an annotation: Django still passes its own request class. Annotate the views behind
    `login_required` with it (`def home(request: AuthenticatedRequest)`), so that `request.user`
    is a `User` and not `User | AnonymousUser`.
    """

    user: User
