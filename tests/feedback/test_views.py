"""The staff inbox: who sees which page, the entry's forms, recording with the code shown once."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from amparo.core.models import AuditEvent
from amparo.feedback import tracking
from amparo.feedback.models import FeedbackEntry, FeedbackNote
from amparo.registry.actions import register_household
from tests.factories import member


def household_at(office, actor):
    return register_household(actor=actor, office=office, members=[member()])


def es(message: str) -> str:
    with translation.override("es"):
        return translation.gettext(message)


def page_of(response) -> str:
    return response.content.decode()


def detail_url(entry) -> str:
    return reverse("feedback:detail", args=[entry.uuid])


def action_url(entry, name: str) -> str:
    return reverse(f"feedback:{name}", args=[entry.uuid])


@pytest.fixture
def entries(submit, office_a1, office_a2):
    ordinary, _ = submit(category="complaint", office=office_a1, text="La fila fue muy larga")
    other, _ = submit(category="suggestion", office=office_a2, text="Abrir los sábados")
    sensitive, _ = submit(category="fraud", office=office_a1, text="Me cobraron por el kit")
    return ordinary, other, sensitive


def snapshot(entry) -> tuple:
    entry.refresh_from_db()
    return (
        entry.category,
        entry.priority,
        entry.status,
        entry.assigned_to_id,
        entry.public_reply,
        entry.satisfaction,
        entry.notes.count(),
    )


# --- who sees what -----------------------------------------------------------------------


@pytest.mark.django_db
def test_inbox_shows_each_reader_what_they_may_see_newest_first(client, entries, ethics, handler):
    ordinary, other, sensitive = entries

    client.force_login(handler)
    seen_by_handler = list(client.get(reverse("feedback:inbox")).context["page"])
    client.force_login(ethics)
    response = client.get(reverse("feedback:inbox"))

    assert seen_by_handler == [other, ordinary]
    assert list(response.context["page"]) == [sensitive, other, ordinary]
    assert page_of(response).count('class="badge"') == 1
    assert es("sensitive") in page_of(response)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_inbox_and_detail_answer_404_to_roles_that_do_not_read_feedback(
    client, entries, recorder, admin_a, make_user, org_a
):
    ordinary = entries[0]
    superuser = make_user("administrator", organization=org_a, is_superuser=True)

    for user in (recorder, admin_a, superuser):
        client.force_login(user)
        inbox = client.get(reverse("feedback:inbox"))
        detail = client.get(detail_url(ordinary))
        reply = client.post(action_url(ordinary, "reply"), {"public_reply": "Hola"})

        assert inbox.status_code == 404, user
        assert detail.status_code == 404, user
        assert reply.status_code == 404, user
    assert snapshot(ordinary)[4] == ""
    assert not AuditEvent.objects.filter(action="feedback.feedbackentry.viewed").exists()


@pytest.mark.django_db
def test_another_organizations_reader_sees_an_empty_inbox_and_404_on_the_entry(
    client, entries, make_user, org_b
):
    reader_b = make_user("ethics_focal_point", organization=org_b)
    client.force_login(reader_b)

    response = client.get(reverse("feedback:inbox"))

    assert response.status_code == 200
    assert list(response.context["page"]) == []
    for entry in entries:
        assert client.get(detail_url(entry)).status_code == 404


@pytest.mark.django_db
def test_a_sensitive_entry_is_read_by_the_ethics_focal_point_and_404_for_the_handler(
    client, entries, ethics, handler
):
    sensitive = entries[2]

    client.force_login(handler)
    refused = client.get(detail_url(sensitive))
    client.force_login(ethics)
    shown = client.get(detail_url(sensitive))

    assert refused.status_code == 404
    assert shown.status_code == 200
    assert "Me cobraron por el kit" in page_of(shown)


@pytest.mark.django_db
def test_reading_an_entry_is_audited(client, entries, handler):
    ordinary = entries[0]
    client.force_login(handler)

    client.get(detail_url(ordinary))

    event = AuditEvent.objects.get(action="feedback.feedbackentry.viewed")
    assert (event.actor_id, event.target_id) == (handler.pk, str(ordinary.uuid))


@pytest.mark.django_db
def test_what_people_typed_is_rendered_inert(client, submit, office_a1, handler):
    entry, _ = submit(
        office=office_a1,
        text="<script>alert('x')</script>",
        contact='<img src=x onerror="alert(1)">',
    )
    client.force_login(handler)
    client.post(action_url(entry, "note"), {"text": "<b>nota</b>"})

    page = page_of(client.get(detail_url(entry)))

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "<b>nota</b>" not in page
    assert "&lt;b&gt;nota&lt;/b&gt;" in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/amparo/amparo.js" defer>']


# --- filters -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_inbox_filters_by_status_category_channel_office_and_overdue(
    client, entries, handler, office_a2, recorder, submit, office_a1
):
    ordinary, other, _ = entries
    late, _ = submit(
        category="question",
        office=office_a1,
        received_at=timezone.now() - datetime.timedelta(days=30),
    )
    hotline, _ = submit(category="question", office=office_a1, channel="hotline", actor=recorder)
    client.force_login(handler)

    def listed(**params):
        response = client.get(reverse("feedback:inbox"), params)
        assert response.status_code == 200
        return list(response.context["page"])

    assert listed(category="suggestion") == [other]
    assert listed(office=str(office_a2.uuid)) == [other]
    assert listed(channel="hotline") == [hotline]
    assert listed(overdue="on") == [late]
    assert listed(status="closed") == []
    assert 'class="overdue"' in page_of(client.get(reverse("feedback:inbox")))


@pytest.mark.django_db
def test_a_bad_filter_is_explained_not_a_crash(client, entries, handler):
    client.force_login(handler)

    response = client.get(reverse("feedback:inbox"), {"category": "nonsense"})

    assert response.status_code == 400
    assert es("Select a valid choice. %(value)s is not one of the available choices.") % {
        "value": "nonsense"
    } in page_of(response).replace("&quot;", '"')


@pytest.mark.django_db
def test_the_handler_cannot_filter_on_sensitive_categories(client, entries, handler):
    client.force_login(handler)

    response = client.get(reverse("feedback:inbox"))

    choices = [c[0] for c in response.context["form"].fields["category"].choices]
    assert "fraud" not in choices
    assert "complaint" in choices


# --- the entry's forms -------------------------------------------------------------------


@pytest.mark.django_db
def test_handler_replies_notes_assigns_and_closes(client, entries, handler, ethics, make_user):
    ordinary = entries[0]
    colleague = make_user("me_officer", organization=handler.organization, username="mye.b")
    client.force_login(handler)

    replied = client.post(action_url(ordinary, "reply"), {"public_reply": "Abriremos otra fila."})
    noted = client.post(action_url(ordinary, "note"), {"text": "Llamar el lunes"})
    assigned = client.post(action_url(ordinary, "assign"), {"assigned_to": str(colleague.uuid)})
    closed = client.post(action_url(ordinary, "close"), {"satisfaction": "satisfied"})

    for response in (replied, noted, assigned, closed):
        assert response.status_code == 302
        assert response["Location"] == detail_url(ordinary)
    ordinary.refresh_from_db()
    assert ordinary.public_reply == "Abriremos otra fila."
    assert ordinary.assigned_to == colleague
    assert (ordinary.status, ordinary.satisfaction) == ("closed", "satisfied")
    assert FeedbackNote.objects.get(entry=ordinary).text == "Llamar el lunes"
    page = page_of(client.get(detail_url(ordinary)))
    assert "Abriremos otra fila." in page
    assert "Llamar el lunes" in page
    assert es("Feedback closed.") in page
    assert es("%(actor)s answered the feedback") % {"actor": handler.get_full_name()} in page


@pytest.mark.django_db
def test_assign_offers_only_colleagues_who_may_see_the_entry(
    client, entries, handler, ethics, recorder, admin_a, make_user, office_a1, office_a2, org_b
):
    ordinary, _, sensitive = entries
    at_a2 = make_user("case_supervisor", office=office_a2)
    at_a2.role.permissions = [*at_a2.role.permissions, "feedback.view"]
    at_a2.role.save()
    at_a1 = make_user("case_supervisor", office=office_a1)
    make_user("me_officer", organization=org_b)
    make_user("me_officer", organization=handler.organization, is_active=False)
    client.force_login(ethics)

    ordinary_choices = client.get(detail_url(ordinary)).context["assign_form"]
    sensitive_choices = client.get(detail_url(sensitive)).context["assign_form"]

    assert set(ordinary_choices.fields["assigned_to"].queryset) == {handler, ethics, at_a1}
    assert set(sensitive_choices.fields["assigned_to"].queryset) == {ethics}


@pytest.mark.django_db
def test_assigning_someone_who_may_not_see_it_is_refused_and_changes_nothing(
    client, entries, handler, recorder
):
    ordinary = entries[0]
    before = snapshot(ordinary)
    client.force_login(handler)

    response = client.post(action_url(ordinary, "assign"), {"assigned_to": str(recorder.uuid)})

    assert response.status_code == 400
    assert es("Select a valid choice. That choice is not one of the available choices.") in (
        page_of(response)
    )
    assert snapshot(ordinary) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("reply", {"public_reply": "  "}, "Write the reply."),
        ("note", {"text": ""}, "Write the note."),
        ("close", {}, "Say whether the person was satisfied."),
        (
            "close",
            {"satisfaction": "maybe"},
            "Select a valid choice. %(value)s is not one of the available choices.",
        ),
        (
            "change",
            {"category": "nonsense", "priority": "high"},
            "Select a valid choice. %(value)s is not one of the available choices.",
        ),
        ("reply", {"public_reply": "x" * 2001}, "Keep the reply under %(n)d characters."),
    ],
)
def test_each_form_refuses_bad_input_with_a_translated_error_and_changes_nothing(
    client, entries, handler, name, data, message
):
    ordinary = entries[0]
    before = snapshot(ordinary)
    client.force_login(handler)
    events = AuditEvent.objects.exclude(action__endswith=".viewed").count()

    response = client.post(action_url(ordinary, name), data)

    expected = (
        es(message) % {"value": "maybe" if "maybe" in str(data) else "nonsense", "n": 2000}
        if "%" in message
        else es(message)
    )
    assert response.status_code == 400
    assert expected != message  # in Spanish, not the English source
    assert expected in page_of(response).replace("&quot;", '"')
    assert 'id="error-summary"' in page_of(response)
    assert snapshot(ordinary) == before
    assert AuditEvent.objects.exclude(action__endswith=".viewed").count() == events


@pytest.mark.django_db
def test_replying_to_a_closed_entry_is_refused(client, entries, handler):
    ordinary = entries[0]
    client.force_login(handler)
    client.post(action_url(ordinary, "close"), {"satisfaction": "unknown"})

    response = client.post(action_url(ordinary, "reply"), {"public_reply": "Tarde"})

    assert response.status_code == 400
    assert es("This entry is closed.") in page_of(response)
    ordinary.refresh_from_db()
    assert ordinary.public_reply == ""


@pytest.mark.django_db
def test_moving_an_entry_to_a_sensitive_category_sends_it_to_the_ethics_team(
    client, entries, handler
):
    ordinary = entries[0]
    client.force_login(handler)

    response = client.post(
        action_url(ordinary, "change"),
        {"category": "sexual_exploitation_abuse", "priority": "urgent"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:inbox")
    inbox = page_of(client.get(reverse("feedback:inbox")))
    assert (
        es("Feedback %(reference)s was sent to the ethics team.")
        % {"reference": ordinary.reference}
        in inbox
    )
    assert client.get(detail_url(ordinary)).status_code == 404
    ordinary.refresh_from_db()
    assert (ordinary.sensitive, ordinary.priority) == (True, "urgent")


@pytest.mark.django_db
def test_changing_the_priority_stays_on_the_entry(client, entries, handler):
    ordinary = entries[0]
    client.force_login(handler)

    response = client.post(
        action_url(ordinary, "change"), {"category": "complaint", "priority": "high"}
    )

    assert response["Location"] == detail_url(ordinary)
    ordinary.refresh_from_db()
    assert ordinary.priority == "high"


@pytest.mark.django_db
def test_the_linked_person_is_a_link_only_for_who_may_see_the_registry(
    client, submit, office_a1, handler, make_user, recorder
):
    person = household_at(office_a1, recorder).members.get()
    entry, _ = submit(office=office_a1, individual=person)
    registrar_reader = make_user("case_supervisor", office=office_a1)
    registrar_reader.role.permissions = [*registrar_reader.role.permissions, "feedback.view"]
    registrar_reader.role.save()

    client.force_login(handler)
    hidden = page_of(client.get(detail_url(entry)))
    client.force_login(registrar_reader)
    linked = page_of(client.get(detail_url(entry)))

    link = reverse("registry:individual", args=[person.uuid])
    assert link not in hidden
    assert person.full_name not in hidden
    assert es("A registered person whose record you cannot see.") in hidden
    assert link in linked


# --- recording ---------------------------------------------------------------------------


def record_data(where, **fields) -> dict:
    return {
        "channel": "hotline",
        "office": str(where.uuid),
        "category": "complaint",
        "text": "Nadie contestó el martes",
        "contact": "0991234567",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "individual": "",
        **fields,
    }


@pytest.mark.django_db
def test_recording_shows_the_tracking_code_once(client, recorder, office_a1):
    client.force_login(recorder)

    form = client.get(reverse("feedback:new"))
    response = client.post(reverse("feedback:new"), record_data(office_a1))
    shown = client.get(response["Location"])
    again = client.get(response["Location"])

    entry = FeedbackEntry.objects.get()
    code = shown.context["shown"]["code"]
    assert form.context["form"]["office"].value() == office_a1.uuid
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:recorded")
    assert (entry.channel, entry.office, entry.recorded_by) == ("hotline", office_a1, recorder)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert entry.tracking_digest == tracking.digest_of_typed(code)
    assert entry.reference in page_of(shown)
    assert code in page_of(shown)
    assert "No se volverá a mostrar." in page_of(shown)
    assert code not in page_of(again)
    assert again.context["shown"] is None
    assert "no-store" in shown["Cache-Control"]


@pytest.mark.django_db
def test_recording_offers_all_channels_but_the_web_and_only_the_own_office(
    client, recorder, office_a1, office_a2
):
    client.force_login(recorder)

    form = client.get(reverse("feedback:new")).context["form"]

    assert "web" not in [c[0] for c in form.fields["channel"].choices]
    assert "hotline" in [c[0] for c in form.fields["channel"].choices]
    assert list(form.fields["office"].queryset) == [office_a1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": "   "}, "text", "Write the message."),
        ({"channel": ""}, "channel", "Choose the channel it arrived through."),
        ({"category": ""}, "category", "Choose what the message is about."),
        ({"office": ""}, "office", "Choose the office that received it."),
        (
            {"individual": "H-NOPE-0000"},
            "individual",
            "No registered person with this id or reference that you can see.",
        ),
        (
            {"received_at": "2999-01-01T10:00"},
            "received_at",
            "The date it was received is in the future.",
        ),
        ({"received_at": "ayer"}, "received_at", "Enter a valid date/time."),
    ],
)
def test_recording_refuses_bad_input_with_a_translated_error_and_records_nothing(
    client, recorder, office_a1, fields, field, message
):
    client.force_login(recorder)

    response = client.post(reverse("feedback:new"), record_data(office_a1, **fields))

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [es(message)]
    assert es(message) != message
    assert FeedbackEntry.objects.count() == 0


@pytest.mark.django_db
def test_recording_for_another_office_is_refused_to_an_office_bound_recorder(
    client, recorder, office_a1, office_a2
):
    client.force_login(recorder)

    response = client.post(reverse("feedback:new"), record_data(office_a2))

    assert response.status_code == 400
    assert FeedbackEntry.objects.count() == 0


@pytest.mark.django_db
def test_recording_links_a_person_the_recorder_may_see(
    client, recorder, office_a1, office_a2, make_user
):
    mine = household_at(office_a1, recorder)
    theirs = household_at(office_a2, make_user("caseworker", office=office_a2))
    head = mine.members.get(is_head=True)
    client.force_login(recorder)

    by_reference = client.post(
        reverse("feedback:new"), record_data(office_a1, individual=mine.reference)
    )
    by_id = client.post(reverse("feedback:new"), record_data(office_a1, individual=str(head.uuid)))
    other_office = client.post(
        reverse("feedback:new"),
        record_data(office_a1, individual=str(theirs.members.get(is_head=True).uuid)),
    )

    assert (by_reference.status_code, by_id.status_code, other_office.status_code) == (
        302,
        302,
        400,
    )
    assert [e.individual for e in FeedbackEntry.objects.order_by("pk")] == [head, head]


@pytest.mark.django_db
def test_recording_answers_404_to_who_may_not_record(client, admin_a, make_user, org_a):
    client.force_login(admin_a)

    assert client.get(reverse("feedback:new")).status_code == 404
    assert client.post(reverse("feedback:new"), {}).status_code == 404


@pytest.mark.django_db
def test_the_menu_offers_the_inbox_to_readers_and_recording_to_recorders(
    client, handler, recorder, admin_a
):
    def menu(user):
        client.force_login(user)
        return [i["label"] for i in client.get(reverse("home")).context["menu"]]

    assert es("Feedback") in [str(x) for x in menu(handler)]
    assert es("Record feedback") in [str(x) for x in menu(recorder)]
    assert es("Feedback") not in [str(x) for x in menu(recorder)]
    assert es("Feedback") not in [str(x) for x in menu(admin_a)]
