"""Forms of the payment screens: a payment list format, generating a list, a reconciliation
file. Only input parsing; the rules are in `actions.payments.check_format`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.assistance.actions.payments import RECONCILIATION_FIELDS
from amparo.assistance.models import PaymentListFormat

COLUMN_ROWS = 12
DELIMITERS = [(",", _("Comma (,)")), (";", _("Semicolon (;)")), ("\t", _("Tab"))]
RECONCILIATION_LABELS = {
    "reference": _("Column with the payment reference"),
    "status": _("Column with the status"),
    "amount": _("Column with the amount paid"),
    "date": _("Column with the payment date"),
    "reason": _("Column with the reason"),
    "transaction_id": _("Column with the provider's transaction id"),
}
STATUS_LABELS = {
    "paid": _("Words meaning paid (separated by commas)"),
    "failed": _("Words meaning failed"),
    "unclaimed": _("Words meaning unclaimed"),
}


class PaymentFormatForm(forms.Form):
    """A format's fields, with `COLUMN_ROWS` rows of columns (empty rows are ignored)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    file_type = forms.ChoiceField(label=_("File type"), choices=PaymentListFormat.FileType)
    delimiter = forms.ChoiceField(label=_("Delimiter (CSV)"), choices=DELIMITERS, initial=",")
    encoding = forms.ChoiceField(label=_("Encoding (CSV)"), choices=PaymentListFormat.Encoding)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sources = [("", "—"), *PaymentListFormat.Source.choices]
        for i in range(COLUMN_ROWS):
            self.fields[f"col_{i}_header"] = forms.CharField(
                label=_("Header"), max_length=80, required=False
            )
            self.fields[f"col_{i}_source"] = forms.ChoiceField(
                label=_("Holds"), choices=sources, required=False
            )
            self.fields[f"col_{i}_value"] = forms.CharField(
                label=_("Constant value"), max_length=80, required=False
            )
        for name in RECONCILIATION_FIELDS:
            self.fields[f"rec_{name}"] = forms.CharField(
                label=RECONCILIATION_LABELS[name],
                max_length=80,
                required=name in ("reference", "status"),
            )
        for name, label in STATUS_LABELS.items():
            self.fields[f"status_{name}"] = forms.CharField(label=label, max_length=300)

    @classmethod
    def initial_from(cls, fmt: PaymentListFormat) -> dict:
        initial = {
            "name": fmt.name,
            "file_type": fmt.file_type,
            "delimiter": fmt.delimiter,
            "encoding": fmt.encoding,
        }
        for i, column in enumerate(fmt.columns[:COLUMN_ROWS]):
            initial[f"col_{i}_header"] = column["header"]
            initial[f"col_{i}_source"] = column["source"]
            initial[f"col_{i}_value"] = column.get("value", "")
        for name in RECONCILIATION_FIELDS:
            initial[f"rec_{name}"] = fmt.reconciliation.get(name, "")
        for name in STATUS_LABELS:
            initial[f"status_{name}"] = ", ".join(fmt.status_values.get(name, []))
        return initial

    def column_rows(self) -> list[tuple]:
        return [
            (self[f"col_{i}_header"], self[f"col_{i}_source"], self[f"col_{i}_value"])
            for i in range(COLUMN_ROWS)
        ]

    def main_fields(self) -> list:
        return [self[n] for n in ("name", "file_type", "delimiter", "encoding")]

    def reconciliation_fields(self) -> list:
        return [self[f"rec_{n}"] for n in RECONCILIATION_FIELDS] + [
            self[f"status_{n}"] for n in STATUS_LABELS
        ]

    def values(self) -> dict:
        """The action's keyword arguments."""
        data = self.cleaned_data
        self._rows = [
            i for i in range(COLUMN_ROWS) if data[f"col_{i}_header"] or data[f"col_{i}_source"]
        ]
        columns = [
            {
                "header": data[f"col_{i}_header"],
                "source": data[f"col_{i}_source"],
                "value": data[f"col_{i}_value"],
            }
            for i in self._rows
        ]
        return {
            "name": data["name"],
            "file_type": data["file_type"],
            "delimiter": data["delimiter"],
            "encoding": data["encoding"],
            "columns": columns,
            "reconciliation": {n: data[f"rec_{n}"] for n in RECONCILIATION_FIELDS},
            "status_values": {n: data[f"status_{n}"].split(",") for n in STATUS_LABELS},
        }


class GenerateForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"))

    def __init__(self, *args, formats=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [(str(f.uuid), f.name) for f in formats]


class ReconciliationForm(GenerateForm):
    file = forms.FileField(label=_("The provider's file (CSV or XLSX)"))
    dry_run = forms.BooleanField(
        label=_("Only check the file, change nothing"), required=False, initial=True
    )

    def place_action_error(self, path: str, message: str) -> bool:
        """`columns.2.header` is the third filled row's field; `reconciliation.status` is
        `rec_status`; `status_values.paid` is `status_paid`."""
        parts = path.split(".")
        if parts[0] == "columns" and len(parts) == 3 and parts[1].isdigit():
            rows = getattr(self, "_rows", [])
            index = int(parts[1])
            if index < len(rows):
                self.add_error(f"col_{rows[index]}_{parts[2]}", message)
                return True
        names = {"reconciliation": "rec", "status_values": "status"}
        if parts[0] in names and len(parts) == 2:
            name = f"{names[parts[0]]}_{parts[1]}"
            if name in self.fields:
                self.add_error(name, message)
                return True
        return False
