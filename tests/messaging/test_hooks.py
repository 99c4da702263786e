"""The gateways' webhooks: delivery reports and replies (amparo/messaging/hooks_api.py)."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse

from amparo.core.models import AuditEvent
from amparo.feedback.models import FeedbackEntry
from amparo.messaging import actions, delivery, webhooks
from amparo.messaging.models import InboundMessage, Message, OptOut

pytestmark = pytest.mark.django_db

PUBLIC = "https://amparo.example.org"
TOKEN = "twilio-auth-token-1"
SECRET = "rapidpro-secret-1"


def gateway(provider, code):
    return {
        "provider": provider,
        "url": "http://127.0.0.1:9",
        "token": TOKEN if provider == "twilio" else "outgoing-token",
        "account": "AC1",
        "sender": "+15550000000",
        "status_callback": f"{PUBLIC}/api/v1/messaging/hooks/{code}/status/",
        "timeout": 5,
    }


@pytest.fixture
def twilio(settings):
    settings.AMPARO_PUBLIC_URL = PUBLIC
    settings.MESSAGING_CHANNELS = {
        "email": {"provider": "console"},
        "sms": gateway("twilio", "sms"),
        "whatsapp": gateway("twilio", "whatsapp"),
    }


@pytest.fixture
def rapidpro(settings):
    settings.AMPARO_PUBLIC_URL = PUBLIC
    settings.AMPARO_WEBHOOK_SECRET = SECRET
    settings.MESSAGING_CHANNELS = {
        "email": {"provider": "console"},
        "sms": gateway("rapidpro", "sms"),
        "whatsapp": gateway("rapidpro", "whatsapp"),
    }


def signature(token, url, fields):
    """Twilio's scheme, written out here on its own: base64(HMAC-SHA1(token, URL + each
    parameter's name and value in sorted name order))."""
    data = url + "".join(name + fields[name] for name in sorted(fields))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def twilio_post(client, path, fields, token=TOKEN, sign=None):
    return client.post(
        path,
        urllib.parse.urlencode(fields),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": sign or signature(token, PUBLIC + path, fields)},
    )


def rapidpro_post(client, path, body, secret=SECRET):
    headers = {"Authorization": f"Token {secret}"} if secret is not None else {}
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def status_path(channel="sms", message=None):
    path = reverse("messaging-hook-status", args=[channel])
    return f"{path}?message={message}" if message else path


def inbound_path(channel="sms"):
    return reverse("messaging-hook-inbound", args=[channel])


@pytest.fixture
def sent(org_a):
    def make(state=Message.State.SENT, ref="SM100", address="+593990000001", channel="sms"):
        return Message.objects.create(
            organization=org_a,
            channel=channel,
            address=address,
            body="Hola",
            state=state,
            provider_ref=ref,
        )

    return make


# Signatures and secrets


def test_the_signature_matches_twilios_published_example():
    fields = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"

    assert webhooks.twilio_signature("12345", url, fields.items()) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_a_signed_report_is_accepted(client, twilio, sent):
    message = sent()

    response = twilio_post(
        client, status_path(), {"MessageSid": "SM100", "MessageStatus": "delivered"}
    )

    assert response.status_code == 200
    assert response.json() == {"settled": True}
    assert "no-store" in response["Cache-Control"]
    message.refresh_from_db()
    assert message.state == Message.State.DELIVERED
    assert message.delivered_at is not None


