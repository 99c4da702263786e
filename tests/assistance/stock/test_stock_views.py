import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amparo.assistance import actions
from amparo.assistance.models import KitType, StockBalance, StockMovement, Warehouse
from amparo.core.models import AuditEvent


def movement_url(warehouse, kind):
    return reverse("assistance:stock-movement", args=[warehouse.uuid, kind])


@pytest.mark.django_db
def test_the_menu_leads_a_manager_to_the_warehouses_and_their_balances(
    client, manager, stocked, kit_type
):
    client.force_login(manager)

    home = client.get(reverse("home")).content.decode()
    page = client.get(reverse("assistance:warehouses"))

    assert reverse("assistance:warehouses") in home
    assert page.status_code == 200
    text = page.content.decode()
    assert "Bodega central" in text
    assert "Kit de alimentos familiar: <strong>10</strong>" in text


@pytest.mark.django_db
def test_a_manager_adds_a_warehouse_and_a_taken_name_is_explained(client, manager, office_a1):
    client.force_login(manager)
    body = {"office": str(office_a1.uuid), "name": "Bodega sur"}

    created = client.post(reverse("assistance:warehouses"), body)
    again = client.post(reverse("assistance:warehouses"), body)

    warehouse = Warehouse.objects.get()
    assert created["Location"] == reverse("assistance:warehouse", args=[warehouse.uuid])
    assert again.status_code == 400
    assert "Esta oficina ya tiene una bodega con este nombre." in again.content.decode()


@pytest.mark.django_db
def test_a_receipt_from_the_page_shows_in_the_ledger(client, manager, warehouse, kit_type):
    client.force_login(manager)

    done = client.post(
        movement_url(warehouse, "receipt"),
        {"kit_type": str(kit_type.uuid), "quantity": "12", "reference": "WB-9"},
        follow=True,
    )

    assert done.status_code == 200
    assert [m.change for m in done.context["page"]] == [12]
    text = done.content.decode()
    assert "Movimiento de existencias registrado." in text
    assert "WB-9" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "body", "message"),
    [
        ("receipt", {"quantity": "-5"}, "La cantidad debe ser mayor que cero."),
        ("loss", {"quantity": "2", "reason": ""}, "Indique por qué se perdieron o dañaron"),
        ("loss", {"quantity": "11", "reason": "Lluvia"}, "Solo hay 10 en existencia"),
        ("transfer", {"quantity": "11"}, "Solo hay 10 en existencia"),
        ("count", {"quantity": "7", "reason": " "}, "Indique por qué el conteo difiere"),
        ("count", {"quantity": "diez", "reason": "Conteo"}, "Ingrese un número entero."),
    ],
)
def test_a_bad_movement_is_explained_and_nothing_is_written(
    client, manager, stocked, other_warehouse, kit_type, kind, body, message
):
    client.force_login(manager)
    body = {"kit_type": str(kit_type.uuid), "to_warehouse": str(other_warehouse.uuid), **body}

    answer = client.post(movement_url(stocked, kind), body)

    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert StockMovement.objects.count() == 1
    assert StockBalance.objects.get(warehouse=stocked).quantity == 10


@pytest.mark.django_db
def test_a_count_and_a_transfer_from_the_page(client, manager, stocked, other_warehouse, kit_type):
    client.force_login(manager)

    client.post(
        movement_url(stocked, "count"),
        {"kit_type": str(kit_type.uuid), "quantity": "9", "reason": "Conteo de fin de mes"},
    )
    client.post(
        movement_url(stocked, "transfer"),
        {
            "kit_type": str(kit_type.uuid),
            "quantity": "4",
            "to_warehouse": str(other_warehouse.uuid),
        },
    )

    balances = dict(StockBalance.objects.values_list("warehouse__name", "quantity"))
    assert balances == {"Bodega central": 5, "Bodega norte": 4}
    assert AuditEvent.objects.filter(action="assistance.stock.adjusted").count() == 1


