"""The admin sets response deadlines through `deadlines.set_response_deadline` (validated,
audited); no feedback entry or note is reachable through /admin/, by administrators or
superusers."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from amparo.feedback import actions, deadlines
from amparo.feedback.models import ResponseDeadline

pytestmark = pytest.mark.django_db
ADD = "/admin/feedback/responsedeadline/add/"


def test_an_administrator_sets_a_deadline_for_their_organization(client, admin_a, org_a, submit):
    client.force_login(admin_a)

    response = client.post(ADD, {"category": "complaint", "days": "3"})

    assert response.status_code == 302
    deadline = ResponseDeadline.objects.get()
    assert (deadline.organization, deadline.category, deadline.days) == (org_a, "complaint", 3)
    event = AuditEvent.objects.get(action="feedback.deadline.changed")
    assert (event.actor, event.organization_id, event.target_id) == (
        admin_a,
        org_a.pk,
        str(deadline.pk),
    )
    assert event.details == {"category": "complaint", "days": 3}
    entry, _code = submit(category="complaint")
    assert entry.due_on == timezone.localdate() + datetime.timedelta(days=3)


def test_the_admin_changes_the_days_of_a_deadline_through_the_action(client, admin_a, org_a):
    deadline = deadlines.set_response_deadline(
        actor=admin_a, organization=org_a, category="question", days=7
    )
    client.force_login(admin_a)

    response = client.post(
        f"/admin/feedback/responsedeadline/{deadline.pk}/change/",
        {"category": "fraud", "days": "10"},  # the category is read-only
    )

    assert response.status_code == 302
    deadline.refresh_from_db()
    assert (deadline.category, deadline.days) == ("question", 10)
    assert AuditEvent.objects.filter(action="feedback.deadline.changed").count() == 2


@pytest.mark.parametrize("days", ["0", "366", "-4", "tres"])
def test_days_out_of_range_are_refused_next_to_the_field(client, admin_a, days):
    client.force_login(admin_a)

    response = client.post(ADD, {"category": "complaint", "days": days})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["days"]
    assert not ResponseDeadline.objects.exists()
    assert not AuditEvent.objects.filter(action="feedback.deadline.changed").exists()


def test_the_action_validates_and_checks_the_organization(admin_a, admin_b, org_a, handler):
    for days in (0, 366, True):
        with pytest.raises(ActionError) as refused:
            deadlines.set_response_deadline(
                actor=admin_a, organization=org_a, category="complaint", days=days
            )
        assert "days" in refused.value.errors
    with pytest.raises(ActionError) as refused:
        deadlines.set_response_deadline(
            actor=admin_a, organization=org_a, category="rumour", days=5
        )
    assert "category" in refused.value.errors
    for outsider in (admin_b, handler):
        with pytest.raises(ActionError):
            deadlines.set_response_deadline(
                actor=outsider, organization=org_a, category="complaint", days=5
            )

    same = deadlines.set_response_deadline(
        actor=admin_a, organization=org_a, category="complaint", days=365
    )
    deadlines.set_response_deadline(
        actor=admin_a, organization=org_a, category="complaint", days=365
    )

    assert same.days == 365
    assert AuditEvent.objects.filter(action="feedback.deadline.changed").count() == 1


def test_another_organizations_deadline_is_404_and_not_listed(client, admin_a, admin_b, org_b):
    theirs = deadlines.set_response_deadline(
        actor=admin_b, organization=org_b, category="complaint", days=2
    )
    client.force_login(admin_a)

    assert client.get(f"/admin/feedback/responsedeadline/{theirs.pk}/change/").status_code == 404
    listing = client.get("/admin/feedback/responsedeadline/")
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == []


def test_no_feedback_entry_is_reachable_through_the_admin(
    client, admin_a, make_user, org_a, submit, handler
):
    ordinary, _ = submit(category="complaint")
    sensitive, _ = submit(category="sexual_exploitation_abuse", text="Un voluntario me acosó")
    note = actions.add_note(actor=handler, entry=ordinary, text="Llamar mañana")
    superuser = make_user("administrator", organization=org_a, is_superuser=True)

    for user in (admin_a, superuser):
        client.force_login(user)
        index = client.get("/admin/").content.decode()
        assert "feedbackentry" not in index
        assert "feedbacknote" not in index
        for entry in (ordinary, sensitive):
            for url in (
                "/admin/feedback/feedbackentry/",
                f"/admin/feedback/feedbackentry/{entry.pk}/change/",
                f"/admin/feedback/feedbacknote/{note.pk}/change/",
            ):
                assert client.get(url).status_code == 404, url
        assert client.get("/admin/feedback/").status_code == 200  # the deadlines only
        assert "acosó" not in client.get("/admin/feedback/").content.decode()
    with pytest.raises(NoReverseMatch):
        reverse("admin:feedback_feedbackentry_changelist")
