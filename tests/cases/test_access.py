"""Need to know: only the case team reads a case; GBV files only the office's GBV team."""

import pytest
from django.http import Http404
from django.urls import reverse

from amparo.cases import actions, queries
from amparo.cases.models import Incident
from amparo.core.errors import ActionError
from amparo.core.models import Area, AuditEvent, Role


def _pages(case, incident=None):
    pages = [
        reverse("cases:detail", args=[case.uuid]),
        reverse("cases:edit", args=[case.uuid]),
        reverse("cases:plan", args=[case.uuid]),
        reverse("cases:note", args=[case.uuid]),
        reverse("cases:follow-up", args=[case.uuid]),
    ]
    if incident is not None:
        pages.append(reverse("cases:incident", args=[case.uuid, incident.uuid]))
    return pages


def _incident(case, actor):
    return actions.record_incident(
        actor=actor,
        case=case,
        data={
            "incident_date": case.opened_on,
            "report_date": case.opened_on,
            "area": Area.objects.get(code="EC-P"),
            "type": "physical_assault",
            "context": ["intimate_partner"],
            "account": "Relato del incidente.",
            "perpetrator_count": 1,
            "perpetrator_sex": "M",
            "perpetrator_age_group": "26-40",
            "perpetrator_relationship": "intimate_partner",
            "services_received": ["health"],
            "referral_consent": ["health", "psychosocial"],
            "statistics_consent": True,
        },
    )


@pytest.mark.django_db
def test_the_team_reads_the_case_and_the_view_is_audited(client, case, caseworker):
    client.force_login(caseworker)
    response = client.get(reverse("cases:detail", args=[case.uuid]))
    assert response.status_code == 200
    assert "Amenazas del ex-compañero" in response.content.decode()
    assert AuditEvent.objects.filter(action="cases.case.viewed", target_id=str(case.uuid)).exists()


@pytest.mark.django_db
def test_a_caseworker_not_on_the_team_gets_404_everywhere(client, case, colleague):
    client.force_login(colleague)
    for url in _pages(case):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("cases:note", args=[case.uuid]), {"text": "x"}).status_code == 404
    assert not case.notes.exists()


@pytest.mark.django_db
def test_an_added_member_and_the_office_supervisor_are_on_the_team(
    client, case, caseworker, colleague, supervisor
):
    actions.add_member(actor=caseworker, case=case, user=colleague)
    for user in (colleague, supervisor):
        client.force_login(user)
        assert client.get(reverse("cases:detail", args=[case.uuid])).status_code == 200


@pytest.mark.django_db
def test_other_offices_and_organizations_get_404(client, case, make_user, office_a2, office_b1):
    for user in (
        make_user("case_supervisor", office=office_a2),
        make_user("case_supervisor", office=office_b1),
        make_user("caseworker", office=office_b1),
    ):
        client.force_login(user)
        assert client.get(reverse("cases:detail", args=[case.uuid])).status_code == 404


@pytest.mark.django_db
def test_gbv_cases_are_closed_to_everyone_outside_the_gbv_team(
    client, gbv_case, gbv_specialist, caseworker, supervisor, admin_a, make_user, quito
):
    incident = _incident(gbv_case, gbv_specialist)
    # An administrator whose organization gave them every case permission is still not on
    # the team; nor is the office's supervisor, nor a platform operator.
    powerful = Role.objects.create(
        organization=admin_a.organization,
        code="admin-plus",
        name="Admin with cases",
        permissions=["core.manage_users", "cases.view", "cases.manage", "cases.gbv"],
        office_bound=False,
    )
    admin_a.role = powerful
    admin_a.save()
    operator = make_user("administrator", is_superuser=True, username="root")
    for user in (caseworker, supervisor, admin_a, operator):
        client.force_login(user)
        for url in _pages(gbv_case, incident):
            assert client.get(url).status_code == 404, (user.username, url)
        assert not queries.cases_visible_to(user).filter(pk=gbv_case.pk).exists()
    client.force_login(gbv_specialist)
    for url in _pages(gbv_case, incident):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_the_administrator_manages_the_gbv_team_without_reading_files(
    client, gbv_case, admin_a, make_user, quito
):
    newcomer = make_user("gbv_specialist", office=quito, username="vbg2")
    client.force_login(newcomer)
    assert client.get(reverse("cases:detail", args=[gbv_case.uuid])).status_code == 404
    actions.add_to_gbv_team(actor=admin_a, office=quito, user=newcomer)
    assert client.get(reverse("cases:detail", args=[gbv_case.uuid])).status_code == 200
    client.force_login(admin_a)
    assert client.get(reverse("cases:detail", args=[gbv_case.uuid])).status_code == 404


@pytest.mark.django_db
def test_only_the_gbv_team_opens_gbv_cases(caseworker, person):
    with pytest.raises(ActionError) as exc:
        actions.open_case(actor=caseworker, individuals=[person], type="gbv", risk_level="low")
    assert "type" in exc.value.errors
    with pytest.raises(ActionError):
        actions.open_case(
            actor=caseworker,
            individuals=[person],
            type="protection",
            risk_level="low",
            psea_related=True,
        )


@pytest.mark.django_db
def test_incidents_belong_to_gbv_cases_only(case, gbv_specialist, caseworker):
    with pytest.raises(Http404):  # not a GBV specialist
        _incident(case, caseworker)
    with pytest.raises(Http404):  # not on this (ordinary) case's team
        _incident(case, gbv_specialist)
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_an_administrator_cannot_put_themself_on_the_gbv_team(admin_a, quito):
    from amparo.core.models import Role

    admin_a.role = Role.objects.create(
        organization=admin_a.organization,
        code="admin-gbv",
        name="Admin GBV",
        permissions=["core.manage_users", "cases.view", "cases.gbv"],
        office_bound=False,
    )
    admin_a.save()
    with pytest.raises(ActionError):
        actions.add_to_gbv_team(actor=admin_a, office=quito, user=admin_a)
