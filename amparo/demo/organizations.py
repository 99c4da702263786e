"""The demo's organizations, offices and one user per role. Idempotent: safe to run twice."""

from dataclasses import dataclass

from django.db import transaction

from amparo.core import actions, locations
from amparo.core.models import Area, Office, Organization, Role, User

DEMO_PASSWORD = "amparo-demo-2026"  # noqa: S105 - printed for demo logins, never for real use


@dataclass(frozen=True)
class DemoOrg:
    code: str
    name: str
    country: str
    kind: str
    partner: bool
    offices: tuple[tuple[str, str, str], ...]  # (code, name, ISO 3166-2 area)


ORGANIZATIONS = (
    DemoOrg(
        "hias-ec",
        "HIAS Ecuador",
        "EC",
        "ngo",
        True,  # on the Care Route: the hospital refers patients to it (demo.cases)
        (
            ("quito", "Quito", "EC-P"),
            ("lago-agrio", "Lago Agrio", "EC-U"),
        ),
    ),
    DemoOrg(
        "iom-ec",
        "OIM Ecuador",
        "EC",
        "un_agency",
        False,
        (
            ("quito", "Quito", "EC-P"),
            ("tulcan", "Tulcán", "EC-C"),
            ("huaquillas", "Huaquillas", "EC-O"),
            ("guayaquil", "Guayaquil", "EC-G"),
            ("manta", "Manta", "EC-M"),
            ("san-lorenzo", "San Lorenzo", "EC-E"),
            ("cuenca", "Cuenca", "EC-A"),
        ),
    ),
    DemoOrg(
        "hias-pa", "HIAS Panamá", "PA", "ngo", False, (("panama", "Ciudad de Panamá", "PA-8"),)
    ),
    DemoOrg(
        "hospital-lago-agrio",
        "Hospital Marco Vinicio Iza",
        "EC",
        "health",
        True,
        (("lago-agrio", "Lago Agrio", "EC-U"),),
    ),
    DemoOrg(
        "dinapen-esmeraldas",
        "Policía Nacional – DINAPEN Esmeraldas",
        "EC",
        "police",
        True,
        (("san-lorenzo", "San Lorenzo", "EC-E"),),
    ),
    DemoOrg(
        "fiscalia-sucumbios",
        "Fiscalía Provincial de Sucumbíos",
        "EC",
        "justice",
        True,
        (("lago-agrio", "Nueva Loja", "EC-U"),),
    ),
    # The San Lorenzo coordination network's other partners (amparo.demo.directory.NETWORK),
    # with OIM as convener, HIAS and the police above. The national child institute (INFA) is
    # now part of MIES.
    DemoOrg(
        "mies-esmeraldas",
        "MIES – Dirección Distrital San Lorenzo",
        "EC",
        "child_protection",
        True,
        (("san-lorenzo", "San Lorenzo", "EC-E"),),
    ),
    DemoOrg(
        "comisaria-san-lorenzo",
        "Comisaría Nacional de Policía de San Lorenzo",
        "EC",
        "justice",
        True,
        (("san-lorenzo", "San Lorenzo", "EC-E"),),
    ),
    DemoOrg(
        "fiscalia-esmeraldas",
        "Fiscalía General del Estado – Esmeraldas",
        "EC",
        "justice",
        True,
        (("san-lorenzo", "San Lorenzo", "EC-E"),),
    ),
    DemoOrg(
        "patronato-san-lorenzo",
        "Fondo Social Municipal – Patronato de San Lorenzo",
        "EC",
        "government",
        True,
        (("san-lorenzo", "San Lorenzo", "EC-E"),),
    ),
    DemoOrg(
        "mujeres-afro-san-lorenzo",
        "Movimiento de Mujeres Afroecuatorianas de San Lorenzo",
        "EC",
        "ngo",
        True,
        (("san-lorenzo", "San Lorenzo", "EC-E"),),
    ),
    DemoOrg(
        "hospital-divina-providencia",
        "Hospital Divina Providencia",
        "EC",
        "health",
        True,
        (("san-lorenzo", "San Lorenzo", "EC-E"),),
    ),
)

# Only OIM Ecuador asks its administrator for two-factor sign-in, so that trainers can show
# it (`admin.oim` sets up an authenticator app at the first sign-in) while every other demo
# account signs in with its password alone (README, "Demo logins").
TWO_FACTOR_DEMO = {"iom-ec"}