@pytest.mark.parametrize(
    "how",
    ["wrong token", "no signature", "changed field", "signed for the internal URL"],
)
def test_a_report_without_a_good_signature_is_refused_and_changes_nothing(
    client, twilio, sent, how
):
    message = sent()
    fields = {"MessageSid": "SM100", "MessageStatus": "failed"}
    path = status_path()
    if how == "wrong token":
        response = twilio_post(client, path, fields, token="another-token")
    elif how == "no signature":
        response = client.post(
            path, urllib.parse.urlencode(fields), content_type="application/x-www-form-urlencoded"
        )
    elif how == "changed field":
        good = signature(TOKEN, PUBLIC + path, fields)
        response = twilio_post(client, path, {**fields, "MessageStatus": "undelivered"}, sign=good)
    else:
        internal = signature(TOKEN, "http://testserver" + path, fields)
        response = twilio_post(client, path, fields, sign=internal)

    assert response.status_code == 403
    message.refresh_from_db()
    assert message.state == Message.State.SENT


def test_the_query_string_is_signed_too(client, twilio, sent):
    message = sent(ref="")
    fields = {"MessageSid": "SM7", "MessageStatus": "delivered"}
    other = sent(ref="", address="+593990000002")
    signed_for_other = signature(TOKEN, PUBLIC + status_path(message=other.uuid), fields)

    response = twilio_post(client, status_path(message=message.uuid), fields, sign=signed_for_other)

    assert response.status_code == 403
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}


def test_a_rapidpro_report_needs_the_secret(client, rapidpro, sent):
    message = sent(ref="7f1c")

    refused = rapidpro_post(client, status_path(), {"id": "7f1c", "status": "D"}, secret="nope")
    missing = rapidpro_post(client, status_path(), {"id": "7f1c", "status": "D"}, secret=None)
    accepted = rapidpro_post(client, status_path(), {"id": "7f1c", "status": "delivered"})

    assert refused.status_code == 403
    assert missing.status_code == 403
    assert accepted.status_code == 200
    message.refresh_from_db()
    assert message.state == Message.State.DELIVERED


def test_an_empty_secret_refuses_everything(client, rapidpro, settings, sent):
    settings.AMPARO_WEBHOOK_SECRET = ""
    message = sent(ref="7f1c")

    response = rapidpro_post(client, status_path(), {"id": "7f1c", "status": "delivered"}, "")

    assert response.status_code == 403
    message.refresh_from_db()
    assert message.state == Message.State.SENT


def test_a_channel_without_a_gateway_has_no_webhook(client, settings, sent):
    settings.AMPARO_WEBHOOK_SECRET = SECRET  # the console provider takes no secret
    sent(ref="7f1c")

    response = rapidpro_post(client, status_path(), {"id": "7f1c", "status": "delivered"})

    assert response.status_code == 403
    assert client.post("/api/v1/messaging/hooks/email/status/").status_code == 404


# Delivery reports


def test_reports_move_a_message_forward_never_backwards(client, twilio, sent):
    message = sent()

    def report(status):
        fields = {"MessageSid": "SM100", "MessageStatus": status}
        return twilio_post(client, status_path(), fields).json()["settled"]

    assert report("sent") is False  # it already is
    assert report("delivered") is True
    assert report("failed") is False
    assert report("sent") is False
    message.refresh_from_db()
    assert message.state == Message.State.DELIVERED
    assert message.error == ""


def test_an_undelivered_report_fails_the_message(client, twilio, sent):
    message = sent()

    twilio_post(client, status_path(), {"MessageSid": "SM100", "MessageStatus": "undelivered"})

    message.refresh_from_db()
    assert message.state == Message.State.FAILED
    assert "undelivered" in message.error


def test_a_message_of_a_dead_worker_is_settled_by_its_report(client, twilio, sent):
    message = sent(state=Message.State.UNKNOWN, ref="")

    response = twilio_post(
        client,
        status_path(message=message.uuid),
        {"MessageSid": "SM555", "MessageStatus": "delivered"},
    )

    assert response.json() == {"settled": True}
    message.refresh_from_db()
    assert message.state == Message.State.DELIVERED
    assert message.provider_ref == "SM555"  # kept now, for later reports


