"""Which country's numbering applies: local phone numbers and area lists follow the office."""

from amparo.core.models import Office, User

DEFAULT_REGION = "EC"


def office_region(office: Office) -> str:
    """The country (ISO 3166-1) of an office: its area's, else its organization's."""
    if office.area_id:
        return office.area.country_code
    if office.organization.country_id:
        return office.organization.country.code
    return DEFAULT_REGION


def user_region(user: User) -> str:
    """The country whose local phone numbers the user types (their office's)."""
    if user.office_id:
        return office_region(user.office)
    if user.organization_id and user.organization.country_id:
        return user.organization.country.code
    return DEFAULT_REGION
