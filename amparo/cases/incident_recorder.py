"""The GBVIMS Incident Recorder's "Incident Data" sheet, for a coordination group that
consolidates the Incident Recorders of its agencies (Information Sharing Protocol).

Columns and answers are the Incident Recorder's own, in its order and its (English) wording, so
that the rows paste into the agencies' shared workbook: "Age 0 - 11", "M"/"F", dates as
dd-Mon-yyyy, "Yes-GBVIMS Org / Agency", "Referral declined by survivor". Answers the IR leaves to
each country (ethnicity, places, countries) are written in the user's language.

What never leaves: a name, a document, a phone, the account of the incident. The survivor is
her case code. DATE OF BIRTH stays empty: the IR keeps the column, but the ISP and do-no-harm
ask for no more than the age group, which the monthly tables give, and a birth date with a code,
a date and a place can name a girl in a small town. (No organization setting turns it on yet.)
The case manager is a code (CM- and a number), never a name.
"""

from __future__ import annotations

import datetime
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from amparo.cases.models import AgeGroup, Incident, IncidentContext, ServiceOutcome, ServiceType
from amparo.core import names

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

COLUMNS = [
    "INCIDENT ID",
    "SURVIVOR CODE",
    "CASE MANAGER CODE",
    "DATE OF INTERVIEW",
    "DATE OF INCIDENT",
    "DATE OF BIRTH",
    "SEX",
    "ETHNICITY",
    "COUNTRY OF ORIGIN",
    "CIVIL / MARITAL STATUS",
    "DISPLACEMENT STATUS AT REPORT",
    "PERSON WITH DISABILITY?",
    "UNACCOMPANIED OR SEPARATED CHILD?",
    "STAGE OF DISPLACEMENT AT INCIDENT",
    "INCIDENT TIME OF DAY",
    "INCIDENT LOCATION",
    "INCIDENT COUNTY",
    "INCIDENT DISTRICT",
    "INCIDENT CAMP / TOWN",
    "GBV TYPE",
    "HARMFUL TRADITIONAL PRACTICE",
    "MONEY, GOODS, BENEFITS AND / OR SERVICES EXCHANGED ?",
    "TYPE OF ABDUCTION",
    "PREVIOUSLY REPORTED THIS INCIDENT?",
    "PREVIOUS GBV INCIDENTS?",
    "No. ALLEGED PRIMARY PERPETRATOR(S)",
    "ALLEGED PERPETRATOR SEX",
    "PREVIOUS INCIDENT WITH THIS PERPETRATOR",
    "ALLEGED PERPETRATOR AGE GROUP",
    "ALLEGED PERPETRATOR - SURVIVOR RELATIONSHIP",
    "ALLEGED PERPETRATOR OCCUPATION",
    "REFERRED TO YOU FROM?",
    "SAFE HOUSE / SHELTER",
    "HEALTH / MEDICAL SERVICES",
    "PSYCHOSOCIAL SERVICES",
    "WANTS LEGAL ACTION?",
    "LEGAL ASSISTANCE SERVICES",
    "POLICE / OTHER SECURITY ACTOR",
    "LIVELIHOODS PROGRAM",
    "CONSENT GIVEN",
    "REPORTING AGENCY CODE",
]

