"""Services given and group activities of HIAS Ecuador's demo offices (Quito, Lago Agrio).

Idempotent: an office that already has demo activities is left alone. Recorded through the
activities' own action, as the demo users, so the rules and the audit trail apply. Registered
participants come from the office's demo households (load the registry first); without them only
the group activities with people counted are recorded.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from amparo.activities import actions
from amparo.activities.models import Activity, ActivityType, Sector
from amparo.core.models import Office, User
from amparo.registry.models import Individual
from amparo.registry.queries import individuals_visible_to

ORGANIZATION = "hias-ec"

LEGAL = "ACNUR – Asistencia legal y documentación 2026"
PROTECTION = "PRM – Protección e integración local"
MHPSS = "ECHO – Salud mental y apoyo psicosocial"
GBV = "Fondo de respuesta a la violencia basada en género"
LIVELIHOODS = "Medios de vida e integración"
PROGRAMMES = (LEGAL, PROTECTION, MHPSS, GBV, LIVELIHOODS)

T = ActivityType


@dataclass(frozen=True)
class Spec:
    days_ago: int
    type: str
    sector: str
    programme: str
    recorder: str
    # Who of the household took part: "head", "couple", "family", "women" (adult women of
    # several households) or "" (nobody registered).
    who: str = "head"
    colleagues: tuple[str, ...] = ()
    counts: dict = field(default_factory=dict)


def _cells(**by_key: int) -> dict[tuple[str, str], int]:
    """F_18_59=12 → {("F", "18-59"): 12}; 60plus for 60+."""
    cells = {}
    for key, number in by_key.items():
        sex, band = key.split("_", 1)
        cells[(sex, band.replace("_", "-").replace("plus", "+"))] = number
    return cells


SPECS: dict[str, tuple[Spec, ...]] = {
    "quito": (
        Spec(3, T.LEGAL_COUNSELLING, Sector.LEGAL, LEGAL, "caso.quito"),
        Spec(5, T.RSD_SUPPORT, Sector.LEGAL, LEGAL, "caso.quito"),
        Spec(8, T.DOCUMENTATION, Sector.LEGAL, LEGAL, "caso.quito", "family"),
        Spec(10, T.LEGAL_COUNSELLING, Sector.LEGAL, LEGAL, "supervisora.quito"),
        Spec(12, T.PFA, Sector.MHPSS, MHPSS, "caso.quito"),
        Spec(15, T.RSD_SUPPORT, Sector.LEGAL, LEGAL, "caso.quito", "couple"),
        Spec(19, T.DETENTION_RELEASE, Sector.PROTECTION, PROTECTION, "supervisora.quito"),
        Spec(22, T.INDIVIDUAL_THERAPY, Sector.MHPSS, MHPSS, "caso.quito"),
        Spec(26, T.COUPLE_THERAPY, Sector.MHPSS, MHPSS, "caso.quito", "couple"),
        Spec(31, T.FAMILY_THERAPY, Sector.MHPSS, MHPSS, "caso.quito", "family"),
        Spec(37, T.DOCUMENTATION, Sector.LEGAL, LEGAL, "supervisora.quito"),
        Spec(44, T.LEGAL_COUNSELLING, Sector.LEGAL, LEGAL, "caso.quito"),
        Spec(
            4,
            T.SUPPORT_GROUP,
            Sector.MHPSS,
            MHPSS,
            "caso.quito",
            "women",
            ("supervisora.quito",),
            _cells(F_18_59=6, F_60plus=1),
        ),
        Spec(
            9,
            T.LITERACY,
            Sector.EDUCATION,
            LIVELIHOODS,
            "caso.quito",
            "women",
            counts=_cells(F_18_59=9, M_18_59=4, F_12_17=3),
        ),
        Spec(
            16,
            T.PARENTING,
            Sector.CHILD_PROTECTION,
            PROTECTION,
            "supervisora.quito",
            "",
            ("caso.quito",),
            _cells(F_18_59=14, M_18_59=5, F_60plus=2),
        ),
        Spec(
            23,
            T.CHILD_RECREATION,
            Sector.CHILD_PROTECTION,
            PROTECTION,
            "caso.quito",
            "",
            counts=_cells(F_0_5=6, M_0_5=7, F_6_11=11, M_6_11=9, F_12_17=4, M_12_17=5),
        ),
        Spec(
            33,
            T.TRAINING_OFFICIALS,
            Sector.PROTECTION,
            PROTECTION,
            "supervisora.quito",
            "",
            counts=_cells(F_18_59=12, M_18_59=10),
        ),
        Spec(
            47,
            T.TRAINING_COMMUNITY,
            Sector.INTEGRATION,
            LIVELIHOODS,
            "caso.quito",
            "",
            ("supervisora.quito",),
            _cells(F_18_59=18, M_18_59=11, X_18_59=1, F_60plus=3, M_60plus=2),
        ),
    ),
    "lago-agrio": (
        Spec(2, T.PFA, Sector.GBV, GBV, "vbg.lagoagrio"),
        Spec(6, T.PFA, Sector.GBV, GBV, "vbg.lagoagrio"),
        Spec(11, T.INDIVIDUAL_THERAPY, Sector.MHPSS, MHPSS, "vbg.lagoagrio"),
        Spec(14, T.LEGAL_COUNSELLING, Sector.LEGAL, LEGAL, "vbg.lagoagrio"),
        Spec(18, T.PFA, Sector.MHPSS, MHPSS, "vbg.lagoagrio"),
        Spec(25, T.INDIVIDUAL_THERAPY, Sector.MHPSS, MHPSS, "vbg.lagoagrio"),
        Spec(29, T.DOCUMENTATION, Sector.LEGAL, LEGAL, "vbg.lagoagrio", "family"),
        Spec(
            7,
            T.SUPPORT_GROUP,
            Sector.GBV,
            GBV,
            "vbg.lagoagrio",
            "women",
            counts=_cells(F_18_59=5, F_12_17=1),
        ),
        Spec(
            21,
            T.SUPPORT_GROUP,
            Sector.GBV,
            GBV,
            "vbg.lagoagrio",
            "women",
            counts=_cells(F_18_59=4),
        ),
        Spec(
            13,
            T.CHILD_RECREATION,
            Sector.CHILD_PROTECTION,
            PROTECTION,
            "vbg.lagoagrio",
            "",
            ("registro.lagoagrio",),
            _cells(F_6_11=8, M_6_11=10, F_12_17=3, M_12_17=2),
        ),
        Spec(
            27,
            T.PARENTING,
            Sector.CHILD_PROTECTION,
            PROTECTION,
            "vbg.lagoagrio",
            "women",
            counts=_cells(F_18_59=7, M_18_59=2),
        ),
        Spec(
            35,
            T.TRAINING_OFFICIALS,
            Sector.GBV,
            GBV,
            "vbg.lagoagrio",
            "",
            counts=_cells(F_18_59=6, M_18_59=13),
        ),
        Spec(
            42,
            T.TRAINING_COMMUNITY,
            Sector.GBV,
            GBV,
            "vbg.lagoagrio",
            "",
            ("entregas.lagoagrio",),
            _cells(F_18_59=21, M_18_59=8, F_12_17=6, M_12_17=4, F_60plus=2),
        ),
    ),
}


def _age(person: Individual, today: datetime.date) -> int:
    born = person.date_of_birth
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _households(actor: User, office: Office) -> list[list[Individual]]:
    """The office's demo households the actor can see, members head first, oldest first."""
    by_household: dict[int, list[Individual]] = {}
    people = (
        individuals_visible_to(actor)
        .filter(household__office=office)
        .order_by("household_id", "-is_head", "date_of_birth")
    )
    for person in people[:2000]:
        by_household.setdefault(person.household_id, []).append(person)
    return [members for members in by_household.values() if members[0].is_head]


