"""Forms for stock. They parse; the actions validate and explain (negative quantities, more
than the balance, a missing reason), so that the page and the API say the same."""

from decimal import Decimal

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from amparo.assistance.models import KitType, Warehouse
from amparo.core.models import Office

# The kit type form offers this many content lines (no script adds more).
ITEM_LINES = 8

# The movements a page records, each with the fields it asks for.
MOVEMENT_FIELDS = {
    "receipt": ("kit_type", "quantity", "reference"),
    "transfer": ("kit_type", "quantity", "to_warehouse", "reference"),
    "loss": ("kit_type", "quantity", "reason", "reference"),
    "count": ("kit_type", "quantity", "reason"),
}
MOVEMENT_TITLES = {
    "receipt": _("Record kits received"),
    "transfer": _("Transfer kits to another warehouse"),
    "loss": _("Record kits lost or damaged"),
    "count": _("Adjust after a count"),
}


class WarehouseChoice(forms.ModelChoiceField):
    def label_from_instance(self, warehouse: Warehouse) -> str:
        return f"{warehouse.name} · {warehouse.office.name}"


class WarehouseForm(forms.Form):
    office = forms.ModelChoiceField(
        label=_("Office"), queryset=Office.objects.none(), to_field_name="uuid", empty_label="—"
    )
    name = forms.CharField(label=_("Name of the warehouse"), max_length=120)

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices if offices is not None else Office.objects.none()


class MovementForm(forms.Form):
    kit_type = forms.ModelChoiceField(
        label=_("Kit type"), queryset=KitType.objects.none(), to_field_name="uuid", empty_label="—"
    )
    # No min_value: the action explains a negative quantity as the API does.
    quantity = forms.IntegerField(
        label=_("Number of kits"),
        min_value=-(10**9),
        max_value=10**9,
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
    )
    to_warehouse = WarehouseChoice(
        label=_("To warehouse"),
        queryset=Warehouse.objects.none(),
        to_field_name="uuid",
        empty_label="—",
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("The donor's or supplier's waybill, a report number…"),
    )

    def __init__(self, *args, kind: str, kit_types=None, destinations=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in MOVEMENT_FIELDS[kind]:
                del self.fields[name]
        self.fields["kit_type"].queryset = (
            kit_types if kit_types is not None else KitType.objects.none()
        )
        if "to_warehouse" in self.fields:
            self.fields["to_warehouse"].queryset = (
                destinations if destinations is not None else Warehouse.objects.none()
            )
        if kind == "count":
            self.fields["quantity"].label = _("Number of kits counted")
            self.fields["reason"].help_text = _("Who counted, and what explains the difference.")
        if kind == "loss":
            self.fields["reason"].help_text = _("Damaged by rain, expired, stolen…")


class KitTypeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    assistance_type = forms.ChoiceField(
        label=_("Kind of kit"),
        choices=[("", "—"), *KitType._meta.get_field("assistance_type").choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(ITEM_LINES):
            number = n + 1
            self.fields[f"item_{n}"] = forms.CharField(
                label=format_lazy(_("Item {}"), number), max_length=120, required=False
            )
            self.fields[f"quantity_{n}"] = forms.DecimalField(
                label=format_lazy(_("Quantity of item {}"), number),
                required=False,
                max_digits=10,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )
            self.fields[f"unit_{n}"] = forms.CharField(
                label=format_lazy(_("Unit of item {}"), number),
                max_length=30,
                required=False,
                help_text=_("kg, l, units…") if n == 0 else "",
            )

    def lines(self) -> list[tuple[int, str, Decimal | None, str]]:
        """The filled content lines: (line number, item, quantity, unit), as first cleaned
        (placing an error on a line later takes it out of `cleaned_data`)."""
        if not hasattr(self, "_lines"):
            self._lines = self._filled_lines()
        return self._lines

    def _filled_lines(self) -> list[tuple[int, str, Decimal | None, str]]:
        data = self.cleaned_data
        found = []
        for n in range(ITEM_LINES):
            item = (data.get(f"item_{n}") or "").strip()
            quantity = data.get(f"quantity_{n}")
            unit = (data.get(f"unit_{n}") or "").strip()
            if item or quantity is not None or unit:
                found.append((n, item, quantity, unit))
        return found

    def item_rows(self) -> list[list]:
        return [
            [self[f"item_{n}"], self[f"quantity_{n}"], self[f"unit_{n}"]] for n in range(ITEM_LINES)
        ]

    def place_action_error(self, path: str, message: str) -> bool:
        """`items.<i>` names the i-th filled line: put the message on its item field."""
        if not path.startswith("items."):
            return False
        index = int(path.removeprefix("items."))
        lines = self.lines() if hasattr(self, "cleaned_data") else []
        if index < len(lines):
            self.add_error(f"item_{lines[index][0]}", message)
            return True
        return False