# Our codes → the Incident Recorder's answers.
AGE_GROUP = {
    "0-11": "Age 0 - 11",
    "12-17": "Age 12 - 17",
    "18-25": "Age 18 - 25",
    "26-40": "Age 26 - 40",
    "41-60": "Age 41 - 60",
    "61+": "Age 61 & Older",
    AgeGroup.UNKNOWN: "Unknown",
}
YES_NO = {"yes": "Yes", "no": "No", "unknown": "Unknown"}
MARITAL = {
    "single": "Single",
    "married": "Married / Cohabiting",
    "separated": "Divorced / Separated",
    "widowed": "Widowed",
}
# The registry's population group → the IR's displacement status at report.
DISPLACEMENT_STATUS = {
    "refugee": "Refugee",
    "asylum_seeker": "Asylum Seeker",
    "migrant_regular": "Foreign National",
    "migrant_irregular": "Foreign National",
    "returnee": "Returnee",
    "idp": "IDP",
    "host_community": "Resident",
}
STAGE = {
    "not_displaced": "Not Displaced / Home Community",
    "pre_displacement": "Pre-displacement",
    "during_flight": "During Flight",
    "during_refuge": "During Refuge",
    "return_transit": "During Return / Transit",
    "post_displacement": "Post-displacement",
}
TIME_OF_DAY = {
    "morning": "Morning (sunrise to noon)",
    "afternoon": "Afternoon (noon to sunset)",
    "night": "Evening / night (sunset to sunrise)",
    "unknown": "Unknown / Not Applicable",
}
PLACE = {
    "bush_forest": "Bush / Forest",
    "garden_field": "Garden / Cultivated Field",
    "school": "School",
    "road": "Road",
    "survivor_home": "Client's Home",
    "perpetrator_home": "Perpetrator's Home",
    "market": "Market",
    "health_facility": "Health Facility",
    "riverside_beach": "Riverside / Beach",
    "latrine": "Latrine / Bathing Facility",
    "workplace": "Work / Farm",
    "lodging": "Guest House / Hotel / Shelter",
    "entertainment": "Bar / Entertainment Venue",
    "border_crossing": "Border Crossing",
    "other": "Other",
}
GBV_TYPE = {
    "rape": "Rape",
    "sexual_assault": "Sexual Assault",
    "physical_assault": "Physical Assault",
    "forced_marriage": "Forced Marriage",
    "denial": "Denial of Resources, Opportunities or Services",
    "psychological": "Psychological / Emotional Abuse",
}
PERPETRATOR_SEX = {"M": "M", "F": "F", "both": "Both female and male", "unknown": "Unknown"}
RELATIONSHIP = {
    "intimate_partner": "Intimate Partner / Former Partner",
    "caregiver": "Primary Caregiver",
    "family": "Family other than spouse or caregiver",
    "employer": "Supervisor / Employer",
    "teacher": "Teacher / School Official",
    "service_provider": "Service Provider",
    "authority": "Other",
    "community": "Other resident community member",
    "stranger": "No relation",
    "unknown": "Unknown",
}
OCCUPATION = {
    "unemployed": "Unemployed",
    "armed_forces": "Security Official",
    "armed_group": "Armed Group",
    "business": "Business Owner / Trader / Salesman",
    "farmer_fisher": "Farmer / Fisherman",
    "driver": "Driver",
    "teacher": "Teacher",
    "religious_leader": "Religious Leader",
    "community_leader": "Community Leader",
    "public_official": "Government Employee",
    "humanitarian": "Humanitarian / Development Worker",
    "health_worker": "Health Worker",
    "student": "Student",
    "other": "Other",
    "unknown": "Unknown",
}
REFERRED_FROM = {
    "self": "Self Referral / First Point of Contact",
    "health": "Health / Medical Services",
    "psychosocial": "Psychosocial / Counseling Services",
    "police": "Police / Other Security Actor",
    "legal": "Legal Assistance Services",
    "livelihoods": "Livelihoods Program",
    "safe_house": "Safe House / Shelter",
    "teacher": "Teacher / School Official",
    "community_leader": "Community or Camp Leader",
    "humanitarian": "Other Humanitarian or Development Actor",
    "government": "Other Government Service",
    "other": "Other",
}
OUTCOME = {
    ServiceOutcome.REFERRED: "Referred",
    ServiceOutcome.PROVIDED: "Service provided by your agency",
    ServiceOutcome.ALREADY_RECEIVED: "Services already received from another agency",
    ServiceOutcome.NOT_APPLICABLE: "Service not applicable",
    ServiceOutcome.DECLINED: "Referral declined by survivor",
    ServiceOutcome.UNAVAILABLE: "Service unavailable",
}
LEGAL_ACTION = {"yes": "Yes", "no": "No", "undecided": "Undecided at time of report"}
# The IR's service columns, and the kind of service of ours each one reads.
SERVICE_COLUMNS = {
    "SAFE HOUSE / SHELTER": ServiceType.SHELTER,
    "HEALTH / MEDICAL SERVICES": ServiceType.HEALTH,
    "PSYCHOSOCIAL SERVICES": ServiceType.PSYCHOSOCIAL,
    "LEGAL ASSISTANCE SERVICES": ServiceType.LEGAL,
    "POLICE / OTHER SECURITY ACTOR": ServiceType.POLICE,
    "LIVELIHOODS PROGRAM": ServiceType.LIVELIHOODS,
}


def ir_date(day: datetime.date | None) -> str:
    """The IR's dates: 05-Feb-2026, English month names whatever the user's language."""
    return f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year}" if day else ""


def _abduction(context: list[str]) -> str:
    if IncidentContext.TRAFFICKING in context:
        return "Trafficked"
    if IncidentContext.ABDUCTION in context:
        return "Other Abduction / Kidnapping"
    return "None"


def _previously_reported(incident: Incident) -> str:
    if incident.reported_elsewhere != "yes":
        return "No"
    if incident.reported_to_gbvims_agency:
        return "Yes-GBVIMS Org / Agency"
    return "Yes-Non GBVIMS Org / Agency"


def _perpetrators(count: int) -> str | int:
    return count if count <= 3 else "More than 3"


