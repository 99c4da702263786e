"""The role → permission matrix, as data. Review this file with the protection officer.

A permission is a code ``<app>.<ability>``. A role is a set of permissions plus whether it is
bound to the user's office (sees only that office's records) or sees the whole organization.
Organizations may define their own roles from these permissions (``Role`` rows with an
organization); the built-in roles below are synchronised into the database by a migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # django-stubs' helper package is a development tool, not installed to serve
    from django_stubs_ext import StrOrPromise

# Labels are lazy: they are read in each user's language, not the one active at import.
PERMISSIONS: dict[str, StrOrPromise] = {
    # core
    "core.view_offices": _("See the organization's offices"),
    "core.view_team": _("See colleagues in the directory"),
    "core.manage_users": _("Create and change user accounts"),
    "core.manage_offices": _("Create and change offices"),
    "core.manage_roles": _("Define the organization's roles"),
    "core.manage_areas": _("Import administrative areas"),
    "core.view_audit": _("Read the audit log"),
    # registry
    "registry.view": _("See registered households and individuals"),
    "registry.register": _("Register households and individuals"),
    "registry.change": _("Change registration records"),
    "registry.import": _("Import registration files"),
    "registry.export": _("Export personal data"),
    # cases
    "cases.view": _("See cases of one's team"),
    "cases.manage": _("Open and work on cases"),
    "cases.supervise": _("Approve plans and closures, reassign cases"),
    "cases.gbv": _("Work on GBV cases"),
    "cases.gbv_audit": _("Read the audit log of the GBV files of one's GBV team"),
    # referrals
    "referrals.view": _("See referrals"),
    "referrals.manage": _("Send referrals"),
    "referrals.respond": _("Accept, decline and report on referrals addressed to one's agency"),
    "referrals.manage_directory": _("Maintain the service directory and care routes"),
    # services given
    "activities.view": _("See services given and group activities"),
    "activities.record": _("Record services given and group activities"),
    # assistance
    "assistance.distribute": _("Check people in and record deliveries"),
    "assistance.manage": _("Plan programmes, cycles and stock"),
    # feedback
    "feedback.record": _("Record feedback received by other channels"),
    "feedback.view": _("See and answer feedback and complaints"),
    "feedback.psea": _("Handle sensitive complaints (PSEA, fraud, staff conduct)"),
    # messaging
    "messaging.campaigns": _("Prepare and send message campaigns"),
    "messaging.send": _("Send a message to a person"),
    # duplicates
    "dedup.run": _("Look for people registered twice"),
    "dedup.review": _("Review possible duplicates and merge records"),
    "dedup.undo": _("Undo a merge of records"),
    # reports
    "reports.view": _("See indicators and dashboards"),
    "reports.export": _("Export aggregated reports"),
}


# A role with any of these must confirm each sign-in with a second factor when the
# organization's policy says so (core/twofactor.py): it administers accounts or reads restricted
# files. Members of a GBV team need it too, whatever their role.
TWO_FACTOR_PERMISSIONS: frozenset[str] = frozenset(
    {"core.manage_users", "core.manage_roles", "cases.gbv", "feedback.psea"}
)


@dataclass(frozen=True)
class BuiltinRole:
    code: str
    name: StrOrPromise
    permissions: frozenset[str]
    office_bound: bool


def _role(
    code: str, name: StrOrPromise, permissions: set[str], *, office_bound: bool
) -> BuiltinRole:
    unknown = permissions - PERMISSIONS.keys()
    if unknown:
        raise ValueError(f"unknown permissions in role {code}: {sorted(unknown)}")
    return BuiltinRole(code, name, frozenset(permissions), office_bound)


BUILTIN_ROLES: dict[str, BuiltinRole] = {
    r.code: r
    for r in [
        _role(
            "administrator",
            _("Administrator"),
            {
                "core.view_offices",
                "core.view_team",
                "core.manage_users",
                "core.manage_offices",
                "core.manage_roles",
                "core.manage_areas",
                "core.view_audit",
                "referrals.manage_directory",
                "dedup.undo",
            },
            office_bound=False,
        ),
        _role(
            "information_manager",
            _("Information management officer"),
            {
                "core.view_offices",
                "core.view_team",
                "registry.view",
                "registry.change",
                "dedup.run",
                "dedup.review",
                "reports.view",
            },
            office_bound=False,
        ),
        _role(
            "registration_officer",
            _("Registration officer"),
            {
                "core.view_team",
                "feedback.record",
                "messaging.send",
                "registry.view",
                "registry.register",
                "registry.change",
                "registry.import",
            },
            office_bound=True,
        ),
        _role(
            "caseworker",
            _("Caseworker"),
            {
                "core.view_team",
                "feedback.record",
                "messaging.send",
                "registry.view",
                "registry.register",
                "cases.view",
                "cases.manage",
                "referrals.view",
                "referrals.manage",
                "referrals.respond",
                "activities.view",
                "activities.record",
            },
            office_bound=True,
        ),
        _role(
            "case_supervisor",
            _("Case supervisor"),
            {
                "core.view_offices",
                "core.view_team",
                "feedback.record",
                "messaging.send",
                "registry.view",
                "cases.view",
                "cases.manage",
                "cases.supervise",
                "cases.gbv",
                "cases.gbv_audit",
                "referrals.view",
                "referrals.manage",
                "referrals.respond",
                "referrals.manage_directory",
                "activities.view",
                "activities.record",
                "reports.view",
            },
            office_bound=True,
        ),
        _role(
            "gbv_specialist",
            _("GBV specialist"),
            {
                "core.view_team",
                "feedback.record",
                "messaging.send",
                "registry.view",
                "cases.view",
                "cases.manage",
                "cases.gbv",
                "referrals.view",
                "referrals.manage",
                "referrals.respond",
                "activities.view",
                "activities.record",
            },
            office_bound=True,
        ),
        _role(
            "distribution_officer",
            _("Distribution officer"),
            {"core.view_team", "feedback.record", "registry.view", "assistance.distribute"},
            office_bound=True,
        ),
        _role(
            "me_officer",
            _("M&E officer"),
            {
                "core.view_offices",
                "feedback.view",
                "reports.view",
                "reports.export",
                "assistance.manage",
            },
            office_bound=False,
        ),
        _role(
            "ethics_focal_point",
            _("Ethics focal point"),
            {"core.view_offices", "feedback.view", "feedback.psea"},
            office_bound=False,
        ),
        _role(
            "communication_officer",
            _("Communication with communities officer"),
            {"core.view_offices", "feedback.view", "messaging.campaigns"},
            office_bound=False,
        ),
        _role(
            "partner_focal_point",
            _("Partner focal point"),
            {"referrals.view", "referrals.manage", "referrals.respond"},
            office_bound=False,
        ),
    ]
}
