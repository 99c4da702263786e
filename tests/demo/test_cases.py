"""The demo cases and referrals: loaded once, in every state, through the actions."""

from collections import Counter

import pytest
from django.utils import timezone

from amparo.cases import queries
from amparo.cases.models import Approval, Case, ChildConsent, MonthlyRelease, SurvivorSafety
from amparo.core.models import AuditEvent
from amparo.demo import cases, directory, organizations, registry
from amparo.referrals.models import Intake, IntakeLink, Referral
from amparo.registry.models import Individual


@pytest.fixture
def prepared(db):
    organizations.load()
    registry.load(200, seed=2026)
    directory.load()


def test_demo_cases_load_once(prepared):
    first = cases.load()
    counts = (Case.objects.count(), Referral.objects.count(), Approval.objects.count())

    second = cases.load()

    assert first == {"cases": 10, "referrals": 10}
    assert second == {"cases": 0, "referrals": 0}
    assert counts == (Case.objects.count(), Referral.objects.count(), Approval.objects.count())
    assert counts[:2] == (10, 10)


def test_demo_cases_stop_at_each_stage_and_referrals_in_every_state(prepared):
    cases.load()

    assert sorted(Case.objects.values_list("type", "state")) == [
        ("child_protection", "case_plan"),
        ("gbv", "intake"),
        ("gbv", "intake"),  # the walk-in survivor's
        ("gbv", "intake"),  # two girls: caregiver's consent, best-interests decision
        ("gbv", "intake"),
        ("legal", "assessment"),
        ("mhpss", "closed"),
        ("protection", "case_plan"),  # high risk: the plan waits for the supervisor
        ("return", "intake"),
        ("trafficking", "case_plan"),
    ]
    assert Counter(Referral.objects.values_list("state", flat=True)) == {
        "sent": 5,
        "received": 1,
        "accepted": 1,
        "declined": 1,
        "service_given": 1,
        "not_reached": 1,
    }
    assert Approval.objects.filter(kind="closure", decision="pending").count() == 1


def test_demo_hospital_refers_a_patient_to_hias(prepared):
    cases.load()

    incoming = Referral.objects.get(from_organization__code="hospital-lago-agrio")
    assert incoming.to_organization.code == "hias-ec"
    assert incoming.case_id is None and incoming.individual_id is None
    assert incoming.service.provider.organization.code == "hospital-lago-agrio"


def test_demo_hospital_directory_is_written_by_its_administrator_through_the_actions(prepared):
    cases.load()

    written = AuditEvent.objects.filter(
        organization__code="hospital-lago-agrio",
        action__in=("referrals.provider.created", "referrals.service.created"),
    )
    assert sorted(written.values_list("actor_username", "action")) == [
        ("admin.hospital", "referrals.provider.created"),
        ("admin.hospital", "referrals.service.created"),
    ]


def test_demo_walk_in_survivor_is_only_in_her_case(prepared):
    cases.load()

    walk_in = Case.objects.get(household__isnull=True)
    assert (walk_in.type, walk_in.restricted, walk_in.office.code) == ("gbv", True, "lago-agrio")
    assert queries.survivor_of(walk_in)["given_names"] == "Yessenia"
    assert not Individual.objects.filter(given_names="Yessenia").exists()


def test_demo_child_survivors_have_a_valid_consent_and_are_referred_with_their_case_code(
    prepared,
):
    cases.load()

    consents = ChildConsent.objects.order_by("id")
    assert [(c.given_by, c.caregiver_relationship, c.caregiver_unsuitable) for c in consents] == [
        ("caregiver", "mother", ""),
        ("best_interests", "", "perpetrator"),
    ]
    best_interests = consents[1]
    assert best_interests.recorded_by.username == "coord.vbg.lagoagrio"
    assert best_interests.case.owner.username == "vbg.lagoagrio"
    referred = Referral.objects.filter(service__type="child_protection", case__restricted=True)
    assert sorted(referred.values_list("shared_fields", flat=True)) == [["case_code"]] * 2
    assert SurvivorSafety.objects.filter(mandatory_report="made").count() == 1


def test_demo_lago_agrio_has_tables_approved_and_tables_waiting(prepared):
    cases.load()

    states = MonthlyRelease.objects.order_by("month").values_list("state", "office__code")
    assert list(states) == [("approved", "lago-agrio"), ("prepared", "lago-agrio")]


def test_demo_lago_agrio_gbv_team_has_an_open_link_and_an_intake_waiting(prepared):
    cases.load()

    now = timezone.now()
    links = IntakeLink.objects.filter(office__code="lago-agrio").order_by("created_at")
    assert [link.state_at(now) for link in links] == ["open", "used"]
    (waiting,) = Intake.objects.all()
    assert (waiting.state, waiting.link, waiting.office.code) == (
        "received",
        links[1],
        "lago-agrio",
    )
    assert waiting.alias == "Rosa"
