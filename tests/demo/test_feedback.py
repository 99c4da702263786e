"""The demo feedback: loaded once, through the actions, quickly; a mix the figures and the
inbox can show (public and recorded, answered and closed, overdue, three sensitive)."""

import datetime
import time
from collections import Counter

import pytest
from django.utils import timezone

from amparo.core.models import AuditEvent, User
from amparo.demo import feedback, organizations
from amparo.feedback import queries, queries_figures
from amparo.feedback.models import FeedbackEntry


@pytest.fixture
def orgs(db):
    organizations.load()


def test_demo_feedback_loads_once_and_quickly(orgs):
    started = time.monotonic()
    first = feedback.load()
    took = time.monotonic() - started
    references = set(FeedbackEntry.objects.values_list("reference", flat=True))

    second = feedback.load()

    assert first == {"entries": 30}
    assert second == {"entries": 0}
    assert set(FeedbackEntry.objects.values_list("reference", flat=True)) == references
    assert len(references) == 30
    assert took < 2


def test_demo_feedback_is_a_mix_for_the_figures_and_the_inbox(orgs):
    feedback.load()
    entries = FeedbackEntry.objects.filter(organization__code="hias-ec")
    today = timezone.localdate()

    assert entries.count() == 30
    assert entries.filter(sensitive=True).count() == 3
    assert entries.filter(recorded_by=None, channel="web").count() >= 8
    assert entries.exclude(recorded_by=None).count() >= 15
    assert len(set(entries.values_list("category", flat=True))) == 7
    assert len(set(entries.values_list("channel", flat=True))) >= 6
    assert all((today - e.received_at.date()).days <= 62 for e in entries)
    statuses = Counter(entries.values_list("status", flat=True))
    assert statuses["closed"] >= 10 and statuses["received"] >= 5
    assert entries.exclude(public_reply="").count() >= 15
    me, ethics = User.objects.get(username="mye.hias"), User.objects.get(username="etica.hias")
    assert queries.overdue_for(me).exists()
    assert queries.overdue_for(ethics).filter(sensitive=True).exists()
    assert AuditEvent.objects.filter(action="feedback.entry.received").count() == 30
    # A month the demo fills whatever today is: on the first days of a month (in the
    # organization's time zone) the current one holds almost nothing yet.
    month = (today - datetime.timedelta(days=15)).replace(day=1)
    assert queries_figures.monthly_figures(ethics, month).total > 5
