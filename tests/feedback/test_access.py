"""Who sees feedback: sensitive categories go to the ethics focal points alone, administrators
and platform operators included; their audit events likewise."""

import pytest
from django.http import Http404

from amparo.core import audit
from amparo.core import queries as core_queries
from amparo.feedback import queries


@pytest.fixture
def entries(submit, office_a1, office_a2):
    ordinary, _ = submit(category="complaint", office=office_a1)
    other_office, _ = submit(category="suggestion", office=office_a2)
    sensitive, _ = submit(category="fraud", text="Me cobraron por el kit", office=office_a1)
    return ordinary, other_office, sensitive


def visible(user):
    return set(queries.entries_visible_to(user).values_list("category", flat=True))


@pytest.mark.django_db
def test_each_role_sees_what_it_should(
    entries, ethics, handler, recorder, admin_a, admin_b, make_user, org_b
):
    superuser = make_user("administrator", organization=org_b, is_superuser=True)
    ethics_b = make_user("ethics_focal_point", organization=org_b)

    assert visible(handler) == {"complaint", "suggestion"}
    assert visible(ethics) == {"complaint", "suggestion", "fraud"}
    assert visible(recorder) == set()
    assert visible(admin_a) == set()
    assert visible(admin_b) == set()
    assert visible(superuser) == set()
    assert visible(ethics_b) == set()


@pytest.mark.django_db
def test_an_office_bound_reader_sees_their_office_only(entries, make_user, office_a1):
    supervisor = make_user("case_supervisor", office=office_a1)
    supervisor.role.permissions = [*supervisor.role.permissions, "feedback.view"]

    assert visible(supervisor) == {"complaint"}


@pytest.mark.django_db
def test_a_sensitive_entry_answers_404_to_everyone_but_the_ethics_focal_point(
    entries, ethics, handler, admin_a
):
    sensitive = entries[2]

    assert queries.get_entry_for(ethics, sensitive.uuid) == sensitive
    for user in (handler, admin_a):
        with pytest.raises(Http404):
            queries.get_entry_for(user, sensitive.uuid)
    with pytest.raises(Http404):
        queries.get_entry_for(ethics, "not-a-uuid")


@pytest.mark.django_db
def test_audit_events_about_sensitive_feedback_stay_with_the_ethics_focal_points(
    entries, ethics, admin_a, handler, rf
):
    ordinary, _, sensitive = entries
    request = rf.get("/")
    request.user = ethics
    audit.record_view(request=request, target=sensitive)

    def targets(user):
        return set(core_queries.audit_events_visible_to(user).values_list("target_id", flat=True))

    superuser = type(admin_a).objects.create_superuser("root", "root@example.org", "x")
    assert str(sensitive.uuid) not in targets(superuser)
    assert str(sensitive.uuid) not in targets(admin_a)
    assert str(ordinary.uuid) in targets(admin_a)
    assert str(sensitive.uuid) in targets(ethics)
    assert str(ordinary.uuid) not in targets(ethics)  # the ethics role does not read the log
    ids = [str(sensitive.uuid), str(ordinary.uuid)]
    assert {e.target_id for e in core_queries.history_for(admin_a, ids)} == {str(ordinary.uuid)}
    assert str(sensitive.uuid) in {e.target_id for e in core_queries.history_for(ethics, ids)}
