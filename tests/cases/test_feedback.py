"""Every save on a case says so at the top of the case page; refusals say why, at the top."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_case_saves_are_confirmed_on_the_case_page(client, case, caseworker):
    client.force_login(caseworker)
    today = timezone.localdate().isoformat()

    follow_up = client.post(
        reverse("cases:follow-up", args=[case.uuid]),
        {"date": today, "kind": "visit", "notes": "Visita", "next_date": ""},
        follow=True,
    )
    plan = client.post(
        reverse("cases:plan", args=[case.uuid]),
        {"needs": "Vivienda", "goals": "Arriendo estable", "services_planned": []},
        follow=True,
    )
    moved_on = client.post(  # the confirmation names the step the user saw
        reverse("cases:advance", args=[case.uuid]), {"to": "assessment"}, follow=True
    )

    assert _messages(follow_up) == ["Seguimiento guardado."]
    assert _messages(plan) == ["Evaluación y plan guardados."]
    assert _messages(moved_on) == ["El caso avanzó."]
    assert follow_up.redirect_chain[-1][0] == reverse("cases:detail", args=[case.uuid])


@pytest.mark.django_db
def test_refused_follow_up_lists_the_error_at_the_top_and_confirms_nothing(
    client, case, caseworker
):
    client.force_login(caseworker)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        reverse("cases:follow-up", args=[case.uuid]),
        {"date": tomorrow.isoformat(), "kind": "visit", "notes": "", "next_date": ""},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_date">' in page
    assert page.index('id="error-summary"') < page.index('<form method="post" class="card"')
    assert _messages(response) == []
    assert not case.follow_ups.exists()


@pytest.mark.django_db
def test_case_page_tells_its_history_in_sentences(client, case, caseworker):
    client.force_login(caseworker)
    client.post(
        reverse("cases:follow-up", args=[case.uuid]),
        {"date": timezone.localdate().isoformat(), "kind": "call", "notes": "", "next_date": ""},
    )

    page = client.get(reverse("cases:detail", args=[case.uuid])).content.decode()

    name = caseworker.get_full_name()
    history = page[page.index("<h2>Historial</h2>") :]
    assert history.index(f"{name} agregó un seguimiento") < history.index(f"{name} abrió el caso")
    assert "consultó el caso" not in history  # views are in the audit log, not the history
