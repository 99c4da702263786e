"""Receiving feedback: from the public page and from staff; tracking codes; validation."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from amparo.feedback import actions, queries, tracking
from amparo.feedback.models import FeedbackEntry, ResponseDeadline


@pytest.mark.django_db
def test_public_feedback_gets_a_reference_a_due_date_and_a_code_only_its_digest_kept(submit):
    entry, code = submit(category="question", text="¿Cuándo abren la inscripción?")

    assert entry.reference == f"F-WEB-{timezone.localdate().year}-00001"
    assert entry.channel == "web" and entry.recorded_by is None and not entry.sensitive
    assert entry.due_on == timezone.localdate() + datetime.timedelta(days=7)
    assert len(code) == tracking.LENGTH
    with connection.cursor() as cursor:
        cursor.execute("SELECT tracking_digest, text FROM feedback_feedbackentry")
        digest, stored_text = cursor.fetchone()
    assert code not in digest and digest == tracking.digest(code)
    assert "inscripción" not in stored_text  # encrypted at rest
    event = AuditEvent.objects.get(action="feedback.entry.received")
    assert event.actor is None and event.actor_username == "public"


@pytest.mark.django_db
def test_the_code_finds_the_entry_however_it_is_typed_and_nothing_else_does(submit):
    entry, code = submit()
    typed = tracking.shown(code).lower().replace("0", "o")

    assert queries.public_status(typed).pk == entry.pk
    assert queries.public_status("0" * tracking.LENGTH) is None
    assert queries.public_status("not a code") is None
    assert queries.public_status("") is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": "gossip"}, "category"),
        ({"text": "   "}, "text"),
        ({"text": "x" * (actions.MAX_TEXT + 1)}, "text"),
        ({"contact": "9" * (actions.MAX_CONTACT + 1)}, "contact"),
    ],
)
def test_bad_public_input_is_refused_and_writes_nothing(submit, fields, field):
    with pytest.raises(ActionError) as refused:
        submit(**fields)

    assert field in refused.value.errors
    assert not FeedbackEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="feedback.entry.received").exists()


@pytest.mark.django_db
def test_an_office_of_another_organization_is_refused(submit, office_b1):
    with pytest.raises(ActionError) as refused:
        submit(office=office_b1)
    assert "office" in refused.value.errors


@pytest.mark.django_db
def test_the_organizations_own_deadline_replaces_the_default(submit, org_a):
    ResponseDeadline.objects.create(organization=org_a, category="complaint", days=3)

    entry, _ = submit(category="complaint")

    assert entry.due_on == timezone.localdate() + datetime.timedelta(days=3)


@pytest.mark.django_db
def test_staff_record_other_channels_in_their_office(submit, recorder, office_a1, office_a2):
    entry, code = submit(actor=recorder, office=office_a1, channel="hotline")
    assert entry.recorded_by == recorder and entry.reference.startswith("F-")
    assert code

    for fields, field in [
        ({"office": office_a2, "channel": "hotline"}, "office"),
        ({"office": office_a1, "channel": "web"}, "channel"),
        ({"office": None, "channel": "hotline"}, "office"),
    ]:
        with pytest.raises(ActionError) as refused:
            submit(actor=recorder, **fields)
        assert field in refused.value.errors
    assert FeedbackEntry.objects.count() == 1


@pytest.mark.django_db
def test_someone_without_the_permission_cannot_record(submit, admin_a, office_a1):
    with pytest.raises(ActionError):
        submit(actor=admin_a, office=office_a1, channel="hotline")
    assert not FeedbackEntry.objects.exists()


@pytest.mark.django_db
def test_a_recorder_records_a_sensitive_report_then_cannot_see_it(submit, recorder, office_a1):
    entry, _ = submit(
        category="sexual_exploitation_abuse", actor=recorder, office=office_a1, channel="in_person"
    )

    assert entry.sensitive
    assert entry.due_on == timezone.localdate() + datetime.timedelta(days=1)
    assert not queries.entries_visible_to(recorder).exists()


@pytest.mark.django_db
def test_two_organizations_number_their_feedback_each_from_one(submit, org_b):
    first_a, _ = submit()
    first_b, _ = submit(organization=org_b)

    assert first_a.reference == first_b.reference == f"F-WEB-{timezone.localdate().year}-00001"
