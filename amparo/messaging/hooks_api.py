"""Webhooks of the SMS and WhatsApp gateways: delivery reports and replies. Thin: check →
parse → `actions.inbound` → answer.

`POST /api/v1/messaging/hooks/<sms|whatsapp>/status/[?message=<our uuid>]`
    Twilio-style form `MessageSid`, `MessageStatus`; RapidPro-style JSON
    `{"id"|"uuid": ref, "status": …}`. Answers 200 `{"settled": true|false}`: a report about a
    message we do not know, or one that would move it backwards, changes nothing and still
    answers 200, so that the gateway does not retry it for days.
`POST /api/v1/messaging/hooks/<sms|whatsapp>/inbound/`
    Twilio-style form `From`, `Body`, `MessageSid` (answered with TwiML: empty, or the
    confirmation of an opt-out); RapidPro-style JSON `{"from", "text", "id"}` (answered with
    JSON). 200 when kept (or sent before), 202 when there was no organization to keep it under.

The gateway of the channel (`settings.MESSAGING_CHANNELS`) must prove itself
(`webhooks.authentic`): otherwise 403 and nothing read further. A body over 16 KB is 413,
a malformed one 400, a method other than POST 405, any other channel 404. No CSRF check (the
signature or secret is the credential), no session, and no answer may be cached.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from amparo.messaging import actions, channels, webhooks
from amparo.messaging.models import Channel

MAX_BODY = 16 * 1024
HOOK_CHANNELS = (Channel.SMS, Channel.WHATSAPP)
HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


class Malformed(Exception):
    pass


View = Callable[[HttpRequest, str], HttpResponse]


def _hook(view: View) -> View:
    """The edge every webhook shares (see the module's docstring)."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, channel: str) -> HttpResponse:
        if channel not in HOOK_CHANNELS:
            raise Http404
        response: HttpResponse
        if request.method != "POST":
            response = HttpResponse(status=405, headers={"Allow": "POST"})
        elif _too_big(request):
            response = JsonResponse({"detail": _("The request is too large.")}, status=413)
        elif not webhooks.authentic(request, channel):
            response = JsonResponse({"detail": _("Not authenticated as the gateway.")}, status=403)
        else:
            try:
                response = view(request, channel)
            except Malformed as exc:
                response = JsonResponse({"detail": str(exc)}, status=400)
        for header, value in HEADERS.items():
            response[header] = value
        return response

    return wrapped


def _too_big(request: HttpRequest) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return declared > MAX_BODY or len(request.body) > MAX_BODY


def _twilio(channel: str) -> bool:
    return channels.provider_of(channel) == "twilio"


def _form(request: HttpRequest) -> Any:
    if request.content_type != "application/x-www-form-urlencoded":
        raise Malformed(_("Expected a form (application/x-www-form-urlencoded)."))
    return request.POST


def _json(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Malformed(_("Expected a JSON object.")) from exc
    if not isinstance(data, dict):
        raise Malformed(_("Expected a JSON object."))
    return data


def _text(value: Any, name: str, *, required: bool = False, limit: int = 100) -> str:
    if value is None or value == "":
        if required:
            raise Malformed(_("%(field)s is required.") % {"field": name})
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Malformed(_("%(field)s must be text.") % {"field": name})
    value = str(value)
    if len(value) > limit:
        raise Malformed(_("%(field)s is too long.") % {"field": name})
    return value


def _our_uuid(request: HttpRequest) -> UUID | None:
    given = request.GET.get("message")
    if not given:
        return None
    try:
        return UUID(given)
    except ValueError as exc:
        raise Malformed(_("“message” is not a reference of one of our messages.")) from exc


@_hook
def status(request: HttpRequest, channel: str) -> HttpResponse:
    ours = _our_uuid(request)
    if _twilio(channel):
        form = _form(request)
        state = _text(form.get("MessageStatus"), "MessageStatus", required=True, limit=40)
        reference = _text(form.get("MessageSid"), "MessageSid")
    else:
        data = _json(request)
        state = _text(data.get("status"), "status", required=True, limit=40)
        reference = _text(data.get("id") or data.get("uuid"), "id")
    if ours is None and not reference:
        raise Malformed(_("The report names no message."))
    settled = actions.settle_status(
        channel=channel, status=state, message_uuid=ours, provider_ref=reference
    )
    return JsonResponse({"settled": settled is not None})


@_hook
def inbound(request: HttpRequest, channel: str) -> HttpResponse:
    twilio = _twilio(channel)
    if twilio:
        form = _form(request)
        sender = _text(form.get("From"), "From", required=True, limit=300)
        text = _text(form.get("Body"), "Body", limit=actions.inbound.MAX_TEXT)
        reference = _text(form.get("MessageSid"), "MessageSid")
    else:
        data = _json(request)
        sender = _text(data.get("from"), "from", required=True, limit=300)
        text = _text(data.get("text"), "text", limit=actions.inbound.MAX_TEXT)
        reference = _text(data.get("id"), "id")
    try:
        reply = actions.receive_reply(
            channel=channel, address=sender, text=text, provider_ref=reference
        )
    except ValueError as exc:
        raise Malformed(str(exc)) from exc
    code = 200 if reply.inbound is not None or reply.opted_out else 202
    if not twilio:
        return JsonResponse(
            {"kept": reply.inbound is not None, "opted_out": reply.opted_out}, status=code
        )
    answer = ""
    if reply.opted_out and reply.created:
        with translation.override("es"):  # Spanish first: we do not know their language
            confirmation = _("You will receive no more messages from us.")
        answer = f"<Message>{escape(confirmation)}</Message>"
    return HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{answer}</Response>',
        content_type="text/xml; charset=utf-8",
        status=code,
    )


urlpatterns = [
    path("<str:channel>/status/", status, name="messaging-hook-status"),
    path("<str:channel>/inbound/", inbound, name="messaging-hook-inbound"),
]
