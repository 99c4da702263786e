"""Who may consent for a child survivor, by age.

Source: Inter-Agency "Caring for Child Survivors of Sexual Abuse" guidelines (IRC/UNICEF,
2012), the table on informed consent and informed assent by age: 0–5 the caregiver's (or
another trusted adult's) informed consent; 6–11 the caregiver's consent and the child's
informed assent; 12–14 the child's assent and the caregiver's consent; 15–17 the adolescent's
own informed consent (the caregiver's too where the child agrees and it is safe). When the
caregiver is the alleged perpetrator, absent, or acting against the child's interest, the
caregiver cannot consent: a best-interests decision replaces it (here, by a case supervisor
other than the caseworker). An organization whose national law sets other ages changes this
table.
"""

from __future__ import annotations

from dataclasses import dataclass

from amparo.cases.models import ConsentGiver

ADULT_AGE = 18


@dataclass(frozen=True)
class AgeBand:
    youngest: int
    oldest: int
    givers: frozenset[str]  # who may consent at this age
    assent: bool  # the caregiver's consent needs the child's informed assent


CHILD_CONSENT_BY_AGE = (
    AgeBand(0, 5, frozenset({ConsentGiver.CAREGIVER, ConsentGiver.BEST_INTERESTS}), False),
    AgeBand(6, 11, frozenset({ConsentGiver.CAREGIVER, ConsentGiver.BEST_INTERESTS}), True),
    AgeBand(12, 14, frozenset({ConsentGiver.CAREGIVER, ConsentGiver.BEST_INTERESTS}), True),
    AgeBand(15, 17, frozenset({ConsentGiver.SURVIVOR}), False),
)


def band_for(age: int) -> AgeBand | None:
    """The band of a child's age; None for an adult, who consents for herself."""
    return next((b for b in CHILD_CONSENT_BY_AGE if b.youngest <= age <= b.oldest), None)


def is_child(age: int | None) -> bool:
    return age is not None and age < ADULT_AGE


def giver_problem(
    *,
    age: int,
    given_by: str,
    child_assent: bool,
    perpetrator_is_caregiver: bool,
) -> str | None:
    """Why consent given this way does not hold for a child of `age` (translated), or None."""
    from django.utils.translation import gettext as _

    band = band_for(age)
    if band is None:
        return _("The survivor is an adult: she consents for herself.")
    if given_by not in band.givers:
        if given_by == ConsentGiver.SURVIVOR:
            return _(
                "At %(age)d a child does not consent alone: record the caregiver's consent "
                "with the child's assent, or a supervisor's best-interests decision."
            ) % {"age": age}
        return _(
            "At %(age)d the adolescent gives her own informed consent: record it as given by "
            "the survivor."
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
    return None
