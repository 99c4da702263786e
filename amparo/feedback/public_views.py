"""The public feedback page (no sign-in): send feedback or a complaint, and check its status
with the tracking code. Thin: parse → query or action → render.

No cookie at all (no session, no CSRF token, no language cookie): nothing on the person's
phone says they wrote. Each client address gets a few messages and a few checks a minute
(`core.ratelimit`), bodies are bounded, and every answer is `no-store` and `noindex`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from amparo.core import ratelimit
from amparo.core.forms import errors_on
from amparo.feedback import actions, public_edge, queries, queries_public, tracking
from amparo.feedback.forms_public import SENSITIVE_NOTE, FeedbackForm, StatusForm
from amparo.feedback.models import Status


def _public(
    too_often: Callable[[HttpRequest], bool],
) -> Callable[[Callable[[HttpRequest], HttpResponse]], Callable[[HttpRequest], HttpResponse]]:
    """A public page's edge: its language from `?lang=`, a rate limit on its posts, a bounded
    body, and the headers of a page anyone may open.

    No CSRF check, so no CSRF cookie: the check protects a signed-in person from a page that
    posts in their name, and here nobody needs to be signed in — a forged post could only
    send a message anyone may send, or check a code its sender must already hold. Without
    it the page stays free of cookies.
    """

    def decorate(view: Callable[[HttpRequest], HttpResponse]) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest) -> HttpResponse:
            if request.GET.get("lang") in dict(settings.LANGUAGES):
                translation.activate(request.GET["lang"])
                request.LANGUAGE_CODE = translation.get_language()
            if request.method not in ("GET", "HEAD", "POST"):
                response = HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
            elif request.method == "POST" and too_often(request):
                response = render(request, "feedback/public/limit.html", status=429)
                response["Retry-After"] = str(ratelimit.retry_after())
            elif request.method == "POST" and public_edge.too_big(request):
                response = render(request, "feedback/public/too_big.html", status=413)
            else:
                response = view(request)
            for header, value in public_edge.HEADERS.items():
                response[header] = value
            return response

        return wrapped

    return decorate


@_public(public_edge.sending_too_often)
def send(request: HttpRequest) -> HttpResponse:
    """Anyone sends feedback or a complaint, anonymously unless they leave a contact."""
    organizations = list(queries_public.receiving_organizations())
    offices = list(queries_public.receiving_offices(organizations))
    form = FeedbackForm(request.POST or None, organizations=organizations, offices=offices)
    if request.method == "POST" and form.is_trap:
        # A program filled the hidden field: answer as if accepted, write nothing.
        return render(request, "feedback/public/receipt.html", _receipt(tracking.new_code()))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form):
            _entry, code = actions.receive_feedback(
                organization=d["organization"],
                office=d["office"],
                category=d["category"],
                text=d["text"],
                contact=d["contact"],
                request=request,
            )
            return render(request, "feedback/public/receipt.html", _receipt(code))
    return render(
        request,
        "feedback/public/send.html",
        {"form": form, "sensitive_note": SENSITIVE_NOTE},
        status=400 if form.errors else 200,
    )


def _receipt(code: str) -> dict:
    # The only answer that ever shows the code: only its digest is kept.
    return {"code": tracking.shown(code)}


@_public(public_edge.checking_too_often)
def status(request: HttpRequest) -> HttpResponse:
    """The status of one message, by its code (posted, so that it sits in no address or log):
    the state in words and the public reply, nothing else. An unknown code and one that
    cannot be a code get the same answer."""
    form = StatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = queries.public_status(form.cleaned_data["code"])
        context = {
            "form": StatusForm(),  # empty: the page never shows the code back
            "checked": True,
            "entry": entry,
            "words": public_edge.STATUS_WORDS[Status(entry.status)] if entry else "",
        }
        return render(request, "feedback/public/status.html", context, status=200 if entry else 404)
    return render(
        request,
        "feedback/public/status.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
