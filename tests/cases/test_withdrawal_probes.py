"""Adversarial probes of consent withdrawal and the 15–17 incapacity (issue 11 review): their API
endpoints are the case's GBV team's alone, every read is an audited view of the case, a bad body
is a translated 400 that writes nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from amparo.cases.models import ConsentWithdrawal, GBVTeamMember
from amparo.core.models import AuditEvent
from tests.cases.test_consent_views import _make_a_child_of, api_for

READS = ["consent-withdrawals", "adolescent-incapacities", "service-decisions"]
WITHDRAWAL = {"service": "health", "withdrawn_by": "survivor"}


def _base(case) -> str:
    return f"/api/v1/cases/{case.uuid}"


@pytest.fixture
def outsiders(make_user, office_a2, office_b1, admin_a, caseworker, supervisor):
    """Everyone who must get 404: the GBV team of another office and of another organization,
    the organization's administrator, and the office's own staff off the GBV team."""
    a2 = make_user("gbv_specialist", office=office_a2, username="vbg-a2")
    GBVTeamMember.objects.create(office=office_a2, user=a2)
    b1 = make_user("gbv_specialist", office=office_b1, username="vbg-b1")
    GBVTeamMember.objects.create(office=office_b1, user=b1)
    return [a2, b1, admin_a, caseworker, supervisor]


@pytest.mark.django_db
@pytest.mark.parametrize("path", READS)
def test_reading_a_consent_record_list_is_an_audited_view_of_the_case(
    walk_in_case, gbv_specialist, path
):
    answer = api_for(gbv_specialist).get(f"{_base(walk_in_case)}/{path}/")

    assert answer.status_code == 200
    event = AuditEvent.objects.get(action="cases.case.viewed", actor=gbv_specialist)
    assert event.target_id == str(walk_in_case.uuid)
    assert event.restricted_office_id == walk_in_case.office_id


@pytest.mark.django_db
def test_nobody_off_the_offices_gbv_team_reads_or_records_them(
    walk_in_case, gbv_specialist, outsiders
):
    today = timezone.localdate().isoformat()
    _make_a_child_of(walk_in_case, years=16)
    answers = {}
    for user in outsiders:
        api = api_for(user)
        answers[user.username] = [api.get(f"{_base(walk_in_case)}/{p}/").status_code for p in READS]
        answers[user.username] += [
            api.post(
                f"{_base(walk_in_case)}/consent-withdrawals/",
                {**WITHDRAWAL, "withdrawn_on": today},
                format="json",
            ).status_code,
            api.post(
                f"{_base(walk_in_case)}/adolescent-incapacities/",
                {"why": "no_capacity", "details": "x", "noted_on": today},
                format="json",
            ).status_code,
        ]

    assert answers == {u.username: [404] * 5 for u in outsiders}
    assert not ConsentWithdrawal.objects.exists()
    assert not walk_in_case.adolescent_incapacities.exists()
    assert not AuditEvent.objects.filter(action__startswith="cases.consent").exists()


@pytest.mark.django_db
def test_an_ordinary_case_has_no_withdrawals(case, caseworker, gbv_specialist):
    for user in (caseworker, gbv_specialist):
        assert api_for(user).get(f"{_base(case)}/consent-withdrawals/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {**WITHDRAWAL, "service": "astrology", "withdrawn_on": "2025-01-01"},
        {**WITHDRAWAL, "withdrawn_by": "neighbour", "withdrawn_on": "2025-01-01"},
        {**WITHDRAWAL, "withdrawn_on": "not a date"},
        {**WITHDRAWAL, "withdrawn_on": "2999-01-01"},
        {"service": "health"},
        ["not", "an", "object"],
        "null",
    ],
)
def test_a_bad_withdrawal_is_a_400_in_the_users_language_and_writes_nothing(
    walk_in_case, gbv_specialist, body
):
    answer = api_for(gbv_specialist).post(
        f"{_base(walk_in_case)}/consent-withdrawals/",
        body,
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert answer.status_code == 400, answer.content
    assert not ConsentWithdrawal.objects.exists()
    assert not AuditEvent.objects.filter(action="cases.consent.withdrawn").exists()


@pytest.mark.django_db
def test_a_bad_withdrawal_speaks_spanish_to_a_spanish_speaker(walk_in_case, gbv_specialist):
    answer = api_for(gbv_specialist).post(
        f"{_base(walk_in_case)}/consent-withdrawals/",
        {**WITHDRAWAL, "withdrawn_on": (timezone.localdate() + datetime.timedelta(1))},
        format="json",
    )

    assert answer.status_code == 400
    assert "futuro" in str(answer.json())


@pytest.mark.django_db
def test_a_withdrawal_is_audited_without_personal_text(walk_in_case, gbv_specialist):
    answer = api_for(gbv_specialist).post(
        f"{_base(walk_in_case)}/consent-withdrawals/",
        {**WITHDRAWAL, "withdrawn_on": timezone.localdate()},
        format="json",
    )

    assert answer.status_code == 201
    event = AuditEvent.objects.get(action="cases.consent.withdrawn")
    assert event.actor == gbv_specialist
    assert event.restricted_office_id == walk_in_case.office_id
    assert event.details == {"service": "health", "by": "survivor"}


@pytest.mark.django_db
def test_a_closed_case_takes_no_withdrawal(walk_in_case, gbv_specialist):
    type(walk_in_case).objects.filter(pk=walk_in_case.pk).update(state="closed")

    answer = api_for(gbv_specialist).post(
        f"{_base(walk_in_case)}/consent-withdrawals/",
        {**WITHDRAWAL, "withdrawn_on": timezone.localdate()},
        format="json",
    )

    assert answer.status_code == 400
    assert not ConsentWithdrawal.objects.exists()


@pytest.mark.django_db
def test_opening_the_withdrawal_page_is_an_audited_view_of_the_case(
    client, walk_in_case, gbv_specialist
):
    # The page lists the case's referrals awaiting an answer: to whom the person was referred.
    client.force_login(gbv_specialist)

    page = client.get(reverse("cases:consent-withdraw", args=[walk_in_case.uuid]))

    assert page.status_code == 200
    event = AuditEvent.objects.get(action="cases.case.viewed", actor=gbv_specialist)
    assert event.target_id == str(walk_in_case.uuid)
