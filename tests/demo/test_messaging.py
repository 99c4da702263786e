"""The demo messages: two templates and one finished campaign with a delivery log, sent through
the console channel while the demo is built (no worker), once, quickly."""

import json
import time

import pytest
from django.urls import reverse

from amparo.core import access
from amparo.core.models import AuditEvent, User
from amparo.demo import messaging, organizations, registry
from amparo.messaging import queries
from amparo.messaging.models import Campaign, Message, Template


@pytest.fixture
def prepared(db, settings, tmp_path):
    settings.AMPARO_HOME = tmp_path
    # As served: jobs wait for a worker (the demo must not need one).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    organizations.load()
    registry.load(200, seed=2026)
    return tmp_path


def test_the_demo_sends_one_campaign_through_the_console_once_and_quickly(prepared):
    started = time.monotonic()
    first = messaging.load()
    took = time.monotonic() - started

    second = messaging.load()

    assert first["templates"] == 2 and first["campaigns"] == 1
    assert 1 <= first["messages"] <= 40  # a small group
    assert second == {"templates": 0, "campaigns": 0, "messages": 0}
    assert took < 5
    campaign = Campaign.objects.get()
    assert campaign.state == Campaign.State.FINISHED
    assert campaign.recipients == first["messages"]
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}
    lines = (prepared / "messages" / "sms.log").read_text(encoding="utf-8").splitlines()
    sent = [json.loads(line) for line in lines]
    assert len(sent) == first["messages"]
    assert all(line["text"].startswith("Hola ") and "Quito" in line["text"] for line in sent)
    assert "{" not in "".join(line["text"] for line in sent)
    assert AuditEvent.objects.filter(action="messaging.campaign.scheduled").count() == 1


def test_the_demo_officer_reads_the_campaign_and_its_log(prepared, client):
    messaging.load()
    officer = User.objects.get(username="comunicacion.hias")
    assert officer.role.code == "communication_officer"
    assert access.can(officer, "messaging.campaigns")
    names = set(Template.objects.values_list("name", flat=True))
    assert names == {"Aviso de regularización", "Recordatorio de cita"}
    notice = Template.objects.get(name="Aviso de regularización")
    assert all(v in notice.body_es for v in ("{first_name}", "{office}", "{date}"))

    client.force_login(officer)
    campaign = queries.campaigns_visible_to(officer).get()
    page = client.get(reverse("messaging:campaign", args=[campaign.uuid]))
    assert page.status_code == 200
    assert len(page.context["log"]) == campaign.recipients
    assert page.context["counts"]["sent"] == campaign.recipients
