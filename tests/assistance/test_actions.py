import datetime
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from amparo.assistance import actions
from amparo.assistance.models import Cycle, Delivery, Entitlement
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from tests.assistance.conftest import household


@pytest.mark.django_db
def test_open_cycle_entitles_every_active_household_of_the_office(
    cycle, households, registrar, office_a2, make_user
):
    entitled = set(cycle.entitlements.values_list("household_id", flat=True))

    assert entitled == {h.pk for h in households}
    assert cycle.state == Cycle.State.OPEN
    assert cycle.currency == "USD"
    assert set(cycle.entitlements.values_list("amount", flat=True)) == {Decimal("120.00")}
    event = AuditEvent.objects.get(action="assistance.cycle.opened")
    assert event.details == {"entitlements": 2}


@pytest.mark.django_db
def test_open_cycle_filters_by_population_group_and_skips_inactive(
    manager, project, office_a1, households
):
    households[0].status = "moved"
    households[0].save(update_fields=["status"])
    today = timezone.localdate()

    cycle = actions.open_cycle(
        actor=manager,
        project=project,
        office=office_a1,
        name="Kits",
        assistance_type="hygiene_kit",
        start_date=today,
        end_date=today,
        amount=Decimal("1"),
        population_group="refugee",
    )

    assert list(cycle.entitlements.values_list("household_id", flat=True)) == [households[1].pk]


@pytest.mark.django_db
def test_open_cycle_refuses_dates_outside_the_project(manager, project, office_a1):
    with pytest.raises(ActionError) as refused:
        actions.open_cycle(
            actor=manager,
            project=project,
            office=office_a1,
            name="Tarde",
            assistance_type="mpc",
            start_date=project.end_date,
            end_date=project.end_date + datetime.timedelta(days=1),
            amount=Decimal("10"),
        )

    assert list(refused.value.errors) == ["end_date"]
    assert not Cycle.objects.exists()


@pytest.mark.django_db
def test_a_distribution_officer_cannot_open_a_cycle(officer, project, office_a1):
    today = timezone.localdate()

    with pytest.raises(Http404):
        actions.open_cycle(
            actor=officer,
            project=project,
            office=office_a1,
            name="X",
            assistance_type="mpc",
            start_date=today,
            end_date=today,
            amount=Decimal("10"),
        )


@pytest.mark.django_db
def test_deliver_records_one_delivery_and_audits_it(officer, entitlement, head):
    delivery, created = actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)

    assert created is True
    assert delivery.collected_by == head
    entitlement.refresh_from_db()
    assert entitlement.state == Entitlement.State.DELIVERED
    event = AuditEvent.objects.get(action="assistance.delivery.recorded")
    assert event.actor == officer
    assert event.target_id == str(delivery.uuid)
    assert event.details == {"entitlement": str(entitlement.uuid)}


@pytest.mark.django_db
def test_a_second_delivery_is_refused_with_the_first(officer, second_officer, entitlement, head):
    first, _ = actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)

    with pytest.raises(actions.AlreadyDelivered) as refused:
        actions.deliver(actor=second_officer, entitlement=entitlement, collected_by="Vecina")

    assert refused.value.delivery == first
    hhmm = timezone.localtime(first.delivered_at).strftime("%H:%M")
    assert refused.value.messages == [f"Ya se entregó a las {hhmm}, por Rosa Pérez."]
    assert Delivery.objects.count() == 1
    assert AuditEvent.objects.filter(action="assistance.delivery.recorded").count() == 1


@pytest.mark.django_db
def test_the_same_key_from_the_same_officer_answers_the_first_delivery(
    officer, second_officer, entitlement, head
):
    first, _ = actions.deliver(
        actor=officer, entitlement=entitlement, collected_by=head, idempotency_key="k-1"
    )

    again, created = actions.deliver(
        actor=officer, entitlement=entitlement, collected_by=head, idempotency_key="k-1"
    )

    assert (again, created) == (first, False)
    with pytest.raises(actions.AlreadyDelivered):  # the key is the officer's, not anyone's
        actions.deliver(
            actor=second_officer, entitlement=entitlement, collected_by=head, idempotency_key="k-1"
        )
    assert Delivery.objects.count() == 1


@pytest.mark.django_db
def test_a_key_used_for_another_entitlement_is_refused(officer, cycle, head):
    first, second = cycle.entitlements.order_by("pk")
    actions.deliver(actor=officer, entitlement=first, collected_by=head, idempotency_key="k")

    with pytest.raises(ActionError) as refused:
        actions.deliver(actor=officer, entitlement=second, collected_by="Ana", idempotency_key="k")

    assert list(refused.value.errors) == ["idempotency_key"]
    assert Delivery.objects.count() == 1


@pytest.mark.django_db
def test_deliver_refuses_a_closed_cycle_a_day_outside_and_a_cancelled_entitlement(
    officer, cycle, entitlement, head
):
    cycle.state = Cycle.State.CLOSED
    cycle.save(update_fields=["state"])
    with pytest.raises(ActionError, match="no está abierto"):
        actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)

    cycle.state = Cycle.State.OPEN
    cycle.end_date = timezone.localdate() - datetime.timedelta(days=1)
    cycle.save(update_fields=["state", "end_date"])
    with pytest.raises(ActionError, match="se registran entre"):
        actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)

    cycle.end_date = timezone.localdate()
    cycle.save(update_fields=["end_date"])
    entitlement.state = Entitlement.State.CANCELLED
    entitlement.save(update_fields=["state"])
    with pytest.raises(ActionError, match="anulado"):
        actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)

    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_deliver_refuses_someone_of_another_household(officer, entitlement, registrar, office_a1):
    stranger = household(registrar, office_a1, given_names="Otra").members.get()

    with pytest.raises(ActionError) as refused:
        actions.deliver(actor=officer, entitlement=entitlement, collected_by=stranger)

    assert list(refused.value.errors) == ["collected_by"]


@pytest.mark.django_db
def test_a_registration_officer_cannot_deliver(registrar, entitlement, head):
    with pytest.raises(Http404):
        actions.deliver(actor=registrar, entitlement=entitlement, collected_by=head)

    assert not Delivery.objects.exists()
