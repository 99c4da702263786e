"""Cash through a bank or mobile-money provider: payment list formats, payment lists (one
`Payment` per pending entitlement), their export, and the provider's reconciliation file.

Reconciliation is all or nothing: every row is checked first and every bad row reported with
its number; if any is bad nothing is written (the office fixes the file or asks the provider,
then imports it again). Half-applied files are what makes "was this one paid?" unanswerable.
A row that says again what is already recorded changes nothing, so importing the same file
twice is harmless. A paid payment is delivered through `deliver` (idempotency key
`payment:<reference>`), so a payment is a service given exactly once, like a hand-over.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from amparo.assistance.actions.delivery import deliver
from amparo.assistance.models import (
    CASH_TYPES,
    Cycle,
    Entitlement,
    Payment,
    PaymentBatch,
    PaymentListFormat,
)
from amparo.core import access, audit, references, tabular
from amparo.core.errors import ActionError, Errors
from amparo.core.models import User
from amparo.registry.models import Document, Individual

__all__ = [
    "DEFAULT_RECONCILIATION",
    "DEFAULT_STATUS_VALUES",
    "RECONCILIATION_FIELDS",
    "PaymentFile",
    "ReconciliationResult",
    "check_format",
    "create_payment_format",
    "export_payment_list",
    "generate_payment_list",
    "reconcile_payments",
    "update_payment_format",
]

MANAGE = "assistance.manage"
Source = PaymentListFormat.Source
MAX_COLUMNS = 30
# The fields a reconciliation row may carry; `reference` and `status` are required.
RECONCILIATION_FIELDS = ("reference", "status", "amount", "date", "reason", "transaction_id")
DEFAULT_RECONCILIATION = {
    "reference": "reference",
    "status": "status",
    "amount": "amount",
    "date": "date",
    "reason": "reason",
    "transaction_id": "transaction_id",
}
OUTCOMES = (Payment.State.PAID, Payment.State.FAILED, Payment.State.UNCLAIMED)
DEFAULT_STATUS_VALUES = {
    "paid": ["paid", "pagado"],
    "failed": ["failed", "fallido", "rechazado"],
    "unclaimed": ["unclaimed", "no cobrado"],
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d")


def _key(text: str) -> str:
    return " ".join(str(text).split()).casefold()


# --- formats ----------------------------------------------------------------------------------


def check_format(
    *,
    name: str,
    file_type: str,
    delimiter: str,
    encoding: str,
    columns: list[dict],
    reconciliation: dict,
    status_values: dict,
) -> dict:
    """The format's fields, cleaned; ActionError naming every problem."""
    errors = Errors()
    if not name.strip():
        errors.add("name", _("Give the format a name."))
    if file_type not in PaymentListFormat.FileType.values:
        errors.add("file_type", _("Choose CSV or XLSX."))
    if file_type == PaymentListFormat.FileType.CSV and delimiter not in tabular.DELIMITERS:
        errors.add("delimiter", _("Choose a comma, a semicolon or a tab."))
    if encoding not in PaymentListFormat.Encoding.values:
        errors.add("encoding", _("Choose an encoding."))
    clean_columns = []
    if not columns:
        errors.add("columns", _("Add at least one column."))
    if len(columns) > MAX_COLUMNS:
        errors.add("columns", _("At most %(n)d columns.") % {"n": MAX_COLUMNS})
    for index, column in enumerate(columns[:MAX_COLUMNS]):
        header = str(column.get("header", "")).strip()[:80]
        source = str(column.get("source", ""))
        value = str(column.get("value", "")).strip()[:80]
        if not header:
            errors.add(f"columns.{index}.header", _("Give the column a header."))
        if source not in Source.values:
            errors.add(f"columns.{index}.source", _("Choose what the column holds."))
        column_out = {"header": header, "source": source}
        if source == Source.CONSTANT:
            column_out["value"] = value
        clean_columns.append(column_out)
    headers = [_key(c["header"]) for c in clean_columns if c["header"]]
    if len(headers) != len(set(headers)):
        errors.add("columns", _("Two columns have the same header."))
    if clean_columns and Source.PAYMENT_REFERENCE not in {c["source"] for c in clean_columns}:
        errors.add(
            "columns",
            _("Include the payment reference: the provider's file names payments by it."),
        )
    clean_reconciliation = {}
    for name_ in RECONCILIATION_FIELDS:
        header = str(reconciliation.get(name_, "") or "").strip()[:80]
        if header:
            clean_reconciliation[name_] = header
        elif name_ in ("reference", "status"):
            errors.add(f"reconciliation.{name_}", _("Name the provider's column for this."))
    clean_status: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for outcome in OUTCOMES:
        words = status_values.get(outcome.value, [])
        if isinstance(words, str):
            words = words.split(",")
        words = [w.strip()[:40] for w in words if str(w).strip()]
        if not words:
            errors.add(f"status_values.{outcome.value}", _("Give at least one word."))
        for word in words:
            if seen.setdefault(_key(word), outcome.value) != outcome.value:
                errors.add(
                    f"status_values.{outcome.value}",
                    _("“%(word)s” already means another outcome.") % {"word": word},
                )
        clean_status[outcome.value] = words
    errors.raise_if_any()
    return {
        "name": name.strip()[:120],
        "file_type": file_type,
        "delimiter": delimiter if file_type == PaymentListFormat.FileType.CSV else ",",
        "encoding": encoding,
        "columns": clean_columns,
        "reconciliation": clean_reconciliation,
        "status_values": clean_status,
    }


