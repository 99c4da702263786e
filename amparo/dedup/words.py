"""The model's reasons in the reader's words: each compared field and whether it agrees."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIELDS = {
    "given": gettext_lazy("given names"),
    "surnames": gettext_lazy("surnames"),
    "dob": gettext_lazy("date of birth"),
    "doc": gettext_lazy("document"),
    "phone": gettext_lazy("phone"),
    "sex": gettext_lazy("sex"),
    "area": gettext_lazy("area"),
    "address": gettext_lazy("address"),
}


def verdict(weight: float) -> str:
    if weight >= 2:
        return _("agrees")
    if weight <= -2:
        return _("disagrees")
    return _("says little")


def reasons(weights: dict[str, float]) -> list[dict]:
    """The fields the model weighed, strongest evidence first."""
    return [
        {"label": FIELDS[key], "weight": weight, "verdict": verdict(weight)}
        for key, weight in sorted(weights.items(), key=lambda item: -abs(item[1]))
        if key in FIELDS
    ]
