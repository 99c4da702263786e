"""Narratives are encrypted at rest, and key rotation keeps every one readable."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from amparo.cases import actions
from amparo.cases.models import Case, CaseNote
from amparo.core import crypto
from amparo.core.models import AuditEvent


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_narratives_are_not_readable_in_the_tables(case, caseworker):
    note = actions.add_note(actor=caseworker, case=case, text="Refiere abuso del empleador")
    raw_summary = _raw("cases_case", "summary", case.pk)
    raw_note = _raw("cases_casenote", "text", note.pk)
    assert raw_summary.startswith("fernet:") and "Amenazas" not in raw_summary
    assert raw_note.startswith("fernet:") and "empleador" not in raw_note
    assert CaseNote.objects.get(pk=note.pk).text == "Refiere abuso del empleador"


@pytest.mark.django_db
def test_key_rotation_keeps_every_note_readable(case, caseworker, settings, capsys):
    old_key = settings.AMPARO_FIELD_KEYS[0]
    notes = [actions.add_note(actor=caseworker, case=case, text=f"Nota {i}") for i in range(3)]
    new_key = Fernet.generate_key().decode()
    settings.AMPARO_FIELD_KEYS = [new_key, old_key]
    note = actions.add_note(actor=caseworker, case=case, text="Escrita con la clave nueva")
    call_command("rotate_keys", "--batch", "2")
    assert "cases.CaseNote.text: 3" in capsys.readouterr().out
    rotated = AuditEvent.objects.get(action="core.field_keys.rotated")
    assert rotated.details["values"] >= 4 and rotated.details["unreadable"] == 0
    # Only the new key is needed from now on.
    settings.AMPARO_FIELD_KEYS = [new_key]
    for old in notes:
        assert CaseNote.objects.get(pk=old.pk).text == old.text
    assert CaseNote.objects.get(pk=note.pk).text == "Escrita con la clave nueva"
    assert Case.objects.get(pk=case.pk).summary.startswith("Amenazas")
    # And the old key alone no longer opens them.
    settings.AMPARO_FIELD_KEYS = [old_key]
    with pytest.raises(ValueError):
        CaseNote.objects.get(pk=notes[0].pk)


@pytest.mark.django_db
def test_rotation_leaves_values_already_under_the_newest_key(case, caseworker, settings):
    actions.add_note(actor=caseworker, case=case, text="Nota")
    counts = crypto.rotate_all()
    assert sum(counts.values()) == 0
    assert "cases.CaseNote.text" in counts


@pytest.mark.django_db
def test_rotation_reports_values_no_key_opens(case, caseworker, settings):
    note = actions.add_note(actor=caseworker, case=case, text="Nota")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_casenote SET text = %s WHERE id = %s", ["fernet:not-a-token", note.pk]
        )
    with pytest.raises(SystemExit) as exc:
        call_command("rotate_keys")
    assert exc.value.code == 1