@transaction.atomic
def create_payment_format(
    *,
    actor: User,
    name: str,
    columns: list[dict],
    file_type: str = PaymentListFormat.FileType.CSV,
    delimiter: str = ",",
    encoding: str = PaymentListFormat.Encoding.UTF8,
    reconciliation: dict | None = None,
    status_values: dict | None = None,
    request=None,
) -> PaymentListFormat:
    """A payment list format of the actor's organization (see `check_format`).

    Requires `assistance.manage`. Side effects: audit `assistance.payment_format.created`.
    """
    access.require(actor, MANAGE)
    if actor.organization_id is None:
        raise Http404
    values = check_format(
        name=name,
        file_type=file_type,
        delimiter=delimiter,
        encoding=encoding,
        columns=columns,
        reconciliation=DEFAULT_RECONCILIATION if reconciliation is None else reconciliation,
        status_values=DEFAULT_STATUS_VALUES if status_values is None else status_values,
    )
    taken = PaymentListFormat.objects.filter(organization_id=actor.organization_id)
    if taken.filter(name=values["name"]).exists():
        raise ActionError.on("name", _("Another format already has this name."))
    fmt = PaymentListFormat.objects.create(organization_id=actor.organization_id, **values)
    audit.record(
        actor=actor, action="assistance.payment_format.created", target=fmt, request=request
    )
    return fmt


@transaction.atomic
def update_payment_format(
    *,
    actor: User,
    payment_format: PaymentListFormat,
    name: str,
    columns: list[dict],
    file_type: str,
    delimiter: str,
    encoding: str,
    reconciliation: dict,
    status_values: dict,
    request=None,
) -> PaymentListFormat:
    """Change a format (the caller fetched it through `queries_payments`); lists already
    generated are exported with the format as it is now.

    Requires `assistance.manage`. Side effects: audit `assistance.payment_format.changed`
    with the changed fields.
    """
    access.require(actor, MANAGE)
    values = check_format(
        name=name,
        file_type=file_type,
        delimiter=delimiter,
        encoding=encoding,
        columns=columns,
        reconciliation=reconciliation,
        status_values=status_values,
    )
    others = PaymentListFormat.objects.filter(organization_id=payment_format.organization_id)
    if others.filter(name=values["name"]).exclude(pk=payment_format.pk).exists():
        raise ActionError.on("name", _("Another format already has this name."))
    changed = [k for k, v in values.items() if getattr(payment_format, k) != v]
    for k in changed:
        setattr(payment_format, k, values[k])
    if changed:
        payment_format.save(update_fields=[*changed, "updated_at"])
        audit.record(
            actor=actor,
            action="assistance.payment_format.changed",
            target=payment_format,
            fields=changed,
            request=request,
        )
    return payment_format