# (username, first name, last name, organization, office or None, role)
USERS = (
    ("admin.hias", "Lucía", "Andrade", "hias-ec", None, "administrator"),
    ("registro.lagoagrio", "Carlos", "Quiñónez", "hias-ec", "lago-agrio", "registration_officer"),
    ("caso.quito", "Daniela", "Paredes", "hias-ec", "quito", "caseworker"),
    ("supervisora.quito", "Verónica", "Salazar", "hias-ec", "quito", "case_supervisor"),
    ("vbg.lagoagrio", "Mariela", "Cedeño", "hias-ec", "lago-agrio", "gbv_specialist"),
    ("coord.vbg.lagoagrio", "Gabriela", "Tapia", "hias-ec", "lago-agrio", "case_supervisor"),
    ("entregas.lagoagrio", "Jorge", "Tenorio", "hias-ec", "lago-agrio", "distribution_officer"),
    ("mye.hias", "Andrés", "Villacís", "hias-ec", None, "me_officer"),
    ("datos.hias", "Ximena", "Jaramillo", "hias-ec", None, "information_manager"),
    ("etica.hias", "Paola", "Rivadeneira", "hias-ec", None, "ethics_focal_point"),
    ("comunicacion.hias", "Estefanía", "Guerrero", "hias-ec", None, "communication_officer"),
    ("admin.oim", "Sofía", "Espinosa", "iom-ec", None, "administrator"),
    ("registro.tulcan", "Diego", "Benavides", "iom-ec", "tulcan", "registration_officer"),
    ("registro.sanlorenzo", "Ruth", "Cortez", "iom-ec", "san-lorenzo", "registration_officer"),
    ("caso.panama", "Yanelis", "Batista", "hias-pa", "panama", "caseworker"),
    # Keeps the hospital's directory, where HIAS's psychosocial unit is listed (demo.cases).
    ("admin.hospital", "Silvia", "Grefa", "hospital-lago-agrio", None, "administrator"),
    ("enlace.hospital", "Fernando", "Aguinda", "hospital-lago-agrio", None, "partner_focal_point"),
    ("enlace.dinapen", "Mónica", "Valencia", "dinapen-esmeraldas", None, "partner_focal_point"),
    # San Lorenzo network: the hospital's administrator keeps the shared route with admin.oim;
    # the women's movement, the hospital and the prosecutor pass a survivor along it.
    ("admin.divina", "Teresa", "Caicedo", "hospital-divina-providencia", None, "administrator"),
    (
        "enlace.divina",
        "Julio",
        "Angulo",
        "hospital-divina-providencia",
        None,
        "partner_focal_point",
    ),
    ("enlace.fiscalia", "Nelly", "Ayoví", "fiscalia-esmeraldas", None, "partner_focal_point"),
    (
        "enlace.mujeres",
        "Rosa",
        "Castillo",
        "mujeres-afro-san-lorenzo",
        None,
        "partner_focal_point",
    ),
)


@transaction.atomic
def load() -> list[tuple[str, str, str]]:
    """Create what is missing; return (username, role, organization) for every demo login."""
    actions.sync_builtin_roles()
    if not Area.objects.filter(level=1).exists():  # reference data wiped (e.g. a test flush)
        locations.load(Area)
    orgs: dict[str, Organization] = {}
    for spec in ORGANIZATIONS:
        org = Organization.objects.filter(code=spec.code).first() or actions.create_organization(
            actor=None,
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            country=Area.objects.get(code=spec.country),
            is_care_route_partner=spec.partner,
        )
        orgs[spec.code] = org
        actions.set_two_factor_policy(
            actor=None, organization=org, required=spec.code in TWO_FACTOR_DEMO
        )
        for code, name, area in spec.offices:
            if not Office.objects.filter(organization=org, code=code).exists():
                actions.create_office(
                    actor=None,
                    organization=org,
                    code=code,
                    name=name,
                    area=Area.objects.get(code=area),
                )
    logins = []
    for username, first, last, org_code, office_code, role_code in USERS:
        org = orgs[org_code]
        role = Role.objects.get(organization=None, code=role_code)
        if not User.objects.filter(username=username).exists():
            office = Office.objects.get(organization=org, code=office_code) if office_code else None
            actions.create_user(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                organization=org,
                office=office,
                role=role,
                first_name=first,
                last_name=last,
            )
        logins.append((username, str(role.label), org.name))
    return logins
