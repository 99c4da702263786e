"""Project indicators: targets that reports compare against, and the progress assistance
computes itself from its deliveries (reversed ones not counted)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from amparo.assistance import actions, queries_indicators
from amparo.assistance.models import ProjectIndicator
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from tests.factories import api_token


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


def add(manager, project, **overrides):
    values = {"name": "Familias con efectivo", "measure": "households", "target": 2400}
    return actions.add_project_indicator(actor=manager, project=project, **(values | overrides))


@pytest.mark.django_db
def test_an_indicator_is_checked_then_added_and_audited(manager, project):
    refusals = {}
    for name, overrides in {
        "blank name": {"name": "  "},
        "unknown measure": {"measure": "smiles"},
        "zero": {"target": 0},
        "negative": {"target": -5},
        "not a number": {"target": "mucho"},
        "half a household": {"target": "2.5"},
        "three decimals": {"measure": "cash", "target": "10.005"},
    }.items():
        with pytest.raises(ActionError) as refused:
            add(manager, project, **overrides)
        refusals[name] = refused.value.errors

    cash = add(manager, project, name="Efectivo entregado", measure="cash", target="288000.50")

    assert list(refusals["blank name"]) == ["name"]
    assert list(refusals["unknown measure"]) == ["measure"]
    assert refusals["zero"] == {"target": ["La meta debe ser mayor que cero."]}
    assert all(list(refusals[k]) == ["target"] for k in ("negative", "not a number"))
    assert list(refusals["half a household"]) == ["target"]
    assert list(refusals["three decimals"]) == ["target"]
    assert (cash.project, cash.target, cash.measure) == (project, Decimal("288000.50"), "cash")
    assert ProjectIndicator.objects.count() == 1
    event = AuditEvent.objects.get(action="assistance.indicator.added")
    assert event.details["indicator"] == str(cash.uuid)

    actions.remove_project_indicator(actor=manager, indicator=cash)

    assert not ProjectIndicator.objects.exists()
    assert AuditEvent.objects.filter(action="assistance.indicator.removed").count() == 1


@pytest.mark.django_db
def test_progress_counts_current_deliveries_only(manager, officer, project, cycle, households):
    today = timezone.localdate()
    kits = actions.open_cycle(
        actor=manager,
        project=project,
        office=cycle.office,
        name="Kits de higiene",
        assistance_type="hygiene_kit",
        start_date=today,
        end_date=today + datetime.timedelta(days=3),
        amount=Decimal("2"),
    )
    cash_of = {e.household_id: e for e in cycle.entitlements.all()}
    kit_of = {e.household_id: e for e in kits.entitlements.all()}
    first, second = households
    for entitlement in (cash_of[first.pk], cash_of[second.pk], kit_of[second.pk]):
        actions.deliver(actor=officer, entitlement=entitlement, collected_by="Vecina autorizada")
    mistaken = cash_of[second.pk].deliveries.get()
    actions.reverse_delivery(actor=manager, delivery=mistaken, reason="Nunca se entregó")
    for measure, target in [("households", 4), ("people", 10), ("kits", 8), ("cash", 480)]:
        add(manager, project, name=measure, measure=measure, target=target)
    add(manager, project, name="Satisfacción", measure="other", target=80, unit="%")

    progress = queries_indicators.project_progress(manager, project)

    # first: cash delivered; second: the cash reversed, the kits delivered
    assert (progress.households, progress.people) == (2, 2)
    assert progress.kits == Decimal("2")
    assert progress.cash == {"USD": Decimal("120.00")}
    rows = [(r.indicator.measure, r.actual, r.percent) for r in progress.indicators]
    assert rows == [
        ("households", 2, 50),
        ("people", 2, 20),
        ("kits", Decimal("2"), 25),
        ("cash", Decimal("120.00"), 25),
        ("other", None, None),
    ]


@pytest.mark.django_db
def test_a_manager_adds_and_removes_indicators_on_the_project_page(client, manager, project):
    client.force_login(manager)
    url = reverse("assistance:project-indicator-add", args=[project.uuid])

    refused = client.post(url, {"name": "Kits", "measure": "kits", "target": "0"})
    added = client.post(url, {"name": "Kits entregados", "measure": "kits", "target": "14000"})
    page = client.get(reverse("assistance:project", args=[project.uuid])).content.decode()

    assert refused.status_code == 400
    assert "La meta debe ser mayor que cero." in refused.content.decode()
    assert added.status_code == 302
    indicator = ProjectIndicator.objects.get()
    assert "Kits entregados" in page
    assert re.search(r"<div>\s*0 /\s*14\.?000\s", page), page
    removed = client.post(reverse("assistance:project-indicator-remove", args=[indicator.uuid]))
    assert removed["Location"] == reverse("assistance:project", args=[project.uuid])
    assert not ProjectIndicator.objects.exists()


@pytest.mark.django_db
def test_the_api_lists_indicators_on_the_project_and_adds_one(client, manager, project):
    add(manager, project)
    client = api(client, manager)
    url = f"/api/v1/projects/{project.uuid}/indicators/"

    created = client.post(
        url, {"name": "Kits", "measure": "kits", "target": "14000"}, content_type="application/json"
    )
    malformed = client.post(url, "{", content_type="application/json")
    bad_measure = client.post(
        url, {"name": "x", "measure": "smiles", "target": 1}, content_type="application/json"
    )
    listed = client.get("/api/v1/projects/").json()

    assert created.status_code == 201, created.content
    assert created.json()["measure"] == "kits"
    assert (malformed.status_code, bad_measure.status_code) == (400, 400)
    (shown,) = [p for p in listed["results"] if p["id"] == str(project.uuid)]
    assert [(i["name"], i["target"]) for i in shown["indicators"]] == [
        ("Familias con efectivo", "2400.00"),
        ("Kits", "14000.00"),
    ]


@pytest.mark.django_db
def test_indicators_answer_404_to_officers_registrars_and_other_organizations(
    client, make_user, org_b, manager, officer, registrar, project
):
    indicator = add(manager, project)
    other_manager = make_user("me_officer", organization=org_b, username="mye.b")
    answers = []
    for user in (officer, registrar, other_manager):
        client.force_login(user)
        answers.append(
            [
                client.get(reverse("assistance:project", args=[project.uuid])).status_code,
                client.post(
                    reverse("assistance:project-indicator-add", args=[project.uuid]),
                    {"name": "x", "measure": "kits", "target": "1"},
                ).status_code,
                client.post(
                    reverse("assistance:project-indicator-remove", args=[indicator.uuid])
                ).status_code,
                api(client, user)
                .post(
                    f"/api/v1/projects/{project.uuid}/indicators/",
                    {"name": "x", "measure": "kits", "target": 1},
                    content_type="application/json",
                )
                .status_code,
            ]
        )
        client.defaults.pop("HTTP_AUTHORIZATION")

    assert answers == [[404, 404, 404, 404]] * 3
    assert ProjectIndicator.objects.get() == indicator
    with pytest.raises(Exception):  # noqa: B017, PT011 - refused by the permission check
        actions.remove_project_indicator(actor=officer, indicator=indicator)
    assert ProjectIndicator.objects.filter(pk=indicator.pk).exists()