# --- payment lists ----------------------------------------------------------------------------


@transaction.atomic
def generate_payment_list(
    *, actor: User, cycle: Cycle, payment_format: PaymentListFormat, request=None
) -> PaymentBatch:
    """A payment list of `cycle`: one `Payment` (sent, with a new reference
    `PAY-OFF-YYYY-000001`) for each pending entitlement that has no sent or paid payment yet;
    the payee is the household's head.

    Requires `assistance.manage`, a cash cycle and a format of the cycle's organization (the
    caller fetched both through the queries). The entitlements are locked, so a delivery at a
    distribution point at the same moment either comes first (and the entitlement is left
    out) or is refused (`deliver` refuses an entitlement with a sent payment). Side effects:
    audit `assistance.payment_list.generated` with the number of payments.
    """
    access.require(actor, MANAGE)
    if cycle.assistance_type not in CASH_TYPES:
        raise ActionError.general(_("Only cash cycles are paid through a provider."))
    if payment_format.organization_id != cycle.organization_id:
        raise ActionError.on("format", _("Choose one of your organization's formats."))
    open_payments = Payment.objects.filter(state__in=[Payment.State.SENT, Payment.State.PAID])
    entitlements = list(
        Entitlement.objects.select_for_update()
        .filter(cycle=cycle, state=Entitlement.State.PENDING)
        .exclude(pk__in=open_payments.values("entitlement_id"))
        .order_by("pk")
    )
    if not entitlements:
        raise ActionError.general(
            _("Every pending entitlement of this cycle is already in a payment list.")
        )
    heads = dict(
        Individual.objects.filter(
            household_id__in=[e.household_id for e in entitlements], is_head=True
        ).values_list("household_id", "pk")
    )
    batch = PaymentBatch.objects.create(
        organization_id=cycle.organization_id,
        office_id=cycle.office_id,
        cycle=cycle,
        format=payment_format,
        created_by=actor,
    )
    codes = references.office_year(
        organization_id=cycle.organization_id,
        lead="PAY",
        office_code=cycle.office.code,
        year=timezone.localdate().year,
        digits=6,
        count=len(entitlements),
    )
    Payment.objects.bulk_create(
        Payment(
            organization_id=cycle.organization_id,
            office_id=cycle.office_id,
            batch=batch,
            entitlement=entitlement,
            payee_id=heads.get(entitlement.household_id),
            reference=code,
            amount=entitlement.amount,
            currency=cycle.currency,
        )
        for entitlement, code in zip(entitlements, codes, strict=True)
    )
    audit.record(
        actor=actor,
        action="assistance.payment_list.generated",
        target=batch,
        request=request,
        details={"payments": len(entitlements)},
    )
    return batch


@dataclass(frozen=True)
class PaymentFile:
    content: bytes
    content_type: str
    filename: str
    rows: int


