from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amparo.core import access

# (url name, label, permission — or a tuple of which one is enough — or None for everyone)
MENU = [
    ("home", _("Home"), None),
    ("registry:search", _("Registry"), "registry.view"),
    ("cases:list", _("Cases"), "cases.view"),
    ("referrals:list", _("Referrals"), "referrals.view"),
    ("referrals:intakes", _("Care post intake"), "cases.gbv"),
    ("activities:list", _("Services given"), "activities.view"),
    ("assistance:cycles", _("Distribution"), "assistance.distribute"),
    ("assistance:projects", _("Projects"), "assistance.manage"),
    ("assistance:warehouses", _("Stock"), "assistance.manage"),
    ("assistance:reconciliations", _("Reconciliation"), ("assistance.manage", "reports.view")),
    ("feedback:inbox", _("Feedback"), ("feedback.view", "feedback.psea")),
    ("feedback:new", _("Record feedback"), ("feedback.record", "feedback.view", "feedback.psea")),
    ("messaging:campaigns", _("Messages"), "messaging.campaigns"),
    ("dedup:queue", _("Duplicates"), ("dedup.review", "dedup.run")),
    ("dedup:merges", _("Merged records"), "dedup.undo"),
    ("reports:dashboard", _("Reports"), "reports.view"),
    ("cases:gbv-statistics", _("GBV statistics"), "reports.view"),
    ("offices", _("Offices"), "core.view_offices"),
    ("team", _("Team"), "core.view_team"),
    ("audit", _("Audit log"), ("core.view_audit", "cases.gbv_audit")),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    menu = [
        {
            "url": reverse(name),
            "label": label,
            "active": request.resolver_match and request.resolver_match.view_name == name,
        }
        for name, label, permission in MENU
        if permission is None or access.can_any(user, _as_tuple(permission))
    ]
    if access.can(user, "core.manage_users"):
        menu.append({"url": reverse("admin:index"), "label": _("Administration"), "active": False})
    return {"menu": menu}


def _as_tuple(permission: str | tuple[str, ...]) -> tuple[str, ...]:
    return (permission,) if isinstance(permission, str) else permission