def _pick(households: list, index: int, fits) -> list[Individual]:
    """The first household from `index` on (round the list) that `fits`, else the index's."""
    for offset in range(len(households)):
        members = households[(index + offset) % len(households)]
        if fits(members):
            return members
    return households[index % len(households)]


def _participants(spec: Spec, index: int, households: list, today: datetime.date) -> list:
    if not spec.who or not households:
        return []
    if spec.who == "women":
        women = [
            p
            for members in households[index : index + 12]
            for p in members
            if p.sex == "F" and _age(p, today) >= 18
        ]
        return women[:4]
    if spec.who == "family":
        return _pick(households, index, lambda members: len(members) >= 3)
    if spec.who == "couple":
        members = _pick(
            households, index, lambda members: any(p.relationship == "spouse" for p in members)
        )
        return [p for p in members if p.relationship in ("head", "spouse")][:2]
    return households[index % len(households)][:1]


@transaction.atomic
def load() -> dict[str, int]:
    """Record the demo's services given; return how many were added and skipped."""
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.filter(organization__code=ORGANIZATION)}
    added = skipped = 0
    for office_code, specs in SPECS.items():
        office = Office.objects.filter(organization__code=ORGANIZATION, code=office_code).first()
        recorders = {s.recorder for s in specs} | {c for s in specs for c in s.colleagues}
        if office is None or not recorders <= users.keys():
            skipped += len(specs)
            continue
        if Activity.objects.filter(office=office, programme__in=PROGRAMMES).exists():
            skipped += len(specs)
            continue
        households_by_recorder = {
            name: _households(users[name], office) for name in {s.recorder for s in specs}
        }
        for index, spec in enumerate(specs):
            actor = users[spec.recorder]
            people = _participants(spec, index, households_by_recorder[spec.recorder], today)
            if not people and not spec.counts:
                skipped += 1
                continue
            actions.record_activity(
                actor=actor,
                office=office,
                type=spec.type,
                date=today - datetime.timedelta(days=spec.days_ago),
                staff=[actor, *(users[c] for c in spec.colleagues)],
                sector=spec.sector,
                programme=spec.programme,
                participants=people,
                counts=spec.counts,
            )
            added += 1
    return {"activities": added, "skipped": skipped}
