"""GBV incidents of GBV cases, with the fields of the GBVIMS Incident Recording Form (IRF)."""

from __future__ import annotations

import json
from datetime import date

import pycountry
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.cases.actions._checks import MAX_TEXT, _check_team
from amparo.cases.models import (
    AgeGroup,
    Case,
    CaseType,
    DisplacementStage,
    Ethnicity,
    GBVService,
    Incident,
    IncidentContext,
    IncidentType,
    LegalAction,
    MaritalStatus,
    PerpetratorOccupation,
    PerpetratorRelationship,
    PlaceType,
    ReferredBy,
    ReportedTo,
    TimeOfDay,
    YesNoUnknown,
)
from amparo.core import audit
from amparo.core.errors import ActionError, Errors
from amparo.core.models import Area, User
from amparo.registry.regions import office_region

# Single answers from a list; "" (not asked yet) is allowed for these, not for the core fields.
OPTIONAL_CHOICES = {
    "place_type": PlaceType.values,
    "time_of_day": TimeOfDay.values,
    "displacement_stage": DisplacementStage.values,
    "survivor_marital_status": MaritalStatus.values,
    "survivor_ethnicity": Ethnicity.values,
    "perpetrator_occupation": PerpetratorOccupation.values,
    "former_perpetrator": YesNoUnknown.values,
    "previous_incidents": YesNoUnknown.values,
    "reported_elsewhere": YesNoUnknown.values,
    "referred_by": ReferredBy.values,
    "wants_legal_action": LegalAction.values,
}
REQUIRED_CHOICES = {
    "type": IncidentType.values,
    "perpetrator_sex": Incident.PerpetratorSex.values,
    "perpetrator_age_group": AgeGroup.values,
    "perpetrator_relationship": PerpetratorRelationship.values,
}
MULTIPLE_CHOICES = {
    "context": IncidentContext.values,
    "services_received": GBVService.values,
    "referral_consent": GBVService.values,
    "reported_to": ReportedTo.values,
}


def age_group(age: int) -> AgeGroup:
    """The GBVIMS age group of an age in years."""
    for top, group in (
        (11, AgeGroup.UNDER_12),
        (17, AgeGroup.AGE_12_17),
        (25, AgeGroup.AGE_18_25),
        (40, AgeGroup.AGE_26_40),
        (60, AgeGroup.AGE_41_60),
    ):
        if age <= top:
            return group
    return AgeGroup.OVER_60


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _survivor_birth_date(case: Case) -> date | None:
    """The primary survivor's date of birth, when the case knows it: the one person of the case,
    or a walk-in survivor's recorded identity. None when the case names several people."""
    people = list(case.individuals.all()[:2])
    if len(people) == 1:
        return people[0].date_of_birth
    survivor = getattr(case, "survivor", None) if case.is_walk_in else None
    if survivor is not None and survivor.details:
        born = json.loads(survivor.details).get("date_of_birth") or ""
        try:
            return date.fromisoformat(born)
        except ValueError:
            return None
    return None


def _incident_values(data: dict, *, home_country: str) -> dict:
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

    country = (data.get("country") or home_country or "").upper()
    area = data.get("area")
    if len(country) != 2 or pycountry.countries.get(alpha_2=country) is None:
        bad("country", _("Choose a country from the list."))
    elif country == home_country:
        if not isinstance(area, Area):
            bad("area", _("Choose where it happened."))
        elif area.country_code != home_country:
            bad("area", _("Choose a place in the office's country."))
    elif area is not None:
        # Abroad we keep the country only: the office's areas do not apply there.
        bad("area", _("Leave the place empty when it happened in another country."))

    for field, allowed in REQUIRED_CHOICES.items():
        if data.get(field) not in allowed:
            bad(field, _("Choose a value from the list."))
    for field, allowed in OPTIONAL_CHOICES.items():
        if (data.get(field) or "") not in ["", *allowed]:
            bad(field, _("Choose a value from the list."))
    for field, allowed in MULTIPLE_CHOICES.items():
        if set(data.get(field) or []) - set(allowed):
            bad(field, _("Choose answers from the list."))
    contexts = set(data.get("context") or [])
    if not contexts:
        bad("context", _("Choose at least one answer, or “None of these”."))
    elif IncidentContext.NONE in contexts and len(contexts) > 1:
        bad("context", _("“None of these” cannot go with another answer."))
    reported_elsewhere = data.get("reported_elsewhere") or ""
    reported_to = set(data.get("reported_to") or [])
    gbvims_agency = bool(data.get("reported_to_gbvims_agency"))
    if reported_elsewhere != YesNoUnknown.YES and (reported_to or gbvims_agency):
        bad("reported_elsewhere", _("Answer “Yes” to say where else it was reported."))
    age = data.get("survivor_age")
    if age is not None and (not isinstance(age, int) or not 0 <= age <= 120):
        bad("survivor_age", _("Enter an age from 0 to 120."))
    if (data.get("survivor_age_group") or AgeGroup.UNKNOWN) not in AgeGroup.values:
        bad("survivor_age_group", _("Choose a value from the list."))
    count = data.get("perpetrator_count")
    if not isinstance(count, int) or not 1 <= count <= 99:
        bad("perpetrator_count", _("Enter a number from 1 to 99."))
    if len(data.get("account") or "") > MAX_TEXT:
        bad("account", _("Keep this under %(max)d characters.") % {"max": MAX_TEXT})
    errors.raise_if_any()
    values = {
        "incident_date": incident_date,
        "report_date": report_date,
        "country": country,
        "area": area if country == home_country else None,
        "type": data["type"],
        "context": sorted(contexts),
        "account": (data.get("account") or "").strip(),
        "survivor_age": age,
        "survivor_age_group": data.get("survivor_age_group") or AgeGroup.UNKNOWN,
        "perpetrator_count": count,
        "reported_to": sorted(reported_to),
        "reported_to_gbvims_agency": gbvims_agency,
        "services_received": sorted(set(data.get("services_received") or [])),
        "referral_consent": sorted(set(data.get("referral_consent") or [])),
        "statistics_consent": bool(data.get("statistics_consent")),
    }
    for field in (*REQUIRED_CHOICES, *OPTIONAL_CHOICES):
        values[field] = data.get(field) or ""
    if age is not None:
        values["survivor_age_group"] = age_group(age)
    return values


@transaction.atomic
def record_incident(
    *,
    actor: User,
    case: Case,
    data: dict,
    incident: Incident | None = None,
    request: HttpRequest | None = None,
) -> Incident:
    """Record (or correct) a GBV incident of a GBV case, with the fields of the GBVIMS Incident
    Recording Form. Its survivor is the case's: one primary survivor per incident. The survivor's
    age at the incident is computed from their date of birth when the case knows it.

    Side effects: audit `cases.incident.recorded` / `.changed` with field names only."""
    case = _check_team(actor, case, "cases.gbv")
    if case.type != CaseType.GBV:
        raise ActionError.general(_("Incidents are recorded on GBV cases."))
    values = _incident_values(data, home_country=office_region(case.office))
    born = _survivor_birth_date(case)
    if born is not None and born <= values["incident_date"]:
        # Known from the survivor's record: computed, stored, not typed.
        values["survivor_age"] = _age_on(born, values["incident_date"])
        values["survivor_age_group"] = age_group(values["survivor_age"])
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
