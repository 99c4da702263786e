"""Monthly feedback figures: the counts against hand-built entries, the month's edges, an
office-bound reader, small sensitive counts suppressed for all but the ethics focal point (and
no total giving them away), who may read them (others 404), the audited CSV, the home card."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from amparo.core.models import AuditEvent
from amparo.feedback import actions, queries_figures
from amparo.feedback.models import FeedbackEntry

OCTOBER = datetime.date(2026, 10, 1)
URL = "/feedback/figures/"


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def table(figures, key) -> dict:
    """A table as {row label: cells}, footer rows included."""
    found = next(t for t in figures.tables if t.key == key)
    return dict([*found.rows, *found.footer])


@pytest.fixture
def october(submit, recorder, office_a1, office_a2, org_b, office_b1, make_user):
    """Ordinary entries of organization A in October 2026 (and just outside it)."""
    d = datetime.date
    in_month = [
        submit(category="complaint", office=office_a1, channel="hotline", actor=recorder,
               received_at=at(d(2026, 10, 1), 0, 0)),  # the month's first minute
        submit(category="complaint", office=office_a1, channel="in_person", actor=recorder,
               received_at=at(d(2026, 10, 2))),
        submit(category="suggestion", received_at=at(d(2026, 10, 15))),  # public, no office
        submit(category="question", office=office_a2, received_at=at(d(2026, 10, 31), 23, 59)),
    ]  # fmt: skip
    submit(category="thanks", received_at=at(d(2026, 9, 30), 23, 59))
    submit(category="thanks", received_at=at(d(2026, 11, 1), 0, 0))
    # (an office: references are unique across organizations, and both would be F-WEB-2026-00001)
    submit(
        organization=org_b, office=office_b1, category="complaint", received_at=at(d(2026, 10, 10))
    )
    entries = [entry for entry, _code in in_month]
    ethics = make_user("ethics_focal_point", organization=office_a1.organization)
    on_time, late = entries[0], entries[2]
    actions.close_entry(actor=ethics, entry=on_time, satisfaction="satisfied")
    actions.close_entry(actor=ethics, entry=late, satisfaction="not_satisfied")
    FeedbackEntry.objects.filter(pk=on_time.pk).update(closed_at=at(d(2026, 10, 3)))
    FeedbackEntry.objects.filter(pk=late.pk).update(closed_at=at(d(2026, 11, 20)))
    actions.assign_entry(actor=ethics, entry=entries[1], assignee=ethics)
    return entries


@pytest.mark.django_db
def test_figures_count_the_months_entries_by_every_dimension(october, handler):
    figures = queries_figures.monthly_figures(handler, OCTOBER, today=datetime.date(2026, 11, 30))

    assert figures.total == 4
    assert figures.exact is False
    by_category = table(figures, "category")
    assert by_category["Queja sobre un servicio"] == [2]
    assert by_category["Sugerencia"] == [1]
    assert by_category["Pregunta"] == [1]
    assert by_category["Agradecimiento"] == [0]
    assert by_category["Categorías ordinarias"] == [4]
    assert by_category["Categorías sensibles"] == [0]
    assert by_category["Total"] == [4]
    assert table(figures, "channel") == {
        "Página pública": [2], "Línea telefónica": [1], "WhatsApp": [0], "SMS": [0],
        "Correo electrónico": [0], "En persona": [1], "Buzón de sugerencias": [0],
        "Reunión comunitaria": [0], "Total": [4],
    }  # fmt: skip
    assert table(figures, "office") == {
        "Oficina A1": [2],
        "Oficina A2": [1],
        "Sin oficina (página pública)": [1],
        "Total": [4],
    }
    assert table(figures, "status") == {
        "Recibida": [1],
        "En curso": [1],
        "Cerrado": [2],
        "Total": [4],
    }
    assert table(figures, "deadline") == {
        "Cerrada dentro del plazo": [1],
        "Cerrada con retraso": [1],
        "Abierta, dentro del plazo": [0],
        "Abierta, vencida": [2],
        "Total": [4],
    }
    assert table(figures, "satisfaction") == {
        "Satisfecha": [1], "No satisfecha": [1], "No se pudo preguntar": [0], "Total": [2]
    }  # fmt: skip


@pytest.mark.django_db
def test_an_office_bound_reader_counts_their_office_only(october, make_user, office_a1):
    supervisor = make_user("case_supervisor", office=office_a1)  # reports.view

    figures = queries_figures.monthly_figures(supervisor, OCTOBER)

    assert figures.total == 2
    assert table(figures, "office") == {"Oficina A1": [2], "Total": [2]}
    assert table(figures, "category")["Queja sobre un servicio"] == [2]


@pytest.fixture
def two_frauds(submit, office_a1):
    for _ in range(2):
        submit(category="fraud", office=office_a1, text="Me cobraron", received_at=at(OCTOBER))
    submit(category="complaint", office=office_a1, received_at=at(OCTOBER))


@pytest.mark.django_db
def test_a_small_sensitive_count_is_suppressed_and_no_total_reveals_it(two_frauds, handler):
    figures = queries_figures.monthly_figures(handler, OCTOBER)

    by_category = table(figures, "category")
    assert by_category["Fraude, o alguien que cobra por servicios gratuitos"] == [None]
    assert by_category["Explotación o abuso sexual"] == [0]
    assert by_category["Mala conducta del personal"] == [0]
    assert by_category["Categorías ordinarias"] == [1]
    assert by_category["Categorías sensibles"] == [None]
    assert by_category["Total"] == [None]
    assert figures.total is None
    for key in ("channel", "office", "status", "deadline"):  # ordinary categories only
        assert table(figures, key)["Total"] == [1], key


@pytest.mark.django_db
def test_secondary_suppression_hides_a_second_sensitive_count(submit, two_frauds, handler):
    for _ in range(7):
        submit(category="staff_misconduct", text="Me gritaron", received_at=at(OCTOBER))

    by_category = table(queries_figures.monthly_figures(handler, OCTOBER), "category")

    assert by_category["Fraude, o alguien que cobra por servicios gratuitos"] == [None]
    assert by_category["Mala conducta del personal"] == [None]  # else 9 − 7 = 2
    assert by_category["Categorías sensibles"] == [9]
    assert by_category["Total"] == [10]


@pytest.mark.django_db
def test_the_ethics_focal_point_sees_sensitive_counts_exactly(two_frauds, ethics):
    figures = queries_figures.monthly_figures(ethics, OCTOBER)

    assert figures.exact is True
    assert figures.total == 3
    by_category = table(figures, "category")
    assert by_category["Fraude, o alguien que cobra por servicios gratuitos"] == [2]
    assert by_category["Categorías sensibles"] == [2]
    assert table(figures, "office")["Oficina A1"] == [1, 2, 3]
    assert table(figures, "status")["Total"] == [1, 2, 3]


@pytest.mark.django_db
def test_the_page_shows_suppressed_cells_and_no_revealing_total(client, two_frauds, handler):
    client.force_login(handler)

    response = client.get(URL, {"month": "2026-10"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;5" in html
    assert "Entradas recibidas en 2026-10: 3" not in html
    assert "no se muestra" in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_figures_take_the_same_number_of_queries_whatever_the_entries(
    submit, handler, office_a1, django_assert_num_queries
):
    submit(category="complaint", office=office_a1, received_at=at(OCTOBER))
    with django_assert_num_queries(2):
        queries_figures.monthly_figures(handler, OCTOBER)
    for category in ("question", "fraud", "thanks", "complaint"):
        submit(category=category, office=office_a1, received_at=at(OCTOBER, 15))

    with django_assert_num_queries(2):
        queries_figures.monthly_figures(handler, OCTOBER)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "office_bound", "status"),
    [
        ("me_officer", False, 200),
        ("ethics_focal_point", False, 200),
        ("case_supervisor", True, 200),  # reports.view
        ("registration_officer", True, 404),
        ("caseworker", True, 404),
        ("gbv_specialist", True, 404),
        ("distribution_officer", True, 404),
        ("partner_focal_point", False, 404),
        ("administrator", False, 404),
    ],
)
def test_only_feedback_and_report_readers_open_the_figures(
    client, make_user, org_a, office_a1, role, office_bound, status
):
    user = make_user(role, office=office_a1 if office_bound else None, organization=org_a)
    client.force_login(user)

    assert client.get(URL).status_code == status
    assert client.get(URL, {"month": "2026-10", "format": "csv"}).status_code == status
    assert AuditEvent.objects.filter(action="feedback.figures.exported").exists() is (status == 200)


@pytest.mark.django_db
def test_a_superuser_without_a_reading_role_gets_404(client, make_user, org_b):
    superuser = make_user("administrator", organization=org_b, is_superuser=True)
    client.force_login(superuser)

    assert client.get(URL).status_code == 404


@pytest.mark.django_db
def test_a_malformed_month_answers_400(client, handler):
    client.force_login(handler)

    for month in ("2026-13", "noviembre", "1899-01", "2026-1-1"):
        response = client.get(URL, {"month": month})
        assert response.status_code == 400, month
        assert '<span class="error">' in response.content.decode()
    assert "por ejemplo 2026-11" in client.get(URL, {"month": "2026-13"}).content.decode()


@pytest.mark.django_db
def test_the_csv_is_audited_neutralised_and_suppressed(
    client, handler, submit, office_a1, two_frauds
):
    office_a1.name = '=HYPERLINK("http://x","A1")'
    office_a1.save(update_fields=["name"])
    client.force_login(handler)

    response = client.get(URL, {"month": "2026-10", "format": "csv"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == 'attachment; filename="feedback-figures-2026-10.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ['\'=HYPERLINK("http://x","A1")', "1"] in rows
    assert ["Fraude, o alguien que cobra por servicios gratuitos", "<5"] in rows
    assert ["Categorías sensibles", "<5"] in rows
    assert not any(cell.startswith("=") for row in rows for cell in row)
    event = AuditEvent.objects.get(action="feedback.figures.exported")
    assert (event.actor_id, event.details) == (handler.pk, {"month": "2026-10"})


@pytest.mark.django_db
def test_the_home_card_counts_open_and_overdue_entries_for_readers(
    client, handler, submit, office_a1, recorder
):
    submit(category="complaint", office=office_a1, received_at=at(OCTOBER))  # overdue
    submit(category="question", office=office_a1)  # due in a week
    closed, _ = submit(category="thanks", office=office_a1, received_at=at(OCTOBER))
    actions.close_entry(actor=handler, entry=closed, satisfaction="satisfied")
    submit(category="fraud", office=office_a1, received_at=at(OCTOBER))  # not theirs to see
    client.force_login(handler)

    html = client.get("/").content.decode()

    assert 'href="/feedback/inbox/">2 entradas abiertas' in html
    assert 'href="/feedback/inbox/?overdue=1">1 vencida' in html
    client.force_login(recorder)
    assert 'href="/feedback/inbox/"' not in client.get("/").content.decode()
