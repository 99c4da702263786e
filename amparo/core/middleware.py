import json
import re
import time
from collections.abc import Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

# Deeper than any record the application takes; Python's own parser would give up (and the
# server answer 500) near 1,000.
MAX_JSON_DEPTH = 64
# A NUL byte (PostgreSQL cannot store it) or half of a UTF-16 surrogate pair (no encoder can
# write it back): in a Python string, any code point in U+D800–U+DFFF is a lone surrogate.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class IdleSessionMiddleware:
    """The idle timeout's sliding expiry, saved at most once a `REFRESH_SECONDS` per session.

    Saving the session on every request (`SESSION_SAVE_EVERY_REQUEST`) makes every page a
    database write, which on SQLite waits for any other writer (an import). Here an existing
    session is saved again only when its last save is `REFRESH_SECONDS` old: a session still
    ends `SESSION_COOKIE_AGE` after its last save, so never later than that after the last
    activity, and at most `REFRESH_SECONDS` earlier. Sits just inside `SessionMiddleware`.
    """

    REFRESH_SECONDS = 60
    KEY = "_amparo_saved_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response  # no session: nothing to keep alive (and none to create)
        now = int(time.time())
        saved_at = session.get(self.KEY)
        if session.session_key is None:
            return response  # the cookie named a session that is gone (ended, signed out)
        if session.modified or saved_at is None or now - saved_at >= self.REFRESH_SECONDS:
            session[self.KEY] = now  # saved by SessionMiddleware, which sets the new expiry
        return response


def stamp_session_at_login(sender, request, user, **kwargs) -> None:
    """A sign-in saves the session anyway: stamp it, so the first page need not save again."""
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) is not None:  # a session sign-in
        session[IdleSessionMiddleware.KEY] = int(time.time())