def export_payment_list(*, actor: User, batch: PaymentBatch, request=None) -> PaymentFile:
    """The list's file in its format's layout: the provider's columns, one row per payment
    still sent (paid, failed and unclaimed ones are not sent again). Personal data: every cell
    is neutralised against spreadsheet formulas (`tabular.safe_cell`).

    Requires `assistance.manage` and a list the actor may see. Side effects: audit
    `assistance.payment_list.exported` with the number of rows.
    """
    access.require(actor, MANAGE)
    fmt = batch.format
    payments = (
        batch.payments.filter(state=Payment.State.SENT)
        .select_related("entitlement__household", "payee")
        .order_by("reference")
    )
    documents: dict[int, Document] = {}
    for document in Document.objects.filter(
        individual_id__in=[p.payee_id for p in payments if p.payee_id]
    ).order_by("individual_id", "-id"):
        documents[document.individual_id] = document  # the first registered wins
    headers = [c["header"] for c in fmt.columns]
    rows = [
        [tabular.safe_cell(_cell(column, payment, batch, documents)) for column in fmt.columns]
        for payment in payments
    ]
    stem = f"{batch.cycle.name}-{timezone.localdate():%Y%m%d}".replace(" ", "_")
    stem = "".join(ch for ch in stem if ch.isalnum() or ch in "-_")[:60] or "payments"
    if fmt.file_type == PaymentListFormat.FileType.XLSX:
        book = Workbook()
        sheet = book.active
        sheet.append([tabular.safe_cell(h) for h in headers])
        for row in rows:
            sheet.append(row)
        for row_cells in sheet.iter_rows():
            for cell in row_cells:
                cell.data_type = "s"  # text, always: leading zeros kept, nothing evaluated
        out = io.BytesIO()
        book.save(out)
        result = PaymentFile(
            out.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{stem}.xlsx",
            len(rows),
        )
    else:
        text = io.StringIO()
        writer = csv.writer(text, delimiter=fmt.delimiter, lineterminator="\r\n")
        writer.writerow([tabular.safe_cell(h) for h in headers])
        writer.writerows(rows)
        result = PaymentFile(
            text.getvalue().encode(fmt.encoding, errors="replace"),
            f"text/csv; charset={fmt.encoding}",
            f"{stem}.csv",
            len(rows),
        )
    audit.record(
        actor=actor,
        action="assistance.payment_list.exported",
        target=batch,
        request=request,
        details={"rows": result.rows},
    )
    return result


def _cell(column: dict, payment: Payment, batch: PaymentBatch, documents: dict) -> str:
    source = column["source"]
    payee = payment.payee
    document = documents.get(payment.payee_id)
    if source == Source.PAYMENT_REFERENCE:
        return payment.reference
    if source == Source.HOUSEHOLD_REFERENCE:
        return payment.entitlement.household.reference
    if source == Source.PAYEE_NAME:
        return payee.full_name if payee else ""
    if source == Source.PAYEE_DOCUMENT_TYPE:
        return document.get_type_display() if document else ""
    if source == Source.PAYEE_DOCUMENT_NUMBER:
        return document.number if document else ""
    if source == Source.PAYEE_PHONE:
        return (payee.phone if payee else "") or payment.entitlement.household.phone
    if source == Source.AMOUNT:
        return f"{payment.amount:.2f}"
    if source == Source.CURRENCY:
        return payment.currency
    if source == Source.CYCLE_NAME:
        return batch.cycle.name
    return column.get("value", "")


# --- reconciliation ---------------------------------------------------------------------------


@dataclass
class ReconciliationResult:
    rows: int = 0
    paid: int = 0
    failed: int = 0
    unclaimed: int = 0
    unchanged: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "paid": self.paid,
            "failed": self.failed,
            "unclaimed": self.unclaimed,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
        }


@dataclass
class _Line:
    number: int
    payment: Payment
    state: str
    paid_on: datetime.date | None
    reason: str
    transaction_id: str
    changes: bool = field(default=True)


