"""A warehouse at HIAS Ecuador's Quito office with food and hygiene kits, so that the stock
screens show something. Through the stock actions, as HIAS's M&E officer, so the rules and the
audit trail apply. Idempotent: once the warehouse exists, nothing is added. The demo cash cycle
(`demo/assistance.py`) is left as it is."""

from decimal import Decimal

from django.db import transaction

from amparo.assistance import actions
from amparo.assistance.models import Warehouse
from amparo.core.models import Office, User

ORGANIZATION = "hias-ec"
OFFICE = "quito"
MANAGER = "mye.hias"
WAREHOUSE = "Bodega La Tola"

KITS = [
    (
        "Kit de alimentos familiar",
        "food_kit",
        [
            ("Arroz", "5", "kg"),
            ("Lenteja", "2", "kg"),
            ("Aceite vegetal", "1", "l"),
            ("Atún en lata", "4", "latas"),
            ("Azúcar", "2", "kg"),
        ],
        800,
        "GR-PMA-2026-0412",
    ),
    (
        "Kit de higiene familiar",
        "hygiene_kit",
        [
            ("Jabón de tocador", "4", "unidades"),
            ("Pasta dental", "2", "tubos"),
            ("Toallas sanitarias", "2", "paquetes"),
            ("Papel higiénico", "4", "rollos"),
        ],
        300,
        "GR-UNICEF-2026-0077",
    ),
]


@transaction.atomic
def load() -> dict[str, int]:
    """Create the Quito warehouse, two kit types and their stock; return how many kits."""
    office = Office.objects.filter(organization__code=ORGANIZATION, code=OFFICE).first()
    manager = User.objects.filter(username=MANAGER).first()
    if office is None or manager is None:
        return {"kits": 0}
    if Warehouse.objects.filter(office=office, name=WAREHOUSE).exists():
        return {"kits": 0}
    warehouse = actions.create_warehouse(actor=manager, office=office, name=WAREHOUSE)
    kits = 0
    for name, kind, items, quantity, waybill in KITS:
        kit_type = actions.create_kit_type(
            actor=manager,
            name=name,
            assistance_type=kind,
            items=[(item, Decimal(amount), unit) for item, amount, unit in items],
        )
        actions.receive_stock(
            actor=manager,
            warehouse=warehouse,
            kit_type=kit_type,
            quantity=quantity,
            reference=waybill,
        )
        kits += quantity
        if kind == "hygiene_kit":
            actions.record_loss(
                actor=manager,
                warehouse=warehouse,
                kit_type=kit_type,
                quantity=6,
                reason="Cajas dañadas por humedad en la bodega",
            )
            kits -= 6
    return {"kits": kits}
