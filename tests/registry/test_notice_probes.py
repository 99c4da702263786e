"""Adversarial probes of the GBV team's registration notices (issue 11 review): nobody off the
office's GBV team learns that a notice exists, and a notice follows the person it is about."""

import pytest
from django.urls import reverse

from amparo.cases.models import GBVTeamMember
from amparo.registry import actions
from amparo.registry.models import NeedNotice
from tests.factories import member
from tests.registry.test_restricted_needs import _api, flagged, gbv_member, officer, quito

__all__ = ["flagged", "gbv_member", "officer", "quito"]  # fixtures shared with that file


@pytest.mark.django_db
def test_the_audit_log_hides_notices_from_everyone_off_the_team(client, flagged, admin_a):
    client.force_login(admin_a)

    page = client.get(reverse("audit")).content.decode()
    filtered = client.get(reverse("audit"), {"action": "registry.need_notice"})

    assert "registry.individual.created" in page or "individual" in page
    assert "need_notice" not in page
    assert "registry.need_notice.opened" not in filtered.content.decode()


@pytest.mark.django_db
def test_the_officers_api_answers_say_nothing_of_the_notice(flagged, officer):
    person = _api(officer).get(f"/api/v1/individuals/{flagged.uuid}/").content.decode()
    household = _api(officer).get(f"/api/v1/households/{flagged.household.uuid}/")

    for text in (person, household.content.decode()):
        assert "notice" not in text.lower() and "survivor_violence" not in text


@pytest.mark.django_db
def test_notice_done_takes_no_get(client, flagged, gbv_member):
    notice = NeedNotice.objects.get()
    client.force_login(gbv_member)

    answer = client.get(reverse("registry:notice-done", args=[notice.uuid]))

    assert answer.status_code == 405
    notice.refresh_from_db()
    assert notice.closed_at is None


@pytest.mark.django_db
def test_an_unknown_or_closed_notice_answers_like_anothers(client, flagged, gbv_member):
    notice = NeedNotice.objects.get()
    client.force_login(gbv_member)
    client.post(reverse("registry:notice-done", args=[notice.uuid]))

    again = client.post(reverse("registry:notice-done", args=[notice.uuid]))
    unknown = client.post(reverse("registry:notice-done", args=[notice.individual.uuid]))

    assert again.status_code == unknown.status_code == 404


@pytest.mark.django_db
def test_a_notice_follows_the_person_to_another_office(
    client, flagged, gbv_member, make_user, office_a2
):
    # A registrar of the whole organization (a role the organization made) moves her to a
    # household of another office.
    mover = make_user("registration_officer", office=office_a2, username="regional")
    mover.role.office_bound = False
    mover.role.save()
    elsewhere = make_user("gbv_specialist", office=office_a2, username="vbg-a2")
    GBVTeamMember.objects.create(office=office_a2, user=elsewhere)
    clerk = make_user("registration_officer", office=office_a2, username="registro-a2")
    target = actions.register_household(
        actor=clerk, office=office_a2, members=[member(given_names="Rosa", documents=[])]
    )

    actions.move_individual(actor=mover, individual=flagged, to=target, relationship="sibling")
    client.force_login(gbv_member)
    old_team = client.get(reverse("home")).content.decode()
    client.force_login(elsewhere)
    new_team = client.get(reverse("home")).content.decode()

    notice = NeedNotice.objects.get(closed_at__isnull=True)
    assert notice.office == office_a2
    assert flagged.full_name not in old_team
    assert reverse("registry:individual", args=[flagged.uuid]) in new_team


@pytest.mark.django_db
def test_registering_through_the_api_answers_nothing_of_the_notice(officer, gbv_member):
    answer = _api(officer).post(
        "/api/v1/households/",
        {"members": [member(specific_needs=["survivor_violence"])]},
        format="json",
    )

    assert answer.status_code == 201
    assert NeedNotice.objects.count() == 1
    text = answer.content.decode().lower()
    assert "notice" not in text and "survivor_violence" not in text and "aviso" not in text
