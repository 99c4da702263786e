"""Demo duplicates for HIAS Ecuador: a dozen people registered a second time, at another
office, with the slips registration makes (a nickname or a dropped second given name, the
second surname left out, day and month swapped, a typo, surnames swapped, a new document after
regularization), then a search for duplicates over the organization's registry as its
information management officer, so that "Duplicates" has pairs to review. Everything goes
through the registry's and dedup's actions. Idempotent: once HIAS has a run, nothing is added.
"""

from __future__ import annotations

import datetime

from amparo.core.models import Organization, User
from amparo.dedup import actions
from amparo.dedup.models import Run
from amparo.registry.actions import register_household
from amparo.registry.actions.changes import member_data
from amparo.registry.models import Individual

ORGANIZATION = "hias-ec"
MANAGER = "datos.hias"
OFFICER = "registro.lagoagrio"
TWICE = 12


def _typo(word: str) -> str:
    if len(word) < 4:
        return word
    return word[:2] + word[3] + word[2] + word[4:]


def second_record(person: Individual, kind: int) -> dict:
    data = member_data(person)
    data.update(relationship="head", specific_needs=[])
    given = data["given_names"].split()
    born: datetime.date = data["date_of_birth"]
    if kind % 3 == 0 and len(given) > 1:
        data["given_names"] = given[0]  # the second given name left out
    elif kind % 3 == 1:
        data["first_surname"] = _typo(data["first_surname"])
    if kind % 2 == 0 and data["second_surname"]:
        data["second_surname"] = ""
    elif kind % 4 == 1 and data["second_surname"]:
        data["first_surname"], data["second_surname"] = (
            data["second_surname"],
            data["first_surname"],
        )
    if kind % 4 == 3 and born.day <= 12 and born.day != born.month:
        data["date_of_birth"] = born.replace(month=born.day, day=born.month)
    if kind % 5 == 4:  # regularized since: a new document and no trace of the old one
        data["documents"] = [
            {"type": "visa", "number": f"VIRTE-{person.pk:06d}", "issuing_country": "EC"}
        ]
    return data


def load() -> dict[str, int]:
    organization = Organization.objects.filter(code=ORGANIZATION).first()
    if organization is None or Run.objects.filter(organization=organization).exists():
        return {"pairs": 0}
    manager = User.objects.get(username=MANAGER)
    officer = User.objects.select_related("office").get(username=OFFICER)
    people = (
        Individual.objects.filter(organization=organization, is_head=True, dob_estimated=False)
        .exclude(household__office=officer.office)
        .order_by("pk")[:TWICE]
    )
    for kind, person in enumerate(people):
        register_household(
            actor=officer, office=officer.office, members=[second_record(person, kind)]
        )
    run = actions.run_deduplication(
        organization=organization,
        people=Individual.objects.filter(organization=organization),
        started_by=manager,
    )
    return {"pairs": run.pairs}