def reconcile_payments(
    *,
    actor: User,
    cycle: Cycle,
    payment_format: PaymentListFormat,
    data: bytes,
    filename: str = "",
    dry_run: bool = False,
    limits: tabular.Limits | None = None,
    request=None,
) -> ReconciliationResult:
    """Read the provider's reconciliation file of `cycle` (columns named by
    `payment_format.reconciliation`) and mark its payments paid, failed or unclaimed.

    Every row is checked before anything is written; any bad row (unknown reference, amount
    that differs, unknown status word, a reference twice, a payment already reconciled
    otherwise, a date that is not one or is in the future, an entitlement delivered by hand
    meanwhile) refuses the whole file with `rows.<n>` messages naming the row. A row equal to
    what is recorded is counted unchanged. With `dry_run`, only the check.

    Requires `assistance.manage` and a cycle the actor may see. Side effects, in one
    transaction: per payment an audit `assistance.payment.reconciled` (state in details); per
    paid payment a delivery through `deliver` (audit `assistance.delivery.recorded`); one
    `assistance.payments.reconciled` for the file with the counts.
    """
    access.require(actor, MANAGE)
    mapping = payment_format.reconciliation or DEFAULT_RECONCILIATION
    table = tabular.read_table(data, filename, limits)
    present = {_key(c): c for c in table.columns}
    missing = [
        mapping[f] for f in ("reference", "status") if _key(mapping.get(f, "")) not in present
    ]
    if missing:
        raise tabular.refuse(
            _("Missing columns: %(missing)s.") % {"missing": ", ".join(missing)},
            _("Columns found: %(found)s.") % {"found": ", ".join(table.columns)},
        )
    column = {f: present.get(_key(mapping[f])) for f in RECONCILIATION_FIELDS if mapping.get(f)}
    lines = _check_rows(cycle, payment_format, table.rows, column)
    result = ReconciliationResult(rows=len(lines), dry_run=dry_run)
    for line in lines:
        if not line.changes:
            result.unchanged += 1
        else:
            setattr(result, line.state, getattr(result, line.state) + 1)
    if dry_run:
        return result
    with transaction.atomic():
        _apply(actor, lines, request)
        audit.record(
            actor=actor,
            action="assistance.payments.reconciled",
            target=cycle,
            request=request,
            details={k: v for k, v in result.as_dict().items() if k != "dry_run"},
        )
    return result


