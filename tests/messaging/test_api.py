"""The campaigns API: templates and campaigns of the organization, a draft scheduled now or
later, cancelled; 400 with field messages; 404 to every other role and organization."""

import datetime

import pytest
from django.utils import timezone

from amparo.messaging.models import Campaign, Template
from tests.factories import api_token

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/api/v1/messaging/campaigns/"
TEMPLATES = "/api/v1/messaging/templates/"


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_the_officer_creates_a_template_and_a_campaign_and_sends_it(
    client, messenger, people, console_log, django_capture_on_commit_callbacks
):
    api(client, messenger)
    made = post(
        client,
        TEMPLATES,
        {"name": "Citas", "channel": "sms", "body_es": "Hola {first_name}, el {date}."},
    )
    assert made.status_code == 201, made.json()
    template = Template.objects.get()
    assert made.json()["id"] == str(template.uuid)
    assert "no-store" in made["Cache-Control"]
    assert [t["name"] for t in client.get(TEMPLATES).json()["results"]] == ["Citas"]

    created = post(
        client,
        CAMPAIGNS,
        {"name": "Citas", "template": str(template.uuid), "filters": {"offices": ["a1"]}},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["filters"]) == ("draft", {"offices": ["a1"]})
    campaign = Campaign.objects.get(uuid=body["id"])

    with django_capture_on_commit_callbacks(execute=True):
        sent = post(client, f"{CAMPAIGNS}{campaign.uuid}/schedule/")
    assert sent.status_code == 200, sent.json()
    detail = client.get(f"{CAMPAIGNS}{campaign.uuid}/")
    assert "no-store" in detail["Cache-Control"] and "private" in detail["Cache-Control"]
    assert detail.json()["state"] == "finished"
    assert detail.json()["recipients"] == 3
    assert detail.json()["counts"]["sent"] == 3
    assert len(console_log()) == 3
    listed = client.get(CAMPAIGNS).json()["results"]
    assert [c["id"] for c in listed] == [str(campaign.uuid)]
    assert "counts" not in listed[0]
    assert "+593990000001" not in detail.content.decode()


def test_a_campaign_scheduled_for_later_can_be_cancelled(
    client, messenger, people, sms_template, django_capture_on_commit_callbacks
):
    api(client, messenger)
    campaign = post(
        client, CAMPAIGNS, {"name": "Más tarde", "template": str(sms_template.uuid)}
    ).json()
    later = timezone.now() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = post(
            client, f"{CAMPAIGNS}{campaign['id']}/schedule/", {"send_at": later.isoformat()}
        )
    assert scheduled.json()["state"] == "scheduled"
    cancelled = post(client, f"{CAMPAIGNS}{campaign['id']}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    again = post(client, f"{CAMPAIGNS}{campaign['id']}/cancel/")
    assert again.status_code == 400
    assert again.json()["non_field_errors"]


def test_malformed_input_is_400_with_field_messages_and_creates_nothing(
    client, messenger, people, sms_template, make_user, org_b
):
    api(client, messenger)
    bad_template = post(client, TEMPLATES, {"name": "", "channel": "fax", "body_es": "{x}"})
    assert bad_template.status_code == 400
    assert {"channel"} <= set(bad_template.json())
    unknown = post(client, TEMPLATES, {"name": "Mal", "channel": "sms", "body_es": "Hola {x}"})
    assert unknown.status_code == 400 and "body_es" in unknown.json()

    cases = [
        ({"template": str(sms_template.uuid)}, "name"),
        ({"name": "X", "template": "not-a-uuid"}, "template"),
        ({"name": "X", "template": "00000000-0000-0000-0000-000000000000"}, "template"),
        (
            {"name": "X", "template": str(sms_template.uuid), "filters": {"offices": "a1"}},
            "filters",
        ),
        (
            {"name": "X", "template": str(sms_template.uuid), "filters": {"offices": ["zz"]}},
            "offices",
        ),
        (
            {"name": "X", "template": str(sms_template.uuid), "filters": {"project": "P-9"}},
            "project",
        ),
    ]
    for body, field in cases:
        refused = post(client, CAMPAIGNS, body)
        assert refused.status_code == 400, body
        assert field in refused.json(), (body, refused.json())

    foreign = make_user("communication_officer", organization=org_b, username="cwc.b")
    theirs = Template.objects.create(
        organization=org_b, name="B", channel="sms", body_es="Hola", created_by=foreign
    )
    refused = post(client, CAMPAIGNS, {"name": "X", "template": str(theirs.uuid)})
    assert refused.status_code == 400 and "template" in refused.json()

    draft = post(client, CAMPAIGNS, {"name": "Y", "template": str(sms_template.uuid)}).json()
    past = post(
        client,
        f"{CAMPAIGNS}{draft['id']}/schedule/",
        {"send_at": (timezone.now() - datetime.timedelta(days=2)).isoformat()},
    )
    assert past.status_code == 400 and "send_at" in past.json()
    assert Campaign.objects.count() == 1
    assert Campaign.objects.get().state == "draft"
    assert Template.objects.filter(organization=messenger.organization).count() == 1


@pytest.mark.parametrize("role", ["caseworker", "administrator", "other_org"])
def test_everyone_else_gets_404(client, make_user, office_a1, org_b, sms_template, messenger, role):
    campaign = post(
        api(client, messenger), CAMPAIGNS, {"name": "A", "template": str(sms_template.uuid)}
    ).json()
    if role == "other_org":
        user = make_user("communication_officer", organization=org_b, username="cwc.b")
    elif role == "caseworker":
        user = make_user(role, office=office_a1, username="caso.a1")
    else:
        user = make_user(role, organization=office_a1.organization, username="adm.a")
    api(client, user)
    detail = f"{CAMPAIGNS}{campaign['id']}/"
    assert client.get(detail).status_code == 404
    assert post(client, f"{detail}schedule/").status_code == 404
    assert post(client, f"{detail}cancel/").status_code == 404
    assert client.get(f"{TEMPLATES}{sms_template.uuid}/").status_code == 404
    if role == "other_org":
        assert client.get(CAMPAIGNS).json()["results"] == []
        assert client.get(TEMPLATES).json()["results"] == []
    else:
        assert client.get(CAMPAIGNS).status_code == 404
        assert client.get(TEMPLATES).status_code == 404
        made = post(client, CAMPAIGNS, {"name": "Z", "template": str(sms_template.uuid)})
        assert made.status_code == 404
        assert (
            post(client, TEMPLATES, {"name": "Z", "channel": "sms", "body_es": "x"}).status_code
            == 404
        )
    assert Campaign.objects.get().state == "draft"


def test_the_schema_documents_the_campaign_endpoints(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert set(paths[CAMPAIGNS]) >= {"get", "post"}
    assert "post" in paths[CAMPAIGNS + "{id}/schedule/"]
    assert "post" in paths[CAMPAIGNS + "{id}/cancel/"]
    assert set(paths[TEMPLATES]) >= {"get", "post"}
    detail = schema["components"]["schemas"]["CampaignDetail"]["properties"]
    assert "counts" in detail
    assert schema["components"]["schemas"]["CampaignStateEnum"]["enum"] == [
        "draft",
        "scheduled",
        "sending",
        "finished",
        "cancelled",
    ]