def _places(incident: Incident, chain: list) -> tuple[str, str, str]:
    """County, district and camp/town: our first three levels of areas; abroad, the country."""
    if not incident.area_id:
        return names.country_name(incident.country), "", ""
    by_level = {area.level: area.display_name for area in chain}
    return by_level.get(1, ""), by_level.get(2, ""), by_level.get(3, "")


def row(incident: Incident, survivor: dict, outcomes: dict[str, str], areas: list) -> list:
    """One line of the IR for `incident`. `survivor` holds only `sex`, `nationality` and
    `population_group`; `outcomes` the case's decision per service type; `areas` the incident
    area's chain."""
    context = incident.context or []
    county, district, town = _places(incident, areas)
    values = {
        "INCIDENT ID": incident.uuid.hex[:8].upper(),
        "SURVIVOR CODE": incident.case.reference,
        "CASE MANAGER CODE": f"CM-{incident.case.owner_id}",
        "DATE OF INTERVIEW": ir_date(incident.report_date),
        "DATE OF INCIDENT": ir_date(incident.incident_date),
        "DATE OF BIRTH": "",
        "SEX": {"F": "F", "M": "M"}.get(survivor.get("sex", ""), ""),
        "ETHNICITY": incident.get_survivor_ethnicity_display(),
        "COUNTRY OF ORIGIN": names.country_name(survivor.get("nationality", "")),
        "CIVIL / MARITAL STATUS": MARITAL.get(incident.survivor_marital_status, ""),
        "DISPLACEMENT STATUS AT REPORT": DISPLACEMENT_STATUS.get(
            survivor.get("population_group", ""), ""
        ),
        "STAGE OF DISPLACEMENT AT INCIDENT": STAGE.get(incident.displacement_stage, ""),
        "INCIDENT TIME OF DAY": TIME_OF_DAY.get(incident.time_of_day, ""),
        "INCIDENT LOCATION": PLACE.get(incident.place_type, ""),
        "INCIDENT COUNTY": county,
        "INCIDENT DISTRICT": district,
        "INCIDENT CAMP / TOWN": town,
        "GBV TYPE": GBV_TYPE[incident.type],
        "HARMFUL TRADITIONAL PRACTICE": (
            "Yes" if IncidentContext.HARMFUL_PRACTICE in context else "No"
        ),
        "MONEY, GOODS, BENEFITS AND / OR SERVICES EXCHANGED ?": (
            "Yes" if IncidentContext.TRANSACTIONAL in context else "No"
        ),
        "TYPE OF ABDUCTION": _abduction(context),
        "PREVIOUSLY REPORTED THIS INCIDENT?": _previously_reported(incident),
        "PREVIOUS GBV INCIDENTS?": YES_NO.get(incident.previous_incidents, ""),
        "No. ALLEGED PRIMARY PERPETRATOR(S)": _perpetrators(incident.perpetrator_count),
        "ALLEGED PERPETRATOR SEX": PERPETRATOR_SEX.get(incident.perpetrator_sex, ""),
        "PREVIOUS INCIDENT WITH THIS PERPETRATOR": YES_NO.get(incident.former_perpetrator, ""),
        "ALLEGED PERPETRATOR AGE GROUP": AGE_GROUP.get(incident.perpetrator_age_group, ""),
        "ALLEGED PERPETRATOR - SURVIVOR RELATIONSHIP": RELATIONSHIP.get(
            incident.perpetrator_relationship, ""
        ),
        "ALLEGED PERPETRATOR OCCUPATION": OCCUPATION.get(incident.perpetrator_occupation, ""),
        "REFERRED TO YOU FROM?": REFERRED_FROM.get(incident.referred_by, ""),
        "WANTS LEGAL ACTION?": LEGAL_ACTION.get(incident.wants_legal_action, ""),
        # Only incidents whose survivor agreed are ever written (see `queries`).
        "CONSENT GIVEN": "Yes",
        "REPORTING AGENCY CODE": incident.case.organization.code,
    }
    for column, service in SERVICE_COLUMNS.items():
        values[column] = OUTCOME.get(outcomes.get(service, ""), "")
    return [values.get(column, "") for column in COLUMNS]


def workbook(rows: list[list]) -> bytes:
    """The XLSX: the IR's "Incident Data" sheet, then a note saying what the rows are."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Incident Data"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in rows:
        sheet.append(line)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = len(column) + 5
    note = book.create_sheet(_("Note"))
    note.append([caveat()])
    note.append([_("Only incidents whose survivor consented to sharing them for statistics.")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def caveat() -> str:
    """Said the same on every page and file that shows these numbers."""
    return _(
        "These are cases reported to the services of this organization, not the prevalence of "
        "gender-based violence."
    )