def _check_rows(
    cycle: Cycle,
    payment_format: PaymentListFormat,
    rows: Iterable[tabular.Row],
    column: dict[str, str | None],
) -> list[_Line]:
    words = {
        _key(word): outcome
        for outcome, values in (payment_format.status_values or DEFAULT_STATUS_VALUES).items()
        for word in values
    }
    rows = [r for r in rows if any(v.strip() for v in r.values.values())]
    wanted = {_value(r, column, "reference") for r in rows}
    payments = {
        p.reference: p
        for p in Payment.objects.filter(batch__cycle=cycle, reference__in=wanted).select_related(
            "entitlement"
        )
    }
    errors = Errors()
    seen: dict[str, int] = {}
    lines: list[_Line] = []
    today = timezone.localdate()

    def bad(row: tabular.Row, message: str) -> None:
        errors.add(
            f"rows.{row.number}",
            _("Row %(row)d: %(problem)s") % {"row": row.number, "problem": message},
        )

    for row in rows:
        reference = _value(row, column, "reference")
        status_text = _value(row, column, "status")
        payment = payments.get(reference)
        problems_before = len(errors)
        if not reference:
            bad(row, _("the payment reference is empty."))
        elif reference in seen:
            bad(
                row,
                _("payment %(reference)s is also on row %(other)d.")
                % {"reference": reference, "other": seen[reference]},
            )
        elif payment is None:
            bad(
                row,
                _("no payment of this cycle has the reference “%(reference)s”.")
                % {"reference": reference},
            )
        seen.setdefault(reference, row.number)
        state = words.get(_key(status_text))
        if state is None:
            bad(
                row,
                _("“%(status)s” is not a status this format knows (%(known)s).")
                % {"status": status_text, "known": ", ".join(sorted(words))},
            )
        amount_text = _value(row, column, "amount")
        # What was paid must be what was sent; a failed payment's amount may read 0.
        if amount_text and payment is not None and state == Payment.State.PAID:
            amount = _decimal(amount_text)
            if amount is None:
                bad(row, _("“%(amount)s” is not an amount.") % {"amount": amount_text})
            elif amount != payment.amount:
                bad(
                    row,
                    _("the amount %(amount)s differs from the %(expected)s sent.")
                    % {"amount": amount_text, "expected": f"{payment.amount:.2f}"},
                )
        date_text = _value(row, column, "date")
        paid_on = None
        if date_text:
            paid_on = _date(date_text)
            if paid_on is None:
                bad(row, _("“%(date)s” is not a date (2026-03-31).") % {"date": date_text})
            elif paid_on > today:
                bad(row, _("the date %(date)s is in the future.") % {"date": date_text})
        if state != Payment.State.PAID:
            paid_on = None
        elif paid_on is None:
            paid_on = today
        reason = _value(row, column, "reason")[:200]
        transaction_id = _value(row, column, "transaction_id")[:80]
        if payment is None or state is None or len(errors) > problems_before:
            continue
        line = _Line(row.number, payment, state, paid_on, reason, transaction_id)
        if payment.state != Payment.State.SENT:
            # Said again (the same file, or a later file repeating it): nothing to change. A
            # row without a date repeats any date.
            if payment.state == state and (not date_text or payment.paid_on == paid_on):
                line.changes = False
            else:
                bad(
                    row,
                    _("payment %(reference)s was already reconciled as %(state)s.")
                    % {"reference": reference, "state": payment.get_state_display().lower()},
                )
                continue
        elif state == Payment.State.PAID and payment.entitlement.state not in (
            Entitlement.State.PENDING,
            Entitlement.State.ABSENT,  # the provider's file often arrives after the cycle
        ):
            bad(
                row,
                _("the entitlement of payment %(reference)s is no longer pending (%(state)s).")
                % {
                    "reference": reference,
                    "state": payment.entitlement.get_state_display().lower(),
                },
            )
            continue
        lines.append(line)
    errors.raise_if_any()
    return lines


def _apply(actor: User, lines: list[_Line], request) -> None:
    now = timezone.now()
    for line in lines:
        if not line.changes:
            continue
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("payee", "batch__format")
            .get(pk=line.payment.pk)
        )
        if payment.state != Payment.State.SENT:  # reconciled by someone else meanwhile
            raise ActionError.general(
                _("Payment %(reference)s was reconciled meanwhile: import the file again.")
                % {"reference": payment.reference}
            )
        payment.state = line.state
        payment.paid_on = line.paid_on
        payment.reason = line.reason
        payment.transaction_id = line.transaction_id
        payment.reconciled_at = now
        payment.reconciled_by = actor
        payment.save(
            update_fields=[
                "state",
                "paid_on",
                "reason",
                "transaction_id",
                "reconciled_at",
                "reconciled_by",
                "updated_at",
            ]
        )
        if line.state == Payment.State.PAID:
            paid_on = line.paid_on or timezone.localdate()
            deliver(
                actor=actor,
                entitlement=payment.entitlement,
                collected_by=payment.payee or payment.batch.format.name,
                idempotency_key=f"payment:{payment.reference}",
                request=request,
                paid_at=timezone.make_aware(datetime.datetime.combine(paid_on, datetime.time(12))),
            )
        audit.record(
            actor=actor,
            action="assistance.payment.reconciled",
            target=payment,
            request=request,
            details={"state": payment.state},
        )


def _value(row: tabular.Row, column: dict[str, str | None], name: str) -> str:
    header = column.get(name)
    return (row.values.get(header, "") if header else "").strip()


def _decimal(text: str) -> Decimal | None:
    cleaned = text.replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # 120,00
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date(text: str) -> datetime.date | None:
    text = text.strip().split(" ")[0].split("T")[0]  # a date-time cell reads "2026-03-31 00:00:00"
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None
