"""The programme screens and API: projects, targeting rules with preview and exceptions,
opening a cycle, a cycle's page; only for `assistance.manage`."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from amparo.assistance import actions
from amparo.assistance.models import Cycle, Project, TargetingException, TargetingRule
from amparo.core.models import AuditEvent
from tests.factories import api_token

SIZE_2 = [{"field": "size", "op": "max", "value": 2}]


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


@pytest.fixture
def rule(manager, project):
    return actions.create_rule(actor=manager, project=project, name="Pequeños", criteria=SIZE_2)


def cycle_form(rule, office, **overrides):
    today = timezone.localdate()
    return {
        "rule": str(rule.uuid),
        "office": str(office.uuid),
        "name": "Kits de higiene",
        "assistance_type": "hygiene_kit",
        "place": "Parroquia",
        "start_date": today.isoformat(),
        "end_date": (today + datetime.timedelta(days=3)).isoformat(),
        "amount": "1",
        "amount_basis": "member",
        "member_cap": "",
        "currency": "",
        **overrides,
    }


@pytest.mark.django_db
def test_a_manager_creates_a_project_on_the_screen(client, manager, office_a1):
    client.force_login(manager)

    menu = client.get(reverse("home"))
    page = client.get(reverse("assistance:project-new"))
    created = client.post(
        reverse("assistance:project-new"),
        {
            "code": "ECHO-1",
            "name": "Kits",
            "sector": "wash",
            "offices": [str(office_a1.uuid)],
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "currency": "USD",
        },
    )

    project = Project.objects.get(code="ECHO-1")
    assert reverse("assistance:projects") in menu.content.decode()
    assert page.status_code == 200
    assert created.status_code == 302
    assert created["Location"] == reverse("assistance:project", args=[project.uuid])
    assert list(project.offices.all()) == [office_a1]
    listed = client.get(reverse("assistance:projects")).content.decode()
    assert "ECHO-1 · Kits" in listed


@pytest.mark.django_db
def test_a_rule_is_previewed_without_saving_then_saved(
    client, manager, project, households, office_a1
):
    client.force_login(manager)
    url = reverse("assistance:rule-new", args=[project.uuid])
    body = {"name": "Refugiados", "threshold": ""}
    body["criteria"] = json.dumps(
        [{"field": "population_group", "op": "any_member_in", "value": ["refugee"]}]
    )

    shown = client.post(url, {**body, "preview": "1"})
    saved = client.post(url, {**body, "save": "1"})

    assert shown.status_code == 200
    preview = shown.context["preview"]
    assert (preview.base, preview.entitled, preview.sample) == (2, 1, [households[1].reference])
    assert "1 hogar califica" in shown.content.decode()
    rule = TargetingRule.objects.get()
    assert saved["Location"] == reverse("assistance:rule", args=[project.uuid, rule.uuid])
    assert AuditEvent.objects.filter(action="assistance.rule.previewed").count() == 1
    assert AuditEvent.objects.filter(action="assistance.rule.created").count() == 1


@pytest.mark.django_db
def test_bad_criteria_on_the_screen_answer_400_with_the_message(client, manager, project):
    client.force_login(manager)
    url = reverse("assistance:rule-new", args=[project.uuid])

    not_json = client.post(url, {"name": "x", "criteria": "[{", "save": "1"})
    unknown = client.post(
        url, {"name": "x", "criteria": '[{"field": "income", "op": "min", "value": 1}]'}
    )

    assert not_json.status_code == 400
    assert "no son JSON válido" in not_json.content.decode()
    assert unknown.status_code == 400
    assert "Elija uno de los campos que una regla conoce." in unknown.content.decode()
    assert not TargetingRule.objects.exists()


@pytest.mark.django_db
def test_an_exception_is_recorded_on_the_rule_page(client, manager, project, rule, households):
    client.force_login(manager)
    url = reverse("assistance:rule-exception", args=[project.uuid, rule.uuid])

    missing_reason = client.post(url, {"reference": households[0].reference, "kind": "exclude"})
    done = client.post(
        url, {"reference": households[0].reference, "kind": "exclude", "reason": "Mudanza"}
    )

    assert missing_reason.status_code == 400
    assert done.status_code == 302
    exception = TargetingException.objects.get()
    assert (exception.household, exception.kind, exception.reason) == (
        households[0],
        "exclude",
        "Mudanza",
    )
    page = client.get(reverse("assistance:rule", args=[project.uuid, rule.uuid]))
    assert "Mudanza" in page.content.decode()


@pytest.mark.django_db
def test_a_cycle_is_previewed_then_opened_and_shows_its_counts(
    client, manager, project, rule, office_a1, households
):
    client.force_login(manager)
    url = reverse("assistance:cycle-new", args=[project.uuid])

    previewed = client.post(url, {**cycle_form(rule, office_a1), "preview": "1"})
    assert not Cycle.objects.exists()
    opened = client.post(url, {**cycle_form(rule, office_a1), "open": "1"})

    assert previewed.status_code == 200
    assert previewed.context["preview"].entitled == 2
    assert "Confirmar y abrir el ciclo" in previewed.content.decode()
    cycle = Cycle.objects.get()
    assert opened["Location"] == reverse("assistance:cycle", args=[cycle.uuid])
    assert (cycle.rule, cycle.amount_basis) == (rule, "member")
    page = client.get(opened["Location"])
    assert page.status_code == 200
    assert page.context["counts"] == {
        "total": 2,
        "pending": 2,
        "delivered": 0,
        "cancelled": 0,
        "absent": 0,
    }


@pytest.mark.django_db
def test_opening_with_nobody_qualifying_shows_the_refusal(
    client, manager, project, office_a1, households
):
    nobody = actions.create_rule(
        actor=manager,
        project=project,
        name="Nadie",
        criteria=[{"field": "size", "op": "min", "value": 9}],
    )
    client.force_login(manager)

    refused = client.post(
        reverse("assistance:cycle-new", args=[project.uuid]),
        {**cycle_form(nobody, office_a1), "open": "1"},
    )

    assert refused.status_code == 400
    assert "Ningún hogar califica" in refused.content.decode()
    assert not Cycle.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["distribution_officer", "registration_officer"])
def test_others_get_404_on_every_programme_screen_and_endpoint(
    client, make_user, office_a1, role, project, rule, cycle
):
    user = make_user(role, office=office_a1, username=f"{role}.x")
    client.force_login(user)
    pages = [
        reverse("assistance:projects"),
        reverse("assistance:project-new"),
        reverse("assistance:project", args=[project.uuid]),
        reverse("assistance:rule-new", args=[project.uuid]),
        reverse("assistance:rule", args=[project.uuid, rule.uuid]),
        reverse("assistance:cycle-new", args=[project.uuid]),
        reverse("assistance:cycle", args=[cycle.uuid]),
    ]

    answers = [client.get(page).status_code for page in pages]
    posted = client.post(
        reverse("assistance:rule-exception", args=[project.uuid, rule.uuid]),
        {"reference": "x", "kind": "include", "reason": "x"},
    )
    client.logout()
    api(client, user)
    endpoints = [
        client.get("/api/v1/projects/").status_code,
        client.get("/api/v1/cycles/").status_code,
        client.post(f"/api/v1/targeting-rules/{rule.uuid}/preview/").status_code,
        client.post("/api/v1/projects/", {}, content_type="application/json").status_code,
    ]

    assert answers == [404] * len(pages)
    assert posted.status_code == 404
    assert endpoints == [404] * 4
    assert not TargetingException.objects.exists()
    assert Project.objects.count() == 1


@pytest.mark.django_db
def test_another_organization_manager_gets_404(client, make_user, org_b, project, rule, cycle):
    stranger = make_user("me_officer", organization=org_b, username="mye.b")
    client.force_login(stranger)

    answers = [
        client.get(reverse("assistance:project", args=[project.uuid])).status_code,
        client.get(reverse("assistance:rule", args=[project.uuid, rule.uuid])).status_code,
        client.get(reverse("assistance:cycle", args=[cycle.uuid])).status_code,
    ]
    api(client, stranger)
    preview = client.post(f"/api/v1/targeting-rules/{rule.uuid}/preview/")

    assert answers == [404, 404, 404]
    assert preview.status_code == 404
    assert client.get("/api/v1/projects/").json()["results"] == []


@pytest.mark.django_db
def test_the_api_creates_and_lists_projects_and_rules_and_previews(
    client, manager, office_a1, project, households, cycle
):
    api(client, manager)

    created = client.post(
        "/api/v1/projects/",
        {
            "code": "API-1",
            "name": "Por API",
            "sector": "food",
            "offices": [str(office_a1.uuid)],
            "start_date": "2026-01-01",
            "end_date": "2026-06-30",
        },
        content_type="application/json",
    )
    rule = client.post(
        "/api/v1/targeting-rules/",
        {"project": str(project.uuid), "name": "Pequeños", "criteria": SIZE_2},
        content_type="application/json",
    )
    preview = client.post(
        f"/api/v1/targeting-rules/{rule.json()['id']}/preview/",
        {"office": str(office_a1.uuid)},
        content_type="application/json",
    )
    cycles = client.get("/api/v1/cycles/")

    assert created.status_code == 201, created.json()
    assert created.json()["offices"] == [str(office_a1.uuid)]
    assert rule.status_code == 201
    assert preview.status_code == 200
    # The cycle fixture's households had mpc from the project already: the rule does not look.
    assert preview.json()["entitled"] == 2
    assert preview.json()["passing"] == [["Tamaño del hogar: como máximo 2", 2]]
    assert [c["id"] for c in cycles.json()["results"]] == [str(cycle.uuid)]
    assert {p["code"] for p in client.get("/api/v1/projects/").json()["results"]} == {
        "BHA-26",
        "API-1",
    }


@pytest.mark.django_db
def test_the_api_answers_400_to_bad_input(client, manager, project):
    api(client, manager)

    bad_rule = client.post(
        "/api/v1/targeting-rules/",
        {"project": str(project.uuid), "name": "x", "criteria": [{"field": "size"}]},
        content_type="application/json",
    )
    not_a_body = client.post("/api/v1/projects/", "{", content_type="application/json")
    bad_days = client.post(
        "/api/v1/targeting-rules/",
        {
            "project": str(project.uuid),
            "name": "x",
            "criteria": [
                {"field": "registered_on", "op": "within_days", "value": -3},
            ],
        },
        content_type="application/json",
    )

    assert bad_rule.status_code == 400
    assert list(bad_rule.json()) == ["criteria.0.op"]
    assert not_a_body.status_code == 400
    assert bad_days.status_code == 400
    assert list(bad_days.json()) == ["criteria.0.value"]
    assert not TargetingRule.objects.exists()
