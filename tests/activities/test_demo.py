from amparo.activities.models import Activity
from amparo.core.models import AuditEvent
from amparo.demo import activities, organizations, registry


def test_demo_activities_load_once_at_hias_quito_and_lago_agrio(db):
    organizations.load()
    registry.load(120, seed=2026)

    first = activities.load()
    second = activities.load()

    recorded = Activity.objects.select_related("office__organization")
    assert 20 <= first["activities"] <= 40
    assert second == {"activities": 0, "skipped": first["activities"] + first["skipped"]}
    assert recorded.count() == first["activities"]
    assert {(a.office.organization.code, a.office.code) for a in recorded} == {
        ("hias-ec", "quito"),
        ("hias-ec", "lago-agrio"),
    }
    assert recorded.filter(type="support_group").exists()
    assert recorded.filter(type="legal_counselling").exists()
    for activity in recorded.prefetch_related("participants__household"):
        assert {p.household.office_id for p in activity.participants.all()} <= {activity.office_id}
    assert (
        AuditEvent.objects.filter(action="activities.activity.recorded").count()
        == first["activities"]
    )


def test_demo_activities_without_households_record_the_counted_groups_only(db):
    organizations.load()

    loaded = activities.load()

    assert loaded["activities"] == Activity.objects.count() > 0
    assert not Activity.objects.filter(participants__isnull=False).exists()
    assert all(a.is_group for a in Activity.objects.all())
