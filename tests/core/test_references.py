"""One allocator for every reference number, and the move of the counters into core."""

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from amparo.core import references
from amparo.core.models import ReferenceCounter
from tests.factories import OrganizationFactory


def test_allocate_counts_per_organization_and_prefix(org_a, org_b):
    first = references.allocate(organization_id=org_a.pk, prefix="C-QUI-2026")
    second = references.allocate(organization_id=org_a.pk, prefix="C-QUI-2026")
    block = references.allocate(organization_id=org_a.pk, prefix="C-QUI-2026", count=3)
    other_prefix = references.allocate(organization_id=org_a.pk, prefix="R-QUI-2026")
    other_org = references.allocate(organization_id=org_b.pk, prefix="C-QUI-2026")

    assert [list(first), list(second), list(block)] == [[1], [2], [3, 4, 5]]
    assert (list(other_prefix), list(other_org)) == ([1], [1])
    assert ReferenceCounter.objects.get(organization=org_a, prefix="C-QUI-2026").last == 5


def test_office_year_formats_kind_office_year_and_number(org_a):
    case = references.office_year(
        organization_id=org_a.pk, lead="C", office_code="quito-norte", year=2026, digits=5
    )
    households = references.office_year(
        organization_id=org_a.pk, lead="EC", office_code="qui", year=2026, digits=6, count=2
    )

    assert case == ["C-QUI-2026-00001"]
    assert households == ["EC-QUI-2026-000001", "EC-QUI-2026-000002"]


def test_allocate_refuses_an_empty_block(org_a):
    with pytest.raises(ValueError, match="at least 1"):
        references.allocate(organization_id=org_a.pk, prefix="C-QUI-2026", count=0)

    assert not ReferenceCounter.objects.exists()


BEFORE = [("core", "0004_area_parent_label"), ("registry", "0007_household_phone_index")]
MOVED = [("core", "0005_reference_counter"), ("registry", "0009_delete_reference_counter")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_counters_move_to_core_and_back_so_no_number_repeats():
    organization = OrganizationFactory(code="org-m")
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old_apps = _migrate(BEFORE)
        old_apps.get_model("registry", "ReferenceCounter").objects.create(
            organization_id=organization.pk, prefix="EC-QUI-2026", last=41
        )

        _migrate(MOVED)
        moved = ReferenceCounter.objects.get(organization=organization, prefix="EC-QUI-2026")
        with transaction.atomic():
            (following,) = references.allocate(
                organization_id=organization.pk, prefix="EC-QUI-2026"
            )
        back_apps = _migrate(BEFORE)
        back = back_apps.get_model("registry", "ReferenceCounter").objects.get(prefix="EC-QUI-2026")
    finally:
        _migrate(leaves)

    assert (moved.last, following, back.last) == (41, 42, 42)
