"""Load the synthetic households into the registry (demo and benchmarks). Idempotent."""

from collections.abc import Iterable

from django.utils import timezone

from amparo.core.errors import Errors
from amparo.core.models import Office, User
from amparo.demo import people
from amparo.registry import actions
from amparo.registry.regions import office_region


def prepare(households: Iterable[people.Household], *, seed: int) -> list:
    """Validate generated households with the registry's own rules; skip offices not present."""
    offices = {
        f"{o.organization.code}/{o.code}": o
        for o in Office.objects.select_related("organization", "organization__country", "area")
    }
    registrars: dict[int, User] = {}
    today = timezone.localdate()
    prepared = []
    for household in households:
        office = offices.get(household.office)
        if office is None:
            continue
        registrar = registrars.get(office.organization_id)
        if registrar is None:
            registrar = (
                User.objects.filter(organization_id=office.organization_id)
                .order_by("username")
                .first()
            )
            if registrar is None:
                continue
            registrars[office.organization_id] = registrar
        errors = Errors()
        region = office_region(office)
        members = [
            actions.clean_member(_as_input(p), index=i, region=region, today=today, errors=errors)
            for i, p in enumerate(household.members)
        ]
        if errors:
            raise ValueError(f"generated household {household.ref} invalid: {errors}")
        prepared.append(
            actions.PreparedHousehold(
                office=office,
                source_ref=f"demo:{seed}:{household.ref}",
                members=members,
                registered_on=min(household.registered_on, today),
                registered_by=registrar,
                phone=household.head.phone,
            )
        )
    return prepared


def _as_input(p: people.Person) -> dict:
    return {
        "given_names": p.given_names,
        "first_surname": p.first_surname,
        "second_surname": p.second_surname,
        "sex": p.sex,
        "date_of_birth": p.date_of_birth,
        "dob_estimated": p.dob_estimated,
        "nationality": p.nationality,
        "population_group": p.population_group,
        "relationship": p.relationship,
        "phone": p.phone,
        "specific_needs": list(p.specific_needs),
        "contact_consent": p.contact_consent,
        "data_sharing_consent": p.data_sharing_consent,
        "consent_purpose": "registration and assistance" if p.data_sharing_consent else "",
        "documents": [
            {
                "type": p.document_type,
                "number": p.document_number,
                "issuing_country": p.document_country,
            }
        ]
        if p.document_type
        else [],
    }


def load(households: int, *, seed: int = 2026) -> dict[str, int]:
    generated = people.generate_households(households, seed=seed)
    return actions.load_households(
        actor=None, households=prepare(generated, seed=seed), source=f"demo generator, seed {seed}"
    )