def test_a_report_about_no_message_of_ours_does_nothing_quietly(client, twilio, sent):
    sent()

    response = twilio_post(
        client, status_path(), {"MessageSid": "SM999", "MessageStatus": "delivered"}
    )

    assert response.status_code == 200
    assert response.json() == {"settled": False}
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}


def test_a_report_on_the_other_channel_does_not_touch_this_one(client, twilio, sent):
    message = sent()

    twilio_post(client, status_path("whatsapp"), {"MessageSid": "SM100", "MessageStatus": "failed"})

    message.refresh_from_db()
    assert message.state == Message.State.SENT


@pytest.mark.parametrize(
    "fields",
    [{"MessageSid": "SM100"}, {"MessageStatus": "delivered"}],
)
def test_a_malformed_report_is_400(client, twilio, sent, fields):
    sent()

    assert twilio_post(client, status_path(), fields).status_code == 400


def test_a_malformed_json_report_and_a_bad_message_reference_are_400(client, rapidpro):
    path = status_path()
    headers = {"Authorization": f"Token {SECRET}"}

    not_json = client.post(path, "{", content_type="application/json", headers=headers)
    a_list = rapidpro_post(client, path, ["delivered"])
    bad_uuid = rapidpro_post(client, status_path(message="not-a-uuid"), {"status": "sent"})

    assert [not_json.status_code, a_list.status_code, bad_uuid.status_code] == [400, 400, 400]


def test_a_large_body_is_refused(client, rapidpro):
    body = {"id": "x", "status": "delivered", "pad": "a" * 17000}

    assert rapidpro_post(client, status_path(), body).status_code == 413


def test_only_post(client, twilio):
    assert client.get(status_path()).status_code == 405