@pytest.mark.django_db
def test_a_kit_type_is_created_with_its_contents(client, manager):
    client.force_login(manager)
    body = {
        "name": "Kit de higiene",
        "assistance_type": "hygiene_kit",
        "item_0": "Jabón",
        "quantity_0": "4",
        "unit_0": "unidades",
        "item_1": "Pasta dental",
        "quantity_1": "2",
    }

    done = client.post(reverse("assistance:new-kit-type"), body, follow=True)

    kit_type = KitType.objects.get()
    assert done.request["PATH_INFO"] == reverse("assistance:kit-type", args=[kit_type.uuid])
    assert [str(item) for item in kit_type.items.all()] == ["Jabón 4 unidades", "Pasta dental 2"]
    assert "Pasta dental" in done.content.decode()


@pytest.mark.django_db
def test_a_kit_line_without_a_quantity_is_explained_next_to_it(client, manager):
    client.force_login(manager)

    answer = client.post(
        reverse("assistance:new-kit-type"),
        {"name": "Kit NFI", "assistance_type": "nfi_kit", "item_0": "Cobija", "item_2": "Colchón"},
    )

    assert answer.status_code == 400
    assert answer.context["form"].errors == {
        "item_0": ["La cantidad debe ser mayor que cero."],
        "item_2": ["La cantidad debe ser mayor que cero."],
    }
    assert not KitType.objects.exists()


@pytest.mark.django_db
def test_the_shortfall_of_a_cycle_opened_anyway_shows_on_the_warehouse(
    client, manager, open_kit_cycle, stocked, kit_type
):
    open_kit_cycle(amount=6, warehouse=stocked, kit_type=kit_type, stock_override_reason="Camión")
    client.force_login(manager)

    text = client.get(reverse("assistance:warehouse", args=[stocked.uuid])).content.decode()

    assert "12 necesarios, 10 despachados, 0 entregados, 0 devueltos" in text
    assert "Abierto con 2 kits de menos." in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["distribution_officer", "registration_officer", "other_org", "other_office"]
)
def test_others_get_404_and_change_nothing(
    client, make_user, office_a1, office_a2, org_b, org_a, stocked, kit_type, who
):
    from amparo.core.models import Role
    from tests import factories

    if who == "other_org":
        user = make_user("me_officer", organization=org_b)
    elif who == "other_office":
        role = Role.objects.create(
            organization=org_a,
            code="bodega-a2",
            name="Bodega A2",
            permissions=["assistance.manage"],
        )
        user = factories.UserFactory(organization=org_a, office=office_a2, role=role)
    else:
        user = make_user(who, office=office_a1)
    client.force_login(user)

    answers = [
        client.get(reverse("assistance:warehouse", args=[stocked.uuid])),
        client.get(movement_url(stocked, "loss")),
        client.post(
            movement_url(stocked, "loss"),
            {"kit_type": str(kit_type.uuid), "quantity": "3", "reason": "Robo"},
        ),
        client.get(reverse("assistance:kit-type", args=[kit_type.uuid])),
    ]

    expected = [404, 404, 404, 200] if who == "other_office" else [404] * 4
    assert [a.status_code for a in answers] == expected
    if who not in ("other_org", "other_office"):
        assert client.get(reverse("assistance:warehouses")).status_code == 404
    assert StockBalance.objects.get().quantity == 10


@pytest.mark.django_db
def test_the_warehouse_page_costs_the_same_queries_for_one_and_many(
    client, manager, stocked, other_warehouse, kit_type, open_kit_cycle
):
    open_kit_cycle(warehouse=stocked, kit_type=kit_type)
    client.force_login(manager)
    url = reverse("assistance:warehouse", args=[stocked.uuid])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        actions.transfer_stock(
            actor=manager,
            warehouse=stocked,
            to_warehouse=other_warehouse,
            kit_type=kit_type,
            quantity=1,
        )
    open_kit_cycle(warehouse=stocked, kit_type=kit_type)

    with CaptureQueriesContext(connection) as many:
        answer = client.get(url)

    assert len(answer.context["page"]) == 6
    assert len(answer.context["cycles"]) == 2
    assert len(many) == len(one)
