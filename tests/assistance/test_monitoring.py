"""Post-distribution monitoring: a reproducible sample among the delivered, survey answers."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone

from amparo.assistance import actions, queries_monitoring
from amparo.assistance.models import Delivery, MonitoringSurvey
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from tests.assistance.conftest import household

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(cycle, registrar, office_a1, officer):
    """Twelve entitled households; ten served over two days (six, then four), two not."""
    for n in range(10):
        house = household(registrar, office_a1, given_names=f"Persona{n}")
        cycle.entitlements.create(
            organization=cycle.organization, office=office_a1, household=house, amount=1
        )
    entitlements = list(cycle.entitlements.order_by("pk"))
    yesterday = timezone.now() - datetime.timedelta(days=1)
    for n, entitlement in enumerate(entitlements[:10]):
        at = yesterday if n < 6 else timezone.now()
        Delivery.objects.create(
            organization_id=entitlement.organization_id,
            entitlement=entitlement,
            delivered_at=at - datetime.timedelta(minutes=n),
            delivered_by=officer,
            collected_by=entitlement.household.members.get(),
        )
        entitlement.state = "delivered"
        entitlement.save(update_fields=["state"])
    return entitlements


def test_choose_is_reproducible_and_stratified_by_day():
    day1, day2 = datetime.date(2026, 3, 2), datetime.date(2026, 3, 3)
    population = [(pk, day1) for pk in range(1, 61)] + [(pk, day2) for pk in range(61, 101)]

    first = actions.choose(population, size=10, seed=42, by_day=True)
    again = actions.choose(list(reversed(population)), size=10, seed=42, by_day=True)
    other = actions.choose(population, size=10, seed=43, by_day=True)
    flat = actions.choose(population, size=10, seed=42, by_day=False)

    assert first == again
    assert first != other
    assert len(set(first)) == 10 and set(first) <= set(range(1, 101))
    assert (sum(pk <= 60 for pk in first), sum(pk > 60 for pk in first)) == (6, 4)
    assert len(set(flat)) == 10


def test_the_sample_is_drawn_among_the_delivered_and_can_be_redrawn(
    manager, cycle, served, office_a1
):
    delivered = {e.pk for e in served[:10]}

    sample = actions.draw_monitoring_sample(actor=manager, cycle=cycle, percent=Decimal("45"))

    drawn = set(sample.surveys.values_list("entitlement_id", flat=True))
    assert (sample.size, sample.population, sample.by_day) == (5, 10, True)
    assert len(drawn) == 5 and drawn <= delivered
    population = [
        (d.entitlement_id, timezone.localdate(d.delivered_at))
        for d in Delivery.objects.filter(entitlement__cycle=cycle)
    ]
    assert actions.choose(population, size=5, seed=sample.seed, by_day=True) == sorted(drawn)
    event = AuditEvent.objects.get(action="assistance.monitoring_sample.drawn")
    assert event.details == {"cycle": str(cycle.uuid), "size": 5, "population": 10}
    with pytest.raises(ActionError, match="ya fueron sorteados"):
        actions.draw_monitoring_sample(actor=manager, cycle=cycle, size=2)


def test_the_draw_refuses_bad_sizes_and_other_roles(manager, officer, cycle, served):
    with pytest.raises(ActionError) as too_many:
        actions.draw_monitoring_sample(actor=manager, cycle=cycle, size=11)
    with pytest.raises(ActionError) as both:
        actions.draw_monitoring_sample(actor=manager, cycle=cycle, size=2, percent=Decimal(5))
    with pytest.raises(ActionError) as zero:
        actions.draw_monitoring_sample(actor=manager, cycle=cycle, percent=Decimal(0))
    with pytest.raises(Http404):
        actions.draw_monitoring_sample(actor=officer, cycle=cycle, size=2)

    assert "Solo 10 hogares" in too_many.value.messages[0]
    assert list(both.value.errors) == ["size"]
    assert list(zero.value.errors) == ["percent"]
    assert not MonitoringSurvey.objects.exists()


@pytest.fixture
def survey(manager, cycle, served):
    sample = actions.draw_monitoring_sample(actor=manager, cycle=cycle, size=3, seed=7)
    return sample.surveys.order_by("pk").first()


def test_a_survey_is_recorded_with_its_free_text_encrypted(manager, survey):
    actions.record_survey(
        actor=manager,
        survey=survey,
        satisfaction=4,
        uses=["rent", "food", "food"],
        problems=["other", "long_wait"],
        problem_details="Nos pidieron volver otro día",
        felt_safe=False,
        complaint="El guardia gritó a mi hija",
    )

    survey.refresh_from_db()
    assert survey.satisfaction == 4
    assert survey.uses == ["food", "rent"]
    assert survey.problems == ["long_wait", "other"]
    assert survey.complaint == "El guardia gritó a mi hija"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT complaint, problem_details FROM assistance_monitoringsurvey WHERE id = %s",
            [survey.pk],
        )
        stored = cursor.fetchone()
    assert "guardia" not in stored[0] and "volver" not in stored[1]
    event = AuditEvent.objects.get(action="assistance.monitoring_survey.recorded")
    assert "guardia" not in str(event.details) and "complaint" in event.fields


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"satisfaction": 0}, "satisfaction"),
        ({"satisfaction": 6}, "satisfaction"),
        ({"satisfaction": True}, "satisfaction"),
        ({"uses": []}, "uses"),
        ({"uses": ["lottery"]}, "uses"),
        ({"problems": ["aliens"]}, "problems"),
        ({"problems": ["other"]}, "problem_details"),
        ({"felt_safe": None}, "felt_safe"),
        ({"complaint": "x" * 2001}, "complaint"),
    ],
)
def test_survey_answers_are_validated(manager, survey, changes, field):
    answers = {"satisfaction": 3, "uses": ["food"], "problems": [], "felt_safe": True} | changes

    with pytest.raises(ActionError) as refused:
        actions.record_survey(actor=manager, survey=survey, **answers)

    assert list(refused.value.errors) == [field]
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_the_summary_counts_the_answers(manager, survey):
    others = list(survey.sample.surveys.exclude(pk=survey.pk).order_by("pk"))
    answers = [
        (survey, 5, ["food"], [], True, ""),
        (others[0], 2, ["food", "rent"], ["long_wait"], False, "Trato malo"),
    ]
    for item, score, uses, problems, safe, complaint in answers:
        actions.record_survey(
            actor=manager,
            survey=item,
            satisfaction=score,
            uses=uses,
            problems=problems,
            felt_safe=safe,
            complaint=complaint,
        )

    summary = queries_monitoring.monitoring_summary(
        queries_monitoring.monitoring_surveys_visible_to(manager).filter(sample=survey.sample)
    )

    assert (summary.sampled, summary.answered) == (3, 2)
    assert summary.average_satisfaction == Decimal("3.5")
    assert [(s.label, s.count) for s in summary.satisfaction] == [
        ("5", 1),
        ("4", 0),
        ("3", 0),
        ("2", 1),
        ("1", 0),
    ]
    uses = {s.label: (s.count, s.percent) for s in summary.uses}
    assert uses["Alimentación"] == (2, 100) and uses["Arriendo o alojamiento"] == (1, 50)
    assert (summary.felt_safe.count, summary.felt_unsafe.count, summary.complaints) == (1, 1, 1)
