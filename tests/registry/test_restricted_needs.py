"""The specific need "survivor of violence or torture" would reveal a GBV file: anyone registering
may record it (to flag the person for the GBV team), only the office's GBV team reads it back."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from amparo.cases.models import GBVTeamMember
from amparo.core.models import Area, AuditEvent
from amparo.registry import actions, queries
from amparo.registry.models import NeedNotice
from tests.factories import member

SURVIVOR = "Sobreviviente de violencia o tortura"
SINGLE_PARENT = "Madre o padre solo"


@pytest.fixture
def quito(office_a1):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.save()
    return office_a1


@pytest.fixture
def officer(make_user, quito):
    return make_user("registration_officer", office=quito, username="registro")


@pytest.fixture
def distributor(make_user, quito):
    return make_user("distribution_officer", office=quito, username="entrega")


@pytest.fixture
def gbv_member(make_user, quito):
    user = make_user("gbv_specialist", office=quito, username="vbg")
    GBVTeamMember.objects.create(office=quito, user=user)
    return user


@pytest.fixture
def flagged(officer, quito):
    """Registered by a registration officer, who ticked the need to flag her for the GBV team."""
    household = actions.register_household(
        actor=officer,
        office=quito,
        members=[member(specific_needs=["single_parent", "survivor_violence"])],
    )
    return household.members.get()


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_registration_and_distribution_staff_do_not_read_it_back(
    client, flagged, officer, distributor
):
    for user in (officer, distributor):
        client.force_login(user)

        page = client.get(reverse("registry:individual", args=[flagged.uuid])).content.decode()
        one = _api(user).get(f"/api/v1/individuals/{flagged.uuid}/").json()
        household = _api(user).get(f"/api/v1/households/{flagged.household.uuid}/").json()

        assert SINGLE_PARENT in page and SURVIVOR not in page, user.username
        assert one["specific_needs"] == ["single_parent"]
        assert household["members"][0]["specific_needs"] == ["single_parent"]
        listed = _api(user).get("/api/v1/individuals/").json()["results"]
        assert [p["specific_needs"] for p in listed] == [["single_parent"]]
        searched = _api(user).get("/api/v1/individuals/", {"search": "Pérez"}).json()
        assert "survivor_violence" not in str(searched)


@pytest.mark.django_db
def test_the_office_gbv_team_reads_it(client, flagged, gbv_member):
    client.force_login(gbv_member)

    page = client.get(reverse("registry:individual", args=[flagged.uuid])).content.decode()
    one = _api(gbv_member).get(f"/api/v1/individuals/{flagged.uuid}/").json()

    assert SURVIVOR in page and SINGLE_PARENT in page
    assert one["specific_needs"] == ["single_parent", "survivor_violence"]
    # The search's answer too (it serializes the hits one by one, with the reader's context).
    searched = _api(gbv_member).get("/api/v1/individuals/", {"search": "María Pérez"}).json()
    assert [p["specific_needs"] for p in searched["results"]] == [
        ["single_parent", "survivor_violence"]
    ]


@pytest.mark.django_db
def test_a_gbv_team_of_another_office_does_not_read_it(flagged, make_user, office_a2):
    elsewhere = make_user("administrator", organization=office_a2.organization, username="adm")
    elsewhere_gbv = make_user("case_supervisor", office=office_a2, username="sup-a2")
    GBVTeamMember.objects.create(office=office_a2, user=elsewhere_gbv)

    for user in (elsewhere, elsewhere_gbv):
        assert queries.needs_visible_to(user, flagged) == ["single_parent"], user.username


@pytest.mark.django_db
def test_searching_by_the_need_is_for_the_gbv_team_only(client, flagged, officer, gbv_member):
    client.force_login(officer)
    page = client.get(reverse("registry:search"), {"need": "survivor_violence"})

    assert page.status_code == 200
    assert 'value="survivor_violence"' not in page.content.decode()
    assert "Pérez" not in page.content.decode()  # refused as a choice, not applied
    client.force_login(gbv_member)
    found = client.get(reverse("registry:search"), {"need": "survivor_violence"}).content.decode()
    assert 'value="survivor_violence"' in found and "Pérez" in found


@pytest.mark.django_db
def test_editing_neither_shows_nor_drops_the_hidden_need(client, flagged, officer):
    client.force_login(officer)
    url = reverse("registry:edit", args=[flagged.uuid])

    form = client.get(url).context["form"]
    assert form.initial["specific_needs"] == ["single_parent"]
    actions.update_individual(
        actor=officer, individual=flagged, changes={"specific_needs": ["disability"]}
    )

    flagged.refresh_from_db()
    assert sorted(flagged.specific_needs) == ["disability", "survivor_violence"]


# The notice to the GBV team


@pytest.mark.django_db
def test_the_office_gbv_team_is_told_once_and_the_officer_learns_nothing_more(
    client, flagged, officer, gbv_member, quito
):
    client.force_login(officer)
    form = client.get(reverse("registry:register")).content.decode()
    officer_home = client.get(reverse("home")).content.decode()
    actions.update_individual(  # ticked again while the notice is open: no second one
        actor=officer,
        individual=flagged,
        changes={"specific_needs": ["survivor_violence", "disability"]},
    )
    client.force_login(gbv_member)
    team_home = client.get(reverse("home")).content.decode()

    notice = NeedNotice.objects.get()
    assert (notice.individual, notice.office, notice.created_by) == (flagged, quito, officer)
    assert "se avisará al equipo de protección" in form
    assert "evaluación de VBG" not in officer_home and "h-notices" not in officer_home
    assert "Para dar seguimiento: puede necesitar una evaluación de VBG" in team_home
    assert reverse("registry:individual", args=[flagged.uuid]) in team_home
    event = AuditEvent.objects.get(action="registry.need_notice.opened")
    assert event.actor == officer and event.restricted_office_id == quito.pk
    assert event.details == {"need": "survivor_violence"}


@pytest.mark.django_db
def test_a_gbv_team_of_another_office_or_organization_gets_no_notice(
    client, flagged, make_user, office_a2, office_b1
):
    elsewhere = make_user("gbv_specialist", office=office_a2, username="vbg-a2")
    GBVTeamMember.objects.create(office=office_a2, user=elsewhere)
    other_org = make_user("gbv_specialist", office=office_b1, username="vbg-b1")
    GBVTeamMember.objects.create(office=office_b1, user=other_org)
    notice = NeedNotice.objects.get()

    for user in (elsewhere, other_org):
        client.force_login(user)
        home = client.get(reverse("home")).content.decode()
        closing = client.post(reverse("registry:notice-done", args=[notice.uuid]))

        assert not queries.need_notices_for(user).exists(), user.username
        assert "Nadie a quien dar seguimiento." in home and flagged.full_name not in home
        assert closing.status_code == 404
    notice.refresh_from_db()
    assert notice.closed_at is None


@pytest.mark.django_db
def test_the_team_marks_a_notice_followed_up_and_a_later_flag_opens_a_new_one(
    client, flagged, officer, gbv_member
):
    notice = NeedNotice.objects.get()
    client.force_login(officer)

    by_officer = client.post(reverse("registry:notice-done", args=[notice.uuid])).status_code
    client.force_login(gbv_member)
    done = client.post(reverse("registry:notice-done", args=[notice.uuid]))
    home = client.get(reverse("home")).content.decode()
    actions.update_individual(actor=officer, individual=flagged, changes={"specific_needs": []})
    actions.update_individual(  # the hidden need stays; nothing new was recorded
        actor=officer, individual=flagged, changes={"specific_needs": ["disability"]}
    )
    still_one = NeedNotice.objects.count()
    other = actions.register_household(
        actor=officer,
        office=flagged.household.office,
        members=[
            member(given_names="Rosa", documents=[], phone="", specific_needs=["survivor_violence"])
        ],
    ).members.get()

    assert by_officer == 404
    assert done.status_code == 302
    notice.refresh_from_db()
    assert notice.closed_by == gbv_member and notice.closed_at is not None
    assert flagged.full_name not in home
    assert still_one == 1
    assert NeedNotice.objects.get(closed_at__isnull=True).individual == other
    assert AuditEvent.objects.filter(action="registry.need_notice.closed").count() == 1


@pytest.mark.django_db
def test_a_gbv_team_member_recording_the_need_is_not_told_about_it(make_user, quito, officer):
    # A case supervisor on the office's GBV team who also registers (a role the organization
    # made): the team already knows.
    registrar = make_user("case_supervisor", office=quito, username="sup-registra")
    registrar.role.permissions = [*registrar.role.permissions, "registry.register"]
    registrar.role.save()
    GBVTeamMember.objects.create(office=quito, user=registrar)

    actions.register_household(
        actor=registrar, office=quito, members=[member(specific_needs=["survivor_violence"])]
    )

    assert not NeedNotice.objects.exists()
