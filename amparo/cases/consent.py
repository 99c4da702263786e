"""Who may consent for a child survivor, by age, and which consent a referral needs.

Source: Inter-Agency "Caring for Child Survivors of Sexual Abuse" guidelines (IRC/UNICEF,
2012), the table on informed consent and informed assent by age: 0–5 the caregiver's (or
another trusted adult's) informed consent; 6–11 the caregiver's consent and the child's
informed assent; 12–14 the child's assent and the caregiver's consent; 15–17 the adolescent's
own informed consent (the caregiver's too where the child agrees and it is safe). When the
caregiver is the alleged perpetrator, absent, or acting against the child's interest, the
caregiver cannot consent: a best-interests decision replaces it (here, by a case supervisor
other than the caseworker). An adolescent of 15–17 who cannot give informed consent at that
moment (no capacity, immediate danger) is treated as a younger child: once the caseworker has
recorded why, a caregiver who is not the alleged perpetrator and acts in the adolescent's
interest consents, or a supervisor decides in their best interests. An organization whose
national law sets other ages changes this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from amparo.cases.models import ConsentGiver, GBVService, ServiceType

ADULT_AGE = 18


# Which GBVIMS referral consent each service type needs, for survivors of a recorded incident.
# Every service type is here (a test says so): a referral anywhere tells the recipient who the
# survivor is, so none goes without their consent. Keyed by the stored service type, a str.
GBV_CONSENT_FOR: dict[str, GBVService] = {
    ServiceType.HEALTH: GBVService.HEALTH,
    ServiceType.PSYCHOSOCIAL: GBVService.PSYCHOSOCIAL,
    ServiceType.SHELTER: GBVService.SAFE_HOUSE,
    ServiceType.LEGAL: GBVService.LEGAL,
    ServiceType.JUSTICE: GBVService.LEGAL,
    ServiceType.POLICE: GBVService.POLICE,
    ServiceType.LIVELIHOODS: GBVService.LIVELIHOODS,
    ServiceType.CHILD_PROTECTION: GBVService.CHILD_PROTECTION,
    ServiceType.DOCUMENTATION: GBVService.OTHER,
    ServiceType.EDUCATION: GBVService.OTHER,
    ServiceType.BASIC_NEEDS: GBVService.OTHER,
    ServiceType.OTHER: GBVService.OTHER,
}


@dataclass(frozen=True)
class AgeBand:
    youngest: int
    oldest: int
    givers: frozenset[str]  # who may consent at this age
    assent: bool  # the caregiver's consent needs the child's informed assent
    # Who may consent once the caseworker recorded that the child cannot (15–17 only).
    givers_when_unable: frozenset[str] = frozenset()


_FOR_THE_CHILD = frozenset({ConsentGiver.CAREGIVER, ConsentGiver.BEST_INTERESTS})
CHILD_CONSENT_BY_AGE = (
    AgeBand(0, 5, _FOR_THE_CHILD, False),
    AgeBand(6, 11, _FOR_THE_CHILD, True),
    AgeBand(12, 14, _FOR_THE_CHILD, True),
    AgeBand(15, 17, frozenset({ConsentGiver.SURVIVOR}), False, _FOR_THE_CHILD),
)


def band_for(age: int) -> AgeBand | None:
    """The band of a child's age; None for an adult, who consents for themselves."""
    return next((b for b in CHILD_CONSENT_BY_AGE if b.youngest <= age <= b.oldest), None)


def is_child(age: int | None) -> bool:
    return age is not None and age < ADULT_AGE


def may_be_unable(age: int) -> bool:
    """Whether a caseworker may record that a child of `age` cannot consent for themselves
    (an age at which the child normally does)."""
    band = band_for(age)
    return band is not None and bool(band.givers_when_unable)


def giver_problem(
    *,
    age: int,
    given_by: str,
    child_assent: bool,
    perpetrator_is_caregiver: bool,
    unable: bool = False,
    caregiver_in_interest: bool = False,
) -> str | None:
    """Why consent given this way does not hold for a child of `age` (translated), or None.

    `unable`: the caseworker recorded why an adolescent of 15–17 cannot consent (the consent
    points at that record); `caregiver_in_interest`: the caseworker confirmed the caregiver is
    not the alleged perpetrator and acts in the adolescent's interest."""
    from django.utils.translation import gettext as _

    band = band_for(age)
    if band is None:
        return _("The survivor is an adult and consents for themselves.")
    givers = band.givers | band.givers_when_unable if unable else band.givers
    if given_by not in givers:
        if given_by == ConsentGiver.SURVIVOR:
            return _(
                "At %(age)d a child does not consent alone: record the caregiver's consent "
                "with the child's assent, or a supervisor's best-interests decision."
            ) % {"age": age}
        return _(
            "At %(age)d the adolescent gives their own informed consent: record it as given by "
            "the survivor. If they cannot consent now, first record why (“The adolescent "
            "cannot consent”)."
        ) % {"age": age}
    if given_by == ConsentGiver.CAREGIVER:
        if perpetrator_is_caregiver:
            return _(
                "The alleged perpetrator recorded in an incident is the child's primary "
                "caregiver: a caregiver's consent is not valid. A case supervisor other than "
                "the caseworker must record a best-interests decision."
            )
        if band.assent and not child_assent:
            return _(
                "At %(age)d the caregiver's consent needs the child's informed assent too."
            ) % {"age": age}
        if given_by not in band.givers and not caregiver_in_interest:
            return _(
                "Confirm that the caregiver is not the alleged perpetrator and acts in the "
                "adolescent's interest; otherwise a supervisor's best-interests decision is "
                "needed."
            )
    return None
