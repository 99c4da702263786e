"""The demo cases and referrals: loaded once, in every state, through the actions."""

from collections import Counter

import pytest

from amparo.cases import queries
from amparo.cases.models import Approval, Case
from amparo.core.models import AuditEvent
from amparo.demo import cases, directory, organizations, registry
from amparo.referrals.models import Referral
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

    assert first == {"cases": 8, "referrals": 8}
    assert second == {"cases": 0, "referrals": 0}
    assert counts == (Case.objects.count(), Referral.objects.count(), Approval.objects.count())
    assert counts[:2] == (8, 8)


def test_demo_cases_stop_at_each_stage_and_referrals_in_every_state(prepared):
    cases.load()

    assert sorted(Case.objects.values_list("type", "state")) == [
        ("child_protection", "case_plan"),
        ("gbv", "intake"),
        ("gbv", "intake"),  # the walk-in survivor's
        ("legal", "assessment"),
        ("mhpss", "closed"),
        ("protection", "case_plan"),  # high risk: the plan waits for the supervisor
        ("return", "intake"),
        ("trafficking", "case_plan"),
    ]
    assert Counter(Referral.objects.values_list("state", flat=True)) == {
        "sent": 3,
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
