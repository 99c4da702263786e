"""Cash through a provider: formats, payment lists, export, reconciliation, screens, API."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from amparo.assistance import actions
from amparo.assistance.models import Delivery, Entitlement, Payment
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from amparo.registry.actions import register_household
from amparo.registry.models import Document
from tests.assistance.test_api import api
from tests.factories import member

COLUMNS = [
    {"header": "Referencia", "source": "payment_reference"},
    {"header": "Hogar", "source": "household_reference"},
    {"header": "Beneficiario", "source": "payee_name"},
    {"header": "Tipo doc", "source": "payee_document_type"},
    {"header": "Documento", "source": "payee_document_number"},
    {"header": "Celular", "source": "payee_phone"},
    {"header": "Monto", "source": "amount"},
    {"header": "Moneda", "source": "currency"},
    {"header": "Ciclo", "source": "cycle_name"},
    {"header": "Producto", "source": "constant", "value": "=1+2"},
]
RECONCILIATION = {
    "reference": "Ref",
    "status": "Estado",
    "amount": "Valor",
    "date": "Fecha",
    "reason": "Motivo",
    "transaction_id": "Transaccion",
}


@pytest.fixture
def households(registrar, office_a1):
    return [
        register_household(actor=registrar, office=office_a1, members=[member()]),
        register_household(
            actor=registrar,
            office=office_a1,
            members=[member(given_names="Ana", phone="+593991112233", documents=[])],
        ),
        register_household(
            actor=registrar, office=office_a1, members=[member(given_names="Luz", documents=[])]
        ),
    ]


@pytest.fixture
def fmt(manager):
    return actions.create_payment_format(
        actor=manager,
        name="Banco Pichincha — ventanilla",
        columns=COLUMNS,
        delimiter=";",
        encoding="cp1252",
        reconciliation=RECONCILIATION,
    )


@pytest.fixture
def batch(manager, cycle, fmt):
    return actions.generate_payment_list(actor=manager, cycle=cycle, payment_format=fmt)


def payments_of(batch):
    return list(batch.payments.order_by("reference"))


def reconciliation_csv(rows, header=("Ref", "Estado", "Valor", "Fecha", "Motivo", "Transaccion")):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def reconcile(manager, cycle, fmt, rows, **kwargs):
    return actions.reconcile_payments(
        actor=manager,
        cycle=cycle,
        payment_format=fmt,
        data=reconciliation_csv(rows),
        filename="conciliacion.csv",
        **kwargs,
    )


def yesterday():
    return (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


# --- formats ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_format_without_reference_or_with_unknown_sources_is_refused(manager):
    with pytest.raises(ActionError) as refused:
        actions.create_payment_format(
            actor=manager,
            name="Malo",
            columns=[
                {"header": "Nombre", "source": "payee_name"},
                {"header": "nombre", "source": "password"},
                {"header": "", "source": "amount"},
            ],
            delimiter="|",
            status_values={"paid": ["ok"], "failed": ["OK"], "unclaimed": []},
        )

    errors = refused.value.errors
    assert set(errors) == {
        "columns",
        "columns.1.source",
        "columns.2.header",
        "delimiter",
        "status_values.failed",
        "status_values.unclaimed",
    }
    assert len(errors["columns"]) == 2  # the same header twice, and no payment reference


@pytest.mark.django_db
def test_a_format_is_created_changed_and_audited(manager, fmt):
    actions.update_payment_format(
        actor=manager,
        payment_format=fmt,
        name=fmt.name,
        columns=COLUMNS[:2],
        file_type="xlsx",
        delimiter=";",
        encoding="utf-8",
        reconciliation=RECONCILIATION,
        status_values=fmt.status_values,
    )

    fmt.refresh_from_db()
    assert [c["source"] for c in fmt.columns] == ["payment_reference", "household_reference"]
    assert fmt.delimiter == ","  # a workbook has none
    changed = AuditEvent.objects.get(action="assistance.payment_format.changed")
    assert changed.fields == ["columns", "delimiter", "encoding", "file_type"]
    assert AuditEvent.objects.filter(action="assistance.payment_format.created").count() == 1


# --- payment lists ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_list_has_one_payment_per_pending_entitlement_and_never_two_open(
    manager, cycle, fmt, batch
):
    payments = payments_of(batch)

    with pytest.raises(ActionError) as again:
        actions.generate_payment_list(actor=manager, cycle=cycle, payment_format=fmt)

    assert len(payments) == 3
    assert {p.entitlement_id for p in payments} == set(
        cycle.entitlements.values_list("pk", flat=True)
    )
    year = timezone.localdate().year
    assert [p.reference for p in payments] == [f"PAY-A1-{year}-00000{n}" for n in (1, 2, 3)]
    assert {(p.amount, p.currency, p.state) for p in payments} == {
        (Decimal("120.00"), "USD", "sent")
    }
    assert all(p.payee.is_head for p in payments)
    assert "already in a payment list" in again.value.messages[0] or again.value.messages
    event = AuditEvent.objects.get(action="assistance.payment_list.generated")
    assert event.details == {"payments": 3}


@pytest.mark.django_db
def test_a_distribution_point_cannot_hand_over_what_a_provider_pays(officer, batch, head):
    entitlement = payments_of(batch)[0].entitlement

    with pytest.raises(ActionError) as refused:
        actions.deliver(actor=officer, entitlement=entitlement, collected_by="Vecina")

    assert (
        "payment list" in refused.value.messages[0]
        or "lista de pagos" in (refused.value.messages[0])
    )
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_an_entitlement_delivered_by_hand_is_left_out_of_the_list(
    manager, officer, cycle, fmt, entitlement, head
):
    actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)

    batch = actions.generate_payment_list(actor=manager, cycle=cycle, payment_format=fmt)

    assert entitlement.pk not in {p.entitlement_id for p in payments_of(batch)}
    assert len(payments_of(batch)) == 2


@pytest.mark.django_db
def test_only_cash_cycles_are_paid_by_a_provider(manager, cycle, fmt):
    cycle.assistance_type = "food_kit"
    cycle.save(update_fields=["assistance_type"])

    with pytest.raises(ActionError):
        actions.generate_payment_list(actor=manager, cycle=cycle, payment_format=fmt)

    assert not Payment.objects.exists()


# --- export -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_csv_export_has_the_formats_columns_delimiter_and_encoding(manager, batch):
    exported = actions.export_payment_list(actor=manager, batch=batch)

    rows = list(csv.reader(io.StringIO(exported.content.decode("cp1252")), delimiter=";"))
    assert rows[0] == [c["header"] for c in COLUMNS]
    first = payments_of(batch)[0]
    assert rows[1] == [
        first.reference,
        first.entitlement.household.reference,
        "María José Pérez Gómez",
        str(Document.Type.NATIONAL_ID.label),
        "V-12.345.678",
        "+593991234567",
        "120.00",
        "USD",
        "Efectivo marzo",
        "'=1+2",  # neutralised: a spreadsheet shows it, never computes it
    ]
    assert rows[2][5] == "+593991112233"  # a plain number keeps its sign
    assert rows[2][4] == ""  # no document
    assert len(rows) == 4
    assert exported.filename.endswith(".csv")
    event = AuditEvent.objects.get(action="assistance.payment_list.exported")
    assert event.details == {"rows": 3}


@pytest.mark.django_db
def test_the_xlsx_export_reads_back_as_text_with_formulas_neutralised(
    manager, registrar, office_a1, cycle, fmt
):
    fmt.file_type = "xlsx"
    fmt.save(update_fields=["file_type"])
    batch = actions.generate_payment_list(actor=manager, cycle=cycle, payment_format=fmt)

    exported = actions.export_payment_list(actor=manager, batch=batch)

    sheet = load_workbook(io.BytesIO(exported.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [c["header"] for c in COLUMNS]
    assert rows[1][0] == payments_of(batch)[0].reference
    assert rows[1][6] == "120.00"
    assert rows[1][9] == "'=1+2"
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row if c.value)
    assert len(rows) == 4


# --- reconciliation ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_good_file_marks_paid_failed_unclaimed_and_delivers_the_paid_once(
    manager, cycle, fmt, batch
):
    paid, failed, unclaimed = payments_of(batch)
    rows = [
        [paid.reference, "PAGADO", "120,00", yesterday(), "", "TX-991"],
        [failed.reference, "rechazado", "0", "", "Cuenta inexistente", ""],
        [unclaimed.reference, "No cobrado", "", "", "No se presentó", ""],
    ]

    result = reconcile(manager, cycle, fmt, rows)

    assert result.as_dict() == {
        "rows": 3,
        "paid": 1,
        "failed": 1,
        "unclaimed": 1,
        "unchanged": 0,
        "dry_run": False,
    }
    for p in (paid, failed, unclaimed):
        p.refresh_from_db()
    assert (paid.state, paid.transaction_id, paid.paid_on.isoformat()) == (
        "paid",
        "TX-991",
        yesterday(),
    )
    assert (failed.state, failed.reason) == ("failed", "Cuenta inexistente")
    assert (unclaimed.state, unclaimed.reason) == ("unclaimed", "No se presentó")
    delivery = Delivery.objects.get()
    assert delivery.entitlement_id == paid.entitlement_id
    assert delivery.collected_by_id == paid.payee_id
    assert delivery.idempotency_key == f"payment:{paid.reference}"
    assert timezone.localdate(delivery.delivered_at).isoformat() == yesterday()
    assert Entitlement.objects.get(pk=paid.entitlement_id).state == "delivered"
    assert Entitlement.objects.get(pk=failed.entitlement_id).state == "pending"
    assert AuditEvent.objects.filter(action="assistance.payment.reconciled").count() == 3
    assert AuditEvent.objects.filter(action="assistance.delivery.recorded").count() == 1
    assert AuditEvent.objects.get(action="assistance.payments.reconciled").details["paid"] == 1


@pytest.mark.django_db
def test_the_providers_file_after_the_cycle_closed_delivers_the_absent_it_paid(
    manager, cycle, fmt, batch
):
    paid, failed, _ = payments_of(batch)
    actions.close_cycle(actor=manager, cycle=cycle)
    assert Entitlement.objects.get(pk=paid.entitlement_id).state == "absent"

    reconcile(manager, cycle, fmt, [[paid.reference, "pagado", "120.00", yesterday(), "", "T"]])

    assert Entitlement.objects.get(pk=paid.entitlement_id).state == "delivered"
    assert Entitlement.objects.get(pk=failed.entitlement_id).state == "absent"
    assert Delivery.objects.get().idempotency_key == f"payment:{paid.reference}"


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(manager, cycle, fmt, batch):
    paid, failed, _ = payments_of(batch)
    rows = [
        [paid.reference, "pagado", "120.00", yesterday(), "", "TX-1"],
        [failed.reference, "fallido", "", "", "Sin cuenta", ""],
    ]
    reconcile(manager, cycle, fmt, rows)
    events = AuditEvent.objects.count()

    again = reconcile(manager, cycle, fmt, rows)
    without_date = reconcile(manager, cycle, fmt, [[paid.reference, "pagado", "", "", "", ""]])

    assert (again.paid, again.failed, again.unchanged) == (0, 0, 2)
    assert (without_date.paid, without_date.unchanged) == (0, 1)
    assert Delivery.objects.count() == 1
    assert AuditEvent.objects.count() == events + 2  # only the files' own events
    assert Payment.objects.filter(state="sent").count() == 1


@pytest.mark.django_db
def test_every_bad_row_is_reported_and_nothing_is_written(manager, cycle, fmt, batch):
    first, second, third = payments_of(batch)
    reconcile(manager, cycle, fmt, [[third.reference, "fallido", "", "", "Sin cuenta", ""]])
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    rows = [
        [first.reference, "pagado", "120.00", yesterday(), "", ""],  # 2: good
        ["PAY-XX-2026-999999", "pagado", "", "", "", ""],  # 3: unknown reference
        [second.reference, "pagado", "100.00", "", "", ""],  # 4: amount differs
        [second.reference, "quizás", "", "", "", ""],  # 5: twice, and unknown status
        [third.reference, "pagado", "", "", "", ""],  # 6: already reconciled as failed
        [first.reference + "X", "", "", "", "", ""],  # 7: unknown and no status
        ["", "pagado", "", "", "", ""],  # 8: empty reference
    ]
    rows.append([second.reference + "", "pagado", "", "31/02/2026", "", ""])  # 9: twice, bad date
    rows.append([second.reference, "pagado", "", tomorrow, "", ""])  # 10: twice, future

    with pytest.raises(ActionError) as refused:
        reconcile(manager, cycle, fmt, rows)

    errors = refused.value.errors
    assert sorted(errors, key=lambda k: int(k.split(".")[1])) == [f"rows.{n}" for n in range(3, 11)]
    assert "no hay pago" in errors["rows.3"][0] or "PAY-XX-2026-999999" in errors["rows.3"][0]
    assert errors["rows.3"][0].startswith("Fila 3:")
    assert "100.00" in errors["rows.4"][0]
    assert len(errors["rows.5"]) == 2
    assert "quizás" in errors["rows.5"][1]
    assert "fallido" in errors["rows.6"][0]
    assert len(errors["rows.9"]) == 2 and "31/02/2026" in errors["rows.9"][1]
    assert tomorrow in errors["rows.10"][1]
    assert Payment.objects.filter(state="sent").count() == 2
    assert not Delivery.objects.exists()
    assert not AuditEvent.objects.filter(
        action="assistance.payment.reconciled", target_id=str(first.uuid)
    ).exists()


@pytest.mark.django_db
def test_a_dry_run_checks_and_writes_nothing(manager, cycle, fmt, batch):
    paid = payments_of(batch)[0]

    result = reconcile(
        manager, cycle, fmt, [[paid.reference, "pagado", "", "", "", ""]], dry_run=True
    )

    assert (result.paid, result.dry_run) == (1, True)
    assert Payment.objects.get(pk=paid.pk).state == "sent"
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_a_payment_of_another_cycle_is_an_unknown_reference(
    manager, project, office_a1, cycle, fmt, batch
):
    other = actions.open_cycle(
        actor=manager,
        project=project,
        office=office_a1,
        name="Efectivo abril",
        assistance_type="mpc",
        start_date=cycle.start_date,
        end_date=cycle.end_date,
        amount=Decimal("50"),
        currency="USD",
    )

    with pytest.raises(ActionError) as refused:
        reconcile(
            manager, other, fmt, [[payments_of(batch)[0].reference, "pagado", "", "", "", ""]]
        )

    assert list(refused.value.errors) == ["rows.2"]


@pytest.mark.django_db
def test_a_workbook_from_the_provider_is_read_too(manager, cycle, fmt, batch):
    paid = payments_of(batch)[0]
    book = Workbook()
    book.active.append(["Ref", "Estado", "Fecha"])
    book.active.append([paid.reference, "Pagado", datetime.date.fromisoformat(yesterday())])
    out = io.BytesIO()
    book.save(out)

    result = actions.reconcile_payments(
        actor=manager, cycle=cycle, payment_format=fmt, data=out.getvalue(), filename="c.xlsx"
    )

    assert result.paid == 1
    assert Payment.objects.get(pk=paid.pk).paid_on.isoformat() == yesterday()


@pytest.mark.django_db
def test_a_file_without_the_reference_column_is_refused(manager, cycle, fmt, batch):
    with pytest.raises(ActionError) as refused:
        actions.reconcile_payments(
            actor=manager,
            cycle=cycle,
            payment_format=fmt,
            data=reconciliation_csv([["x"]], header=("Estado",)),
            filename="c.csv",
        )

    assert "Ref" in refused.value.errors["file"][0]


# --- API --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_lists_payments_by_cycle_and_status(client, manager, cycle, fmt, batch):
    failed = payments_of(batch)[1]
    reconcile(manager, cycle, fmt, [[failed.reference, "fallido", "", "", "Sin cuenta", ""]])
    api(client, manager)

    every = client.get("/api/v1/payments/", {"cycle": str(cycle.uuid)})
    only = client.get("/api/v1/payments/", {"cycle": str(cycle.uuid), "status": "failed"})

    assert every.status_code == 200
    assert every.json()["count"] == 3
    assert [p["reference"] for p in only.json()["results"]] == [failed.reference]
    assert only.json()["results"][0]["reason"] == "Sin cuenta"
    assert only.json()["results"][0]["cycle"] == str(cycle.uuid)


@pytest.mark.django_db
def test_the_api_generates_exports_and_reconciles(client, manager, cycle, fmt):
    api(client, manager)

    made = client.post(
        "/api/v1/payment-lists/",
        {"cycle": str(cycle.uuid), "format": str(fmt.uuid)},
        content_type="application/json",
    )
    exported = client.get(f"/api/v1/payment-lists/{made.json()['id']}/export/")
    reference = Payment.objects.order_by("reference").first().reference
    bad = client.post(
        "/api/v1/payments/reconcile/",
        {
            "cycle": str(cycle.uuid),
            "format": str(fmt.uuid),
            "file": io.BytesIO(reconciliation_csv([["nope", "pagado", "", "", "", ""]])),
        },
    )
    good_file = io.BytesIO(reconciliation_csv([[reference, "pagado", "", "", "", ""]]))
    good_file.name = "c.csv"
    good = client.post(
        "/api/v1/payments/reconcile/",
        {"cycle": str(cycle.uuid), "format": str(fmt.uuid), "file": good_file},
    )

    assert made.status_code == 201
    assert made.json()["payments"]["total"] == 3
    assert exported.status_code == 200
    assert exported["Cache-Control"] == "no-store"
    assert exported["Content-Disposition"].startswith('attachment; filename="')
    assert exported.content.decode("cp1252").startswith("Referencia;Hogar;")
    assert bad.status_code == 400
    assert list(bad.json()) == ["rows.2"]
    assert good.status_code == 200
    assert good.json()["paid"] == 1
    assert Delivery.objects.count() == 1


@pytest.mark.django_db
def test_the_api_creates_a_format_and_refuses_a_bad_one(client, manager):
    api(client, manager)

    made = client.post(
        "/api/v1/payment-formats/",
        {"name": "Tigo Money", "file_type": "xlsx", "columns": COLUMNS[:3]},
        content_type="application/json",
    )
    bad = client.post(
        "/api/v1/payment-formats/",
        {"name": "Otro", "columns": [{"header": "Nombre", "source": "payee_name"}]},
        content_type="application/json",
    )

    assert made.status_code == 201
    assert made.json()["reconciliation"]["reference"] == "reference"
    assert bad.status_code == 400
    assert "columns" in bad.json()


@pytest.mark.django_db
def test_who_may_not_manage_gets_404_everywhere(
    client, officer, make_user, org_b, office_b1, cycle, fmt, batch
):
    outsider = make_user("me_officer", organization=org_b, username="mye.b")
    upload = reconciliation_csv([[payments_of(batch)[0].reference, "pagado", "", "", "", ""]])

    for user in (officer, outsider):
        api(client, user)
        listed = client.get("/api/v1/payments/", {"cycle": str(cycle.uuid)})
        exported = client.get(f"/api/v1/payment-lists/{batch.uuid}/export/")
        made = client.post(
            "/api/v1/payment-lists/",
            {"cycle": str(cycle.uuid), "format": str(fmt.uuid)},
            content_type="application/json",
        )
        reconciled = client.post(
            "/api/v1/payments/reconcile/",
            {"cycle": str(cycle.uuid), "format": str(fmt.uuid), "file": io.BytesIO(upload)},
        )
        client.force_login(user)
        page = client.get(reverse("assistance:payments", args=[cycle.uuid]))
        download = client.get(reverse("assistance:payment-list-download", args=[batch.uuid]))
        edit = client.get(reverse("assistance:payment-format-edit", args=[fmt.uuid]))

        if user is outsider:
            assert listed.json()["count"] == 0
        else:
            assert listed.status_code == 404
        statuses = [r.status_code for r in (exported, made, reconciled, page, download, edit)]
        assert statuses == [404] * 6
    assert Payment.objects.filter(state="sent").count() == 3
    assert Payment.objects.count() == 3
    assert not AuditEvent.objects.filter(action="assistance.payment_list.exported").exists()


# --- screens ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_payments_page_generates_downloads_and_reconciles_through_a_job(
    client, manager, cycle, fmt, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    page = reverse("assistance:payments", args=[cycle.uuid])

    generated = client.post(
        reverse("assistance:payments-generate", args=[cycle.uuid]), {"format": str(fmt.uuid)}
    )
    batch = Payment.objects.first().batch
    download = client.get(reverse("assistance:payment-list-download", args=[batch.uuid]))
    first, second, _ = payments_of(batch)
    upload = io.BytesIO(
        reconciliation_csv(
            [
                [first.reference, "pagado", "", "", "", ""],
                [second.reference, "rechazado", "", "", "Número equivocado", ""],
            ]
        )
    )
    upload.name = "conciliacion.csv"
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            reverse("assistance:payments-reconcile", args=[cycle.uuid]),
            {"format": str(fmt.uuid), "file": upload},
        )
    result = client.get(started["Location"])
    shown = client.get(page)

    assert generated.status_code == 302
    assert download["Cache-Control"] == "no-store"
    assert download.content.decode("cp1252").count("\r\n") == 4
    assert started.status_code == 302
    assert result.status_code == 200
    assert result.context["result"]["paid"] == 1
    assert shown.context["counts"] == {"sent": 1, "paid": 1, "failed": 1, "unclaimed": 0}
    assert "Número equivocado" in shown.content.decode()
    assert AuditEvent.objects.filter(action="assistance.payments.listed").count() == 2


@pytest.mark.django_db
def test_a_bad_file_on_the_page_lists_every_row_and_changes_nothing(
    client, manager, cycle, fmt, batch, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    upload = io.BytesIO(
        reconciliation_csv([["nope", "pagado", "", "", "", ""], ["x", "?", "", "", "", ""]])
    )
    upload.name = "conciliacion.csv"

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            reverse("assistance:payments-reconcile", args=[cycle.uuid]),
            {"format": str(fmt.uuid), "file": upload, "dry_run": ""},
        )
    result = client.get(started["Location"])

    assert len(result.context["errors"]) == 3
    assert result.context["errors"][0].startswith("Fila 2:")
    assert "Archivo rechazado" in result.content.decode()
    assert Payment.objects.filter(state="sent").count() == 3


@pytest.mark.django_db
def test_a_format_is_created_on_its_page(client, manager):
    client.force_login(manager)
    data = {
        "name": "Banco Guayaquil",
        "file_type": "csv",
        "delimiter": ";",
        "encoding": "utf-8",
        "col_0_header": "Referencia",
        "col_0_source": "payment_reference",
        "col_1_header": "Monto",
        "col_1_source": "amount",
        "rec_reference": "Ref",
        "rec_status": "Estado",
        "status_paid": "pagado, ok",
        "status_failed": "fallido",
        "status_unclaimed": "no cobrado",
    }

    made = client.post(reverse("assistance:payment-format-new"), data)
    bad = client.post(reverse("assistance:payment-format-new"), {**data, "col_0_source": "amount"})
    listed = client.get(reverse("assistance:payment-formats"))

    assert made.status_code == 302
    assert bad.status_code == 400
    assert "Banco Guayaquil" in listed.content.decode()
    fmt = listed.context["formats"][0]
    assert fmt.status_values["paid"] == ["pagado", "ok"]
    assert fmt.reconciliation == {"reference": "Ref", "status": "Estado"}
