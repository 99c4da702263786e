"""Handling feedback: category and priority, assignment, notes, public reply, closure, overdue."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from amparo.feedback import actions, queries


@pytest.mark.django_db
def test_a_handler_answers_assigns_notes_and_closes(submit, handler, make_user, org_a, recorder):
    entry, code = submit()
    colleague = make_user("me_officer", organization=org_a)

    actions.assign_entry(actor=handler, entry=entry, assignee=colleague)
    assert entry.status == "in_progress"
    with pytest.raises(ActionError) as refused:
        actions.assign_entry(actor=handler, entry=entry, assignee=recorder)
    assert "assigned_to" in refused.value.errors
    note = actions.add_note(actor=colleague, entry=entry, text="Llamar al punto de Tulcán")
    actions.reply(actor=colleague, entry=entry, text="Abrimos una segunda fila los lunes.")
    actions.close_entry(actor=colleague, entry=entry, satisfaction="satisfied")

    shown = queries.public_status(code)
    assert (shown.status, shown.public_reply) == ("closed", "Abrimos una segunda fila los lunes.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM feedback_feedbacknote WHERE id = %s", [note.pk])
        assert "Tulcán" not in cursor.fetchone()[0]
    with pytest.raises(ActionError):
        actions.close_entry(actor=colleague, entry=entry, satisfaction="satisfied")
    with pytest.raises(ActionError):
        actions.reply(actor=colleague, entry=entry, text="Otra")
    assert list(
        AuditEvent.objects.filter(target_id=str(entry.uuid))
        .order_by("at", "pk")
        .values_list("action", flat=True)
    ) == [
        "feedback.entry.received",
        "feedback.entry.assigned",
        "feedback.entry.replied",
        "feedback.entry.closed",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda a, e: actions.add_note(actor=a, entry=e, text=" "), "text"),
        (lambda a, e: actions.reply(actor=a, entry=e, text=""), "public_reply"),
        (lambda a, e: actions.close_entry(actor=a, entry=e, satisfaction="maybe"), "satisfaction"),
        (lambda a, e: actions.update_entry(actor=a, entry=e, priority="now"), "priority"),
        (lambda a, e: actions.update_entry(actor=a, entry=e, category="gossip"), "category"),
    ],
)
def test_bad_handling_input_is_refused_and_changes_nothing(submit, handler, call, field):
    entry, _ = submit()

    with pytest.raises(ActionError) as refused:
        call(handler, entry)

    assert field in refused.value.errors
    entry.refresh_from_db()
    assert (entry.status, entry.priority, entry.category) == ("received", "normal", "complaint")
    assert not entry.notes.exists()


@pytest.mark.django_db
def test_someone_who_cannot_see_an_entry_cannot_handle_it(submit, recorder, admin_a):
    entry, _ = submit()
    for actor in (recorder, admin_a):
        with pytest.raises(ActionError):
            actions.reply(actor=actor, entry=entry, text="Hola")
    entry.refresh_from_db()
    assert entry.public_reply == ""


@pytest.mark.django_db
def test_a_new_category_moves_the_due_date_and_may_send_it_to_ethics(submit, handler, ethics):
    entry, _ = submit(category="suggestion")
    received = timezone.localdate(entry.received_at)

    actions.update_entry(actor=handler, entry=entry, category="staff_misconduct", priority="high")

    entry.refresh_from_db()
    assert entry.sensitive and entry.priority == "high"
    assert entry.due_on == received + datetime.timedelta(days=1)
    assert not queries.entries_visible_to(handler).filter(pk=entry.pk).exists()
    actions.update_entry(actor=ethics, entry=entry, category="complaint")
    entry.refresh_from_db()
    assert not entry.sensitive and entry.due_on == received + datetime.timedelta(days=7)


@pytest.mark.django_db
def test_overdue_lists_open_entries_past_their_date(submit, handler):
    late, _ = submit()
    done, _ = submit()
    actions.close_entry(actor=handler, entry=done, satisfaction="unknown")
    later = timezone.localdate() + datetime.timedelta(days=30)

    assert list(queries.overdue_for(handler, today=later)) == [late]
    assert not queries.overdue_for(handler).exists()
