import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amparo.assistance import actions
from amparo.assistance.models import StockBalance, StockMovement
from tests.factories import api_token

MOVEMENTS = "/api/v1/stock-movements/"


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


def post(client, body):
    return client.post(MOVEMENTS, body, content_type="application/json")


@pytest.mark.django_db
def test_warehouses_and_balances_are_listed(client, manager, stocked, other_warehouse, kit_type):
    api(client, manager)

    warehouses = client.get("/api/v1/warehouses/").json()
    stock = client.get("/api/v1/stock/", {"warehouse": str(stocked.uuid)}).json()

    assert [w["name"] for w in warehouses["results"]] == ["Bodega central", "Bodega norte"]
    assert warehouses["results"][0]["balances"] == [
        {"kit_type": str(kit_type.uuid), "kit_type_name": kit_type.name, "quantity": 10}
    ]
    assert stock["results"] == [
        {
            "warehouse": str(stocked.uuid),
            "warehouse_name": "Bodega central",
            "kit_type": str(kit_type.uuid),
            "kit_type_name": kit_type.name,
            "quantity": 10,
        }
    ]


@pytest.mark.django_db
def test_a_receipt_is_recorded_with_its_waybill(client, manager, warehouse, kit_type):
    answer = post(
        api(client, manager),
        {
            "kind": "receipt",
            "warehouse": str(warehouse.uuid),
            "kit_type": str(kit_type.uuid),
            "quantity": 40,
            "reference": "WB-2026-118",
        },
    )

    assert answer.status_code == 201
    body = answer.json()
    assert (body["kind"], body["change"], body["balance_after"]) == ("receipt", 40, 40)
    assert body["reference"] == "WB-2026-118"
    assert body["recorded_by"] == str(manager.uuid)


@pytest.mark.django_db
def test_a_transfer_answers_the_movement_out(client, manager, stocked, other_warehouse, kit_type):
    answer = post(
        api(client, manager),
        {
            "kind": "transfer",
            "warehouse": str(stocked.uuid),
            "to_warehouse": str(other_warehouse.uuid),
            "kit_type": str(kit_type.uuid),
            "quantity": 4,
        },
    )

    assert answer.status_code == 201
    assert (answer.json()["change"], answer.json()["counterpart"]) == (
        -4,
        str(other_warehouse.uuid),
    )
    assert StockBalance.objects.get(warehouse=other_warehouse).quantity == 4


@pytest.mark.django_db
def test_taking_out_more_than_the_balance_answers_409(client, manager, stocked, kit_type):
    answer = post(
        api(client, manager),
        {
            "kind": "loss",
            "warehouse": str(stocked.uuid),
            "kit_type": str(kit_type.uuid),
            "quantity": 11,
            "reason": "Inundación",
        },
    )

    assert answer.status_code == 409
    assert answer.json() == {
        "detail": "Solo hay 10 en existencia: no se pueden sacar 11.",
        "available": 10,
    }
    assert StockMovement.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"kind", "warehouse", "kit_type", "quantity"}),
        ({"kind": "theft", "quantity": "many"}, {"kind", "warehouse", "kit_type", "quantity"}),
        ({"kind": "loss", "quantity": 2}, {"reason"}),
        ({"kind": "loss", "quantity": -2, "reason": "x"}, {"quantity"}),
        ({"kind": "transfer", "quantity": 2}, {"to_warehouse"}),
        ({"kind": "adjustment", "quantity": 10, "reason": "Conteo"}, {"quantity"}),
    ],
)
def test_a_bad_body_answers_400_and_changes_nothing(
    client, manager, stocked, kit_type, body, fields
):
    if "kind" in body and body["kind"] != "theft":
        body = {"warehouse": str(stocked.uuid), "kit_type": str(kit_type.uuid), **body}

    answer = post(api(client, manager), body)

    assert answer.status_code == 400
    assert set(answer.json()) == fields
    assert StockMovement.objects.count() == 1
    assert StockBalance.objects.get().quantity == 10


@pytest.mark.django_db
def test_a_warehouse_of_another_office_is_refused_to_an_office_bound_manager(
    client, office_manager, stocked, other_warehouse, kit_type
):
    api(client, office_manager)
    body = {"kind": "receipt", "kit_type": str(kit_type.uuid), "quantity": 1}

    mine = post(client, {**body, "warehouse": str(stocked.uuid)})
    theirs = post(client, {**body, "warehouse": str(other_warehouse.uuid)})
    listed = client.get("/api/v1/warehouses/").json()

    assert (mine.status_code, theirs.status_code) == (201, 400)
    assert list(theirs.json()) == ["warehouse"]
    assert [w["name"] for w in listed["results"]] == ["Bodega central"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["distribution_officer", "registration_officer", "other_org"])
def test_others_get_404_and_change_nothing(
    client, make_user, office_a1, org_b, stocked, kit_type, who
):
    user = (
        make_user("me_officer", organization=org_b)
        if who == "other_org"
        else make_user(who, office=office_a1)
    )
    api(client, user)

    answers = [
        client.get("/api/v1/warehouses/"),
        client.get(f"/api/v1/warehouses/{stocked.uuid}/"),
        client.get("/api/v1/stock/"),
        client.get(MOVEMENTS),
        post(
            client,
            {
                "kind": "receipt",
                "warehouse": str(stocked.uuid),
                "kit_type": str(kit_type.uuid),
                "quantity": 5,
            },
        ),
    ]

    if who == "other_org":  # a manager elsewhere: an empty list, someone else's warehouse 404
        assert [a.status_code for a in answers] == [200, 404, 200, 200, 400]
        assert answers[0].json()["count"] == answers[2].json()["count"] == 0
    else:
        assert [a.status_code for a in answers] == [404] * 5
    assert StockBalance.objects.get().quantity == 10


@pytest.mark.django_db
def test_the_ledger_costs_the_same_queries_for_one_and_many(
    client, manager, stocked, other_warehouse, kit_type
):
    api(client, manager)
    with CaptureQueriesContext(connection) as one:
        client.get(MOVEMENTS)
        client.get("/api/v1/warehouses/")
    for _ in range(3):
        actions.transfer_stock(
            actor=manager,
            warehouse=stocked,
            to_warehouse=other_warehouse,
            kit_type=kit_type,
            quantity=1,
        )

    with CaptureQueriesContext(connection) as many:
        answer = client.get(MOVEMENTS)
        client.get("/api/v1/warehouses/")

    assert answer.json()["count"] == 7
    assert len(many) == len(one)


@pytest.mark.django_db
def test_the_schema_documents_the_stock_endpoints(client, manager):
    schema = api(client, manager).get("/api/schema/", {"format": "json"}).json()

    assert {"/api/v1/warehouses/", "/api/v1/stock/", MOVEMENTS} <= set(schema["paths"])
    assert set(schema["paths"][MOVEMENTS]["post"]["responses"]) >= {"201", "409"}