class FakeTwilio(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers["Content-Length"])
        FakeTwilio.received.append(urllib.parse.parse_qs(self.rfile.read(length).decode()))
        answer = json.dumps({"sid": "SMfake1"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def test_the_callback_we_give_the_gateway_brings_the_message_back(
    client, twilio, settings, messenger, people, sms_template
):
    server = HTTPServer(("127.0.0.1", 0), FakeTwilio)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.MESSAGING_CHANNELS["sms"]["url"] = f"http://127.0.0.1:{server.server_port}"
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        campaign = actions.create_campaign(
            actor=messenger, name="Aviso", template=sms_template, filters={"languages": ["en"]}
        )
        actions.schedule_campaign(actor=messenger, campaign=campaign)
        from amparo.messaging import tasks

        tasks.prepare_campaign.call(campaign.pk)
        FakeTwilio.received = []
        (message,) = delivery.claim(campaign.pk, 5)
        delivery.send_one(message, {}, delivery.Pace(1000))
    finally:
        server.shutdown()
        server.server_close()

    (request,) = FakeTwilio.received
    callback = request["StatusCallback"][0]
    assert callback == f"{PUBLIC}{status_path(message=message.uuid)}"
    # The worker "dies" before keeping the sid: the report still finds the message.
    Message.objects.filter(pk=message.pk).update(state=Message.State.UNKNOWN, provider_ref="")
    response = twilio_post(
        client,
        callback.removeprefix(PUBLIC),
        {"MessageSid": "SMfake1", "MessageStatus": "delivered"},
    )
    assert response.json() == {"settled": True}
    message.refresh_from_db()
    assert message.state == Message.State.DELIVERED


# Replies


@pytest.mark.parametrize("word", ["STOP", "Alto", "baja", " ¡BAJA! ", "Párar.", "cancelar", "Stop"])
def test_an_opt_out_word_stops_the_next_campaign(
    client,
    twilio,
    messenger,
    people,
    sms_template,
    console_log,
    settings,
    django_capture_on_commit_callbacks,
    word,
):
    response = twilio_post(
        client,
        inbound_path(),
        {"From": "+593990000002", "Body": word, "MessageSid": "SMin1"},
    )

    assert response.status_code in (200, 202)
    assert response["Content-Type"].startswith("text/xml")
    assert OptOut.objects.filter(channel="sms", address="+593990000002", source="reply").exists()
    assert FeedbackEntry.objects.count() == 0
    settings.MESSAGING_CHANNELS["sms"] = {"provider": "console"}
    campaign = actions.create_campaign(
        actor=messenger, name="Aviso", template=sms_template, filters={}
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.schedule_campaign(actor=messenger, campaign=campaign)
    assert sorted(line["to"] for line in console_log()) == ["+593990000001", "+593990000003"]


@pytest.mark.parametrize(
    ("text", "stops"),
    [
        ("STOP", True),
        ("stop.", True),
        ("Dar de baja", True),
        ("UNSUBSCRIBE", True),
        ("No más", True),
        ("please stop sending me this", False),
        ("¿Cuándo abre la oficina? alto", False),
        ("", False),
    ],
)
def test_only_a_whole_message_of_an_opt_out_word_stops(text, stops):
    assert actions.is_opt_out(text) is stops


def test_an_opt_out_reply_is_kept_and_confirmed(client, twilio, sent, org_a):
    sent()

    response = twilio_post(
        client, inbound_path(), {"From": "+593990000001", "Body": "ALTO", "MessageSid": "SMx"}
    )

    assert response.status_code == 200
    assert "<Message>" in response.content.decode()
    inbound = InboundMessage.objects.get()
    assert inbound.opted_out
    assert inbound.organization == org_a
    assert inbound.text == "ALTO"


def test_a_whatsapp_reply_loses_its_prefix(client, twilio, sent):
    sent(channel="whatsapp", ref="SMw")

    twilio_post(
        client,
        inbound_path("whatsapp"),
        {"From": "whatsapp:+593990000001", "Body": "baja", "MessageSid": "SMw-in"},
    )

    assert OptOut.objects.filter(channel="whatsapp", address="+593990000001").exists()
    assert not OptOut.objects.filter(channel="sms").exists()


def test_an_ordinary_reply_becomes_feedback_the_inbox_shows(
    client, twilio, sent, people, make_user, org_a, org_b, office_a1
):
    sent(address="+593990000003")

    response = twilio_post(
        client,
        inbound_path(),
        {"From": "+593990000003", "Body": "¿Qué documentos llevo?", "MessageSid": "SMq"},
    )

    assert response.status_code == 200
    assert "<Message>" not in response.content.decode()
    entry = FeedbackEntry.objects.get()
    assert (entry.channel, entry.category, entry.sensitive) == ("sms", "question", False)
    assert entry.contact == "+593990000003"
    assert entry.organization == org_a
    assert entry.individual == people[2]
    inbound = InboundMessage.objects.get()
    assert inbound.feedback_entry_uuid == entry.uuid
    assert not inbound.opted_out
    event = AuditEvent.objects.get(action="feedback.entry.received")
    assert event.actor_username == "gateway"
    assert "documentos" not in json.dumps(event.details)

    detail = reverse("feedback:detail", args=[entry.uuid])
    me = make_user("me_officer", organization=org_a, username="me.a")
    client.force_login(me)
    inbox = client.get(reverse("feedback:inbox"))
    assert inbox.status_code == 200
    assert entry.reference in inbox.content.decode()
    assert client.get(detail).status_code == 200
    for outsider in (
        make_user("me_officer", organization=org_b, username="me.b"),
        make_user("registration_officer", office=office_a1, username="reg.other"),
    ):
        client.force_login(outsider)
        page = client.get(detail)
        assert page.status_code == 404, (outsider.username, page.content.decode()[:3000])


def test_a_gateway_still_cannot_file_outside_the_sensitive_rules(org_a, make_user):
    """The gateway's way in files any category the action is given under its own rules: a
    sensitive one is still hidden from the M&E officer (replies themselves are questions)."""
    from amparo.feedback import actions as feedback_actions
    from amparo.feedback import queries as feedback_queries

    entry, _code = feedback_actions.receive_feedback(
        organization=org_a, category="fraud", text="Me cobraron", channel="sms"
    )
    me = make_user("me_officer", organization=org_a, username="me.a")

    assert entry.sensitive
    assert not feedback_queries.entries_visible_to(me).filter(pk=entry.pk).exists()
    with pytest.raises(ValueError):
        feedback_actions.receive_feedback(
            organization=org_a, category="question", text="x", channel="hotline"
        )


def test_a_retried_reply_is_kept_once(client, twilio, sent):
    sent()
    fields = {"From": "+593990000001", "Body": "Gracias, ¿y mañana?", "MessageSid": "SMretry"}

    first = twilio_post(client, inbound_path(), fields)
    again = twilio_post(client, inbound_path(), fields)

    assert (first.status_code, again.status_code) == (200, 200)
    assert InboundMessage.objects.count() == 1
    assert FeedbackEntry.objects.count() == 1


def test_a_rapidpro_reply(client, rapidpro, sent):
    sent()

    reply = rapidpro_post(
        client, inbound_path(), {"from": "tel:+593990000001", "text": "hola", "id": 42}
    )
    stop = rapidpro_post(
        client, inbound_path(), {"from": "+593990000001", "text": "STOP", "id": 43}
    )
    refused = rapidpro_post(client, inbound_path(), {"from": "+1", "text": "x"}, secret="no")

    assert reply.json() == {"kept": True, "opted_out": False}
    assert stop.json() == {"kept": True, "opted_out": True}
    assert refused.status_code == 403
    assert InboundMessage.objects.count() == 2
    assert InboundMessage.objects.filter(provider_ref="42", address="+593990000001").exists()


def test_a_reply_from_a_stranger_goes_to_the_configured_organization(
    client, twilio, settings, org_a, org_b
):
    settings.AMPARO_INBOUND_ORGANIZATION = "org-b"
    fields = {"From": "+593970000000", "Body": "Hola, ¿atienden hoy?", "MessageSid": "SMs"}

    response = twilio_post(client, inbound_path(), fields)

    assert response.status_code == 200
    assert FeedbackEntry.objects.get().organization == org_b
    assert FeedbackEntry.objects.get().individual is None


def test_a_reply_nobody_can_keep_is_202_but_its_opt_out_counts(client, twilio, settings):
    settings.AMPARO_INBOUND_ORGANIZATION = ""

    kept = twilio_post(
        client, inbound_path(), {"From": "+593970000000", "Body": "hola", "MessageSid": "a"}
    )
    stop = twilio_post(
        client, inbound_path(), {"From": "+593970000000", "Body": "STOP", "MessageSid": "b"}
    )

    assert kept.status_code == 202
    assert stop.status_code == 200
    assert InboundMessage.objects.count() == 0
    assert FeedbackEntry.objects.count() == 0
    assert OptOut.objects.filter(address="+593970000000").exists()


def test_a_reply_without_a_sender_is_400(client, twilio):
    response = twilio_post(client, inbound_path(), {"Body": "hola", "MessageSid": "a"})

    assert response.status_code == 400
    assert response.json() == {"detail": "From es obligatorio."}
    assert InboundMessage.objects.count() == 0


def test_a_malformed_body_is_told_in_the_language_the_caller_asks_for(client, rapidpro):
    spanish = client.post(
        inbound_path(),
        b"[1, 2]",
        content_type="application/json",
        headers={"Authorization": f"Token {SECRET}"},
    )
    english = client.post(
        inbound_path(),
        b"{not json",
        content_type="application/json",
        headers={"Authorization": f"Token {SECRET}", "Accept-Language": "en"},
    )

    assert (spanish.status_code, spanish.json()) == (400, {"detail": "Se esperaba un objeto JSON."})
    assert (english.status_code, english.json()) == (400, {"detail": "Expected a JSON object."})