class UserLanguageMiddleware:
    """Signed-in users get their saved language; others keep the cookie or browser choice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing the application answers is kept by the browser or a proxy.

    Pages and API answers behind login hold personal data; on a shared office computer they
    must not come back with the back button after logout, nor sit in a disk cache. Static files
    never reach this middleware (WhiteNoise answers them first, with their own long cache).
    A response that already says how it may be cached keeps its own header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class TwoFactorMiddleware:
    """A signed-in user who must use two-factor sign-in (`twofactor.required_for`) reaches
    only the two-factor pages, sign-out and the language switch until a code has confirmed
    this session: to enter one if they have an authenticator, to set one up if not. API
    requests with a token are checked when the token is issued, not here."""

    OPEN_VIEWS = frozenset(
        {
            "login",
            "logout",
            "set_language",
            "healthz",
            "two_factor_verify",
            "two_factor_setup",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from amparo.core import twofactor  # the models are not loaded when settings are

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in self.OPEN_VIEWS:
            return None
        if not twofactor.required_for(user) or user.is_verified():
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Confirm this sign-in with your second factor first.")},
                status=403,
            )
        page = "two_factor_verify" if twofactor.authenticator_of(user) else "two_factor_setup"
        return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")


class MalformedInputMiddleware:
    """One defence at the edge: input no field can hold is refused before any view sees it.

    A NUL byte or a lone surrogate anywhere in the path, the query string, form fields (of
    any method: Django parses only a POST's, so a PUT's or PATCH's are parsed here) or a JSON
    body, a multipart body that cannot be parsed, and JSON nested deeper than `MAX_JSON_DEPTH`,
    answer 400 with a translated message (JSON under /api/, the error page elsewhere) — before
    authentication, so the unauthenticated token endpoint is covered, and before any view reads
    or writes. Django replaces undecodable bytes in forms and query strings (U+FFFD); JSON's
    `\\ud800` escapes, or a form declaring an escaping charset (`unicode_escape`), are the ways a
    surrogate gets in. Malformed JSON syntax is left to DRF's parser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _declared_length(request) > _body_limit(request):
            return _refuse(request, _("The request is too large to be read."), status=413)
        problem = _problem_in(request)
        if problem is not None:
            return _refuse(request, problem)
        return self.get_response(request)


# What the edge reads at most, by the body's declared length (Django reads no more than
# CONTENT_LENGTH; a body without one reads as empty), before anything parses it: Django would
# keep up to DATA_UPLOAD_MAX_MEMORY_SIZE of fields in memory and spool files to disk without a
# limit. A signed-in session or an API token may send an import file (AMPARO_IMPORT_MAX_BYTES)
# and its form. Anyone else can only be signing in, asking for a token or sending a care post's
# intake, none of which needs more than ANONYMOUS_MAX_BODY.
ANONYMOUS_MAX_BODY = 64 * 1024
FORM_ALLOWANCE = 1024 * 1024


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _body_limit(request: HttpRequest) -> int:
    user = getattr(request, "user", None)
    if "HTTP_AUTHORIZATION" in request.META or (user is not None and user.is_authenticated):
        return int(getattr(settings, "AMPARO_IMPORT_MAX_BYTES", 0)) + FORM_ALLOWANCE
    return ANONYMOUS_MAX_BODY


def _problem_in(request: HttpRequest) -> str | None:
    if _any_unstorable([request.path, *_pairs(request.GET)]):
        return _unstorable_message()
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        return json_problem(request.body)
    if content_type in _FORM_TYPES:
        fields: QueryDict
        try:
            if request.method == "POST":
                fields, files = request.POST, request.FILES
            elif content_type == _FORM_TYPES[0]:
                fields, files = QueryDict(request.body, encoding=request.encoding), MultiValueDict()
            else:
                fields, files = _parse_multipart(request)
        except MultiPartParserError:
            return _("The request's form data could not be read.")
        names = [f.name or "" for key in files for f in files.getlist(key)]
        if _any_unstorable([*_pairs(fields), *names]):
            return _unstorable_message()
    return None


def _parse_multipart(request: HttpRequest) -> tuple[QueryDict, MultiValueDict]:
    """A multipart PUT or PATCH body, parsed as Django parses a POST one.

    Django fills `request.POST` only for POST; DRF parses other methods' bodies itself, after
    this check. Parsed here from the stream (files go to the upload handlers, not memory) and
    kept where Django keeps a POST's, which is where DRF looks once the stream has been read.
    A body Django cannot parse raises `MultiPartParserError`, as it does for a POST.
    """
    try:
        fields, files = request.parse_file_upload(request.META, request)
    except (MultiPartParserError, TooManyFilesSent):
        vars(request).update(_post=QueryDict(), _files=MultiValueDict())  # as Django does
        raise
    vars(request).update(_post=fields, _files=files)
    return fields, files


def _pairs(data: QueryDict) -> Iterable[str]:
    for key, values in data.lists():
        yield key
        yield from values


def _any_unstorable(texts: Iterable[str]) -> bool:
    return any(_UNSTORABLE.search(text) for text in texts)


def json_problem(body: bytes) -> str | None:
    """Why a JSON body is refused at the edge (too deep, unstorable text), or None."""
    try:
        data = json.loads(body)
    except RecursionError:
        return _too_deep_message()
    except ValueError:
        return None  # not JSON at all: DRF's parser says so in its own words
    # Walk without recursion, so that the check itself cannot be driven into the stack limit.
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            if depth > MAX_JSON_DEPTH:
                return _too_deep_message()
            if _any_unstorable(value):
                return _unstorable_message()
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            if depth > MAX_JSON_DEPTH:
                return _too_deep_message()
            stack.extend((v, depth + 1) for v in value)
        elif isinstance(value, str) and _UNSTORABLE.search(value):
            return _unstorable_message()
    return None


def _unstorable_message() -> str:
    return _(
        "The request contains a character that cannot be stored (a NUL byte or an incomplete "
        "Unicode character). Remove it and try again."
    )


def _too_deep_message() -> str:
    return _("The request nests data more than %(depth)d levels deep.") % {"depth": MAX_JSON_DEPTH}


def _refuse(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    context = {"heading": _("The request could not be read"), "explanation": message}
    return render(request, "_error.html", context, status=status)
