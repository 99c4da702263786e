"""Words instead of codes: country and language names, audit events as sentences (issue 10,
point 10)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from amparo.core import audit, events, names
from amparo.core.models import AuditEvent

SOURCE = Path(__file__).resolve().parents[2] / "amparo"


@pytest.mark.parametrize(
    ("code", "language", "name"),
    [
        ("VE", "es", "Venezuela"),
        ("VE", "en", "Venezuela"),
        ("PE", "es", "Perú"),
        ("PE", "en", "Peru"),
        ("KR", "es", "Corea del Sur"),
        ("DO", "es", "República Dominicana"),
        ("ZZ", "es", "ZZ"),
        ("", "es", ""),
        (None, "es", ""),
    ],
)
def test_country_name_in_the_language_with_the_common_name(code, language, name):
    assert names.country_name(code, language) == name


def test_country_name_follows_the_active_language():
    with translation.override("es"):
        spanish = names.country_name("HT")
    with translation.override("en"):
        english = names.country_name("HT")

    assert (spanish, english) == ("Haití", "Haiti")


def test_language_name_in_the_language():
    assert names.language_name("fr", "es") == "Francés"
    assert names.language_name("FR", "en") == "French"
    assert names.language_name("xx", "es") == "xx"


def test_country_choices_put_the_region_first_then_sort_by_the_spanish_name():
    choices = names.country_choices("es")
    labels = [label for _code, label in choices]

    assert choices[:3] == [("", "—"), ("VE", "Venezuela"), ("CO", "Colombia")]
    rest = labels[labels.index("──────────") + 1 :]
    assert rest.index("Afganistán") < rest.index("Egipto") < rest.index("España")
    assert rest.index("Islandia") < rest.index("Japón") < rest.index("Zimbabue")
    assert "Venezuela, Bolivarian Republic of" not in labels
    assert len({c for c, _label in choices if c}) == len([c for c, _label in choices if c])


def test_every_event_the_code_records_has_a_sentence():
    code = "\n".join(p.read_text() for p in SOURCE.rglob("*.py") if "migrations" not in p.parts)
    recorded = set(re.findall(r'action="([a-z_]+\.[a-z_]+\.[a-z_]+)"', code))
    families = set(re.findall(r'action=f"([a-z_]+\.[a-z_{}.]+)"', code))

    assert recorded - set(events.SENTENCES) == set()
    for family in families:  # f-strings such as "referrals.referral.{target}"
        pattern = re.escape(family).replace(r"\{", "{").replace(r"\}", "}")
        pattern = re.sub(r"\{[^}]*\}", "[a-z_]+", pattern)
        assert any(re.fullmatch(pattern, action) for action in events.SENTENCES), family


def test_sentence_names_the_actor_and_the_fields_in_the_readers_language(admin_a, office_a1):
    event = audit.record(actor=admin_a, action="core.user.updated", target=admin_a)
    event.fields = ["first_name", "office", "role"]
    event.actor_name = "Ana Torres"

    with translation.override("es"):
        spanish = events.sentence(event)
    with translation.override("en"):
        english = events.sentence(event)

    assert spanish == "Ana Torres modificó una cuenta (nombre, oficina, rol)"
    assert english == "Ana Torres changed an account (first name, office, role)"


def test_sentence_of_an_unknown_event_still_reads_as_its_code(admin_a):
    event = AuditEvent(action="later.thing.done", actor_username="admin_a", fields=[])

    assert events.sentence(event) == "admin_a: later.thing.done"


def test_sentence_without_actor_and_with_many_fields_stays_short():
    event = AuditEvent(
        action="registry.individual.updated",
        target_type="registry.individual",
        fields=["given_names", "first_surname", "sex", "phone", "nationality", "languages", "age"],
    )

    with translation.override("es"):
        text = events.sentence(event)

    assert text.startswith("Alguien modificó el registro de la persona (nombres, primer apellido")
    assert text.endswith(", …)")


def test_audit_log_page_tells_events_as_sentences(client, admin_a):
    audit.record(actor=admin_a, action="core.office.created")
    client.force_login(admin_a)

    response = client.get(reverse("audit"))

    page = response.content.decode()
    assert "admin_a creó una oficina" in page
    assert "<code>core.office.created</code>" in page  # still there, to filter by
