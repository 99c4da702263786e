"""The campaign screens: templates with a preview, a draft that shows how many people it
reaches, sending, the delivery log; 404 to every other role and organization."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from amparo.core.models import AuditEvent
from amparo.messaging import actions
from amparo.messaging.models import Campaign, Message, Template

pytestmark = pytest.mark.django_db

TEMPLATE = {
    "name": "Citas",
    "channel": "sms",
    "body_es": "Hola {first_name}, su cita en {office} es el {date}.",
    "body_en": "Hi {first_name}, your appointment at {office} is on {date}.",
    "subject_es": "",
    "subject_en": "",
}


@pytest.fixture
def draft(messenger, sms_template, office_a1):
    return actions.create_campaign(
        actor=messenger, name="Aviso", template=sms_template, filters={"offices": ["a1"]}
    )


def urls(campaign, template):
    return {
        "list": (reverse("messaging:campaigns"), "get"),
        "new": (reverse("messaging:campaign-new"), "get"),
        "templates": (reverse("messaging:templates"), "get"),
        "template-new": (reverse("messaging:template-new"), "get"),
        "template": (reverse("messaging:template", args=[template.uuid]), "get"),
        "copy": (reverse("messaging:template-copy", args=[template.uuid]), "get"),
        "campaign": (reverse("messaging:campaign", args=[campaign.uuid]), "get"),
        "schedule": (reverse("messaging:campaign-schedule", args=[campaign.uuid]), "post"),
        "cancel": (reverse("messaging:campaign-cancel", args=[campaign.uuid]), "post"),
    }


def test_the_communication_officer_opens_every_page(client, messenger, draft, sms_template):
    client.force_login(messenger)
    for name, (url, method) in urls(draft, sms_template).items():
        if method == "get":
            assert client.get(url).status_code == 200, name


@pytest.mark.parametrize("role", ["caseworker", "administrator", "me_officer", "other_org"])
def test_everyone_else_gets_404_and_changes_nothing(
    client, make_user, office_a1, org_b, draft, sms_template, people, role
):
    if role == "other_org":
        user = make_user("communication_officer", organization=org_b, username="cwc.b")
    elif role == "caseworker":
        user = make_user(role, office=office_a1, username="caso.a1")
    else:
        user = make_user(role, organization=office_a1.organization, username=f"{role}.a")
    client.force_login(user)
    for name, (url, method) in urls(draft, sms_template).items():
        if role == "other_org" and name in {"list", "new", "templates", "template-new"}:
            continue  # their own (empty) pages
        response = getattr(client, method)(url, {"now": "1"} if method == "post" else None)
        assert response.status_code == 404, (role, name)
    post = client.post(reverse("messaging:template-new"), TEMPLATE)
    draft.refresh_from_db()
    assert draft.state == Campaign.State.DRAFT
    assert not Template.objects.filter(name="Citas", organization=draft.organization).exists()
    if role == "other_org":
        assert post.status_code == 302  # their own organization's template
    else:
        assert post.status_code == 404


def test_another_organizations_officer_sees_none_of_ours(
    client, make_user, org_b, draft, sms_template
):
    client.force_login(make_user("communication_officer", organization=org_b, username="b"))
    assert list(client.get(reverse("messaging:campaigns")).context["rows"]) == []
    assert list(client.get(reverse("messaging:templates")).context["page"]) == []


def test_the_whole_flow_template_preview_campaign_confirm_send_log(
    client, messenger, people, console_log, django_capture_on_commit_callbacks
):
    client.force_login(messenger)

    preview = client.post(reverse("messaging:template-new"), {**TEMPLATE, "preview": "1"})
    assert preview.status_code == 200
    assert not Template.objects.exists()  # a preview saves nothing
    shown = {p["code"]: p for p in preview.context["preview"]}
    today = shown["es"]["text"].rsplit(" ", 1)[0]
    assert shown["es"]["text"].startswith("Hola Ana, su cita en ")
    assert shown["en"]["text"].startswith("Hi Ana, your appointment at ")
    assert shown["es"]["sms"].segments == 1 and shown["es"]["sms"].gsm
    assert "Hola Ana" in preview.content.decode()
    assert today

    saved = client.post(reverse("messaging:template-new"), {**TEMPLATE, "save": "1"})
    template = Template.objects.get(name="Citas")
    assert saved.status_code == 302
    assert saved["Location"] == reverse("messaging:template", args=[template.uuid])

    created = client.post(
        reverse("messaging:campaign-new"),
        {"name": "Citas de diciembre", "template": str(template.uuid), "offices": ["a1"]},
    )
    campaign = Campaign.objects.get()
    assert created["Location"] == reverse("messaging:campaign", args=[campaign.uuid])
    assert campaign.filters == {"offices": ["a1"]}

    confirm = client.get(created["Location"])
    assert confirm.context["matching"] == 3  # Diego did not agree to be contacted
    assert 'id="recipient-count"' in confirm.content.decode()
    assert confirm.context["preview"][0]["text"].startswith("Hola Ana")

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("messaging:campaign-schedule", args=[campaign.uuid]), {"now": "1"}
        )
    assert sent.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.FINISHED
    assert len(console_log()) == 3

    again = client.post(reverse("messaging:campaign-schedule", args=[campaign.uuid]), {"now": "1"})
    assert again.status_code == 302  # back to its page, saying why
    assert [m.level_tag for m in again.wsgi_request._messages][-1] == "error"
    assert len(console_log()) == 3

    page = client.get(sent["Location"])
    assert page.context["counts"]["sent"] == 3
    body = page.content.decode()
    assert "+5939•••••001" in body and "+593990000001" not in body
    assert "Ana" not in body.split('id="delivery-log"')[1]  # the log names nobody
    references = {m.individual.household.reference for m in Message.objects.all()}
    assert all(r in body for r in references)
    assert AuditEvent.objects.filter(action="messaging.campaign.scheduled").count() == 1

    listed = client.get(reverse("messaging:campaigns"))
    assert listed.context["rows"][0][1]["sent"] == 3


def test_a_campaign_sent_later_is_scheduled_in_the_users_time_and_can_be_cancelled(
    client, messenger, people, draft, django_capture_on_commit_callbacks
):
    client.force_login(messenger)
    later = timezone.localtime() + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("messaging:campaign-schedule", args=[draft.uuid]),
            {"at": "1", "send_at": later.strftime("%Y-%m-%dT%H:%M")},
        )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == Campaign.State.SCHEDULED
    assert abs((draft.send_at - later).total_seconds()) < 60
    assert not Message.objects.exists()  # not yet prepared

    client.post(reverse("messaging:campaign-cancel", args=[draft.uuid]))
    draft.refresh_from_db()
    assert draft.state == Campaign.State.CANCELLED


def test_bad_input_is_refused_with_its_reason_and_nothing_is_created(
    client, messenger, people, sms_template, draft
):
    client.force_login(messenger)

    bad_template = client.post(
        reverse("messaging:template-new"),
        {**TEMPLATE, "name": "", "body_es": "Hola {nombre}", "save": "1"},
    )
    assert bad_template.status_code == 400
    assert set(bad_template.context["form"].errors) == {"name", "body_es"}
    assert Template.objects.count() == 1

    bad_campaign = client.post(
        reverse("messaging:campaign-new"),
        {"name": "", "template": str(sms_template.uuid), "offices": ["nowhere"]},
    )
    assert bad_campaign.status_code == 400
    assert "offices" in bad_campaign.context["form"].errors
    no_name = client.post(
        reverse("messaging:campaign-new"), {"name": "", "template": str(sms_template.uuid)}
    )
    assert no_name.status_code == 400
    assert "name" in no_name.context["form"].errors
    assert Campaign.objects.count() == 1

    past = timezone.localtime() - datetime.timedelta(days=1)
    refused = client.post(
        reverse("messaging:campaign-schedule", args=[draft.uuid]),
        {"at": "1", "send_at": past.strftime("%Y-%m-%dT%H:%M")},
    )
    no_time = client.post(reverse("messaging:campaign-schedule", args=[draft.uuid]), {"at": "1"})
    assert refused.status_code == no_time.status_code == 400
    assert "send_at" in refused.context["schedule_form"].errors
    assert "send_at" in no_time.context["schedule_form"].errors
    draft.refresh_from_db()
    assert draft.state == Campaign.State.DRAFT

    nobody = actions.create_campaign(
        actor=messenger, name="Nadie", template=sms_template, filters={"languages": ["fr"]}
    )
    refused = client.post(reverse("messaging:campaign-schedule", args=[nobody.uuid]), {"now": "1"})
    assert refused.status_code == 400
    assert refused.context["schedule_form"].non_field_errors()


def test_a_sent_template_is_copied_not_changed_and_sms_length_is_counted(
    client, messenger, people, sms_template, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.schedule_campaign(actor=messenger, campaign=draft)
    client.force_login(messenger)
    changed = client.post(
        reverse("messaging:template", args=[sms_template.uuid]),
        {**TEMPLATE, "name": sms_template.name, "save": "1"},
    )
    assert changed.status_code == 400
    sms_template.refresh_from_db()
    assert sms_template.body_es.startswith("Hola {first_name}: el {date}")

    copy = client.get(reverse("messaging:template-copy", args=[sms_template.uuid]))
    assert copy.context["form"].initial["body_es"] == sms_template.body_es
    assert copy.context["form"].initial["name"] != sms_template.name

    long = client.post(
        reverse("messaging:template-new"),
        {**TEMPLATE, "body_es": "ñ" * 150 + " 🙂", "preview": "1"},
    )
    sms = long.context["preview"][0]["sms"]
    assert (sms.gsm, sms.segments) == (False, 3)


def test_the_menu_and_home_show_messages_to_the_communication_officer_only(
    client, messenger, make_user, office_a1, draft
):
    client.force_login(messenger)
    home = client.get(reverse("home"))
    assert reverse("messaging:campaigns") in home.content.decode()
    assert home.context["campaigns"]["latest"] == [draft]
    client.force_login(make_user("caseworker", office=office_a1, username="caso"))
    assert reverse("messaging:campaigns") not in client.get(reverse("home")).content.decode()


def test_a_campaigns_page_names_its_filters_as_the_officer_chose_them(
    client, messenger, sms_template, office_a1
):
    campaign = actions.create_campaign(
        actor=messenger,
        name="Aviso",
        template=sms_template,
        filters={"offices": ["a1"], "population_groups": ["refugee"], "languages": ["fr"]},
    )
    client.force_login(messenger)

    page = client.get(reverse("messaging:campaign", args=[campaign.uuid]))

    shown = dict(page.context["filters"])
    assert list(shown.values()) == ["Oficina A1", "Refugiado", "Francés"]
    assert "refugee" not in page.content.decode()


def test_the_campaign_list_counts_every_campaign_of_a_page_in_one_query(
    client, messenger, sms_template, office_a1, django_assert_max_num_queries
):
    client.force_login(messenger)
    for n in range(3):
        actions.create_campaign(
            actor=messenger, name=f"Aviso {n}", template=sms_template, filters={}
        )
    client.get(reverse("messaging:campaigns"))  # the session, the menu's caches
    with django_assert_max_num_queries(12) as three:
        client.get(reverse("messaging:campaigns"))
    for n in range(3, 12):
        actions.create_campaign(
            actor=messenger, name=f"Aviso {n}", template=sms_template, filters={}
        )

    with django_assert_max_num_queries(len(three.captured_queries)):
        page = client.get(reverse("messaging:campaigns"))

    assert len(page.context["rows"]) == 12
