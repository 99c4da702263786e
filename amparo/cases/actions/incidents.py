"""GBV incidents of GBV cases, with the GBVIMS core fields."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.cases.actions._checks import MAX_TEXT, _check_team
from amparo.cases.models import (
    AgeGroup,
    Case,
    CaseType,
    GBVService,
    Incident,
    IncidentContext,
    IncidentType,
    PerpetratorRelationship,
)
from amparo.core import audit
from amparo.core.errors import ActionError, Errors
from amparo.core.models import Area, User
from amparo.registry.regions import office_region


def _incident_values(data: dict) -> dict:
    errors = Errors()
    bad = errors.add

    today = timezone.localdate()
    incident_date, report_date = data.get("incident_date"), data.get("report_date")
    if not isinstance(incident_date, date):
        bad("incident_date", _("Enter the date of the incident."))
    elif incident_date > today:
        bad("incident_date", _("This date is in the future."))
    if not isinstance(report_date, date):
        bad("report_date", _("Enter the date of the report."))
    elif report_date > today:
        bad("report_date", _("This date is in the future."))
    elif isinstance(incident_date, date) and report_date < incident_date:
        bad("report_date", _("The report cannot come before the incident."))
    if not isinstance(data.get("area"), Area):
        bad("area", _("Choose where it happened."))
    choices = {
        "type": IncidentType.values,
        "context": IncidentContext.values,
        "perpetrator_sex": Incident.PerpetratorSex.values,
        "perpetrator_age_group": AgeGroup.values,
        "perpetrator_relationship": PerpetratorRelationship.values,
    }
    for field, allowed in choices.items():
        if data.get(field) not in allowed:
            bad(field, _("Choose a value from the list."))
    count = data.get("perpetrator_count")
    if not isinstance(count, int) or not 1 <= count <= 99:
        bad("perpetrator_count", _("Enter a number from 1 to 99."))
    for field in ("services_received", "referral_consent"):
        if set(data.get(field) or []) - set(GBVService.values):
            bad(field, _("Choose services from the list."))
    if len(data.get("account") or "") > MAX_TEXT:
        bad("account", _("Keep this under %(max)d characters.") % {"max": MAX_TEXT})
    errors.raise_if_any()
    return {
        "incident_date": incident_date,
        "report_date": report_date,
        "area": data["area"],
        "type": data["type"],
        "context": data["context"],
        "account": (data.get("account") or "").strip(),
        "perpetrator_count": count,
        "perpetrator_sex": data["perpetrator_sex"],
        "perpetrator_age_group": data["perpetrator_age_group"],
        "perpetrator_relationship": data["perpetrator_relationship"],
        "services_received": sorted(set(data.get("services_received") or [])),
        "referral_consent": sorted(set(data.get("referral_consent") or [])),
    }


@transaction.atomic
def record_incident(
    *,
    actor: User,
    case: Case,
    data: dict,
    incident: Incident | None = None,
    request: HttpRequest | None = None,
) -> Incident:
    """Record (or correct) a GBV incident of a GBV case, with the GBVIMS core fields."""
    case = _check_team(actor, case, "cases.gbv")
    if case.type != CaseType.GBV:
        raise ActionError.general(_("Incidents are recorded on GBV cases."))
    values = _incident_values(data)
    if values["area"].country_code != office_region(case.office):
        raise ActionError.on("area", _("Choose a place in the office's country."))
    if incident is None:
        incident = Incident.objects.create(case=case, recorded_by=actor, **values)
        verb = "recorded"
    else:
        if incident.case_id != case.pk:
            raise ActionError.general(_("This incident belongs to another case."))
        for field, value in values.items():
            setattr(incident, field, value)
        incident.save()
        verb = "changed"
    audit.record(
        actor=actor,
        action=f"cases.incident.{verb}",
        target=incident,
        fields=sorted(values),
        request=request,
        organization_id=case.organization_id,
    )
    return incident
