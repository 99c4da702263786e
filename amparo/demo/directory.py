"""The demo's service directories and care routes (HIAS Ecuador, OIM Ecuador). Idempotent:
what exists (by name, or by area and need for routes) is left as it is; what is missing is
created, by each organization's demo administrator through the directory's actions, so the demo
obeys the same rules and leaves the same audit trail as the admin. Names and hours are
illustrative, not a real referral pathway."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from amparo.cases.models import CaseType, ServiceType
from amparo.core import audit, locations
from amparo.core.models import Area, Office, Organization, User
from amparo.referrals import actions
from amparo.referrals.actions import RouteStep
from amparo.referrals.models import (
    CareRoute,
    CoordinationNetwork,
    Provider,
    ProviderKind,
    Referral,
    ReferralState,
    Service,
)

WEEKDAYS = "Lunes a viernes, 08:00–17:00"
ALWAYS = "24 horas, todos los días"
EVERYONE = "Todas las personas, sin importar su nacionalidad o situación migratoria"
REFUGEES = "Personas refugiadas, solicitantes de asilo y migrantes"


@dataclass(frozen=True)
class DemoService:
    name: str
    type: str
    areas: tuple[str, ...]
    hours: str = WEEKDAYS
    eligibility: str = EVERYONE
    languages: tuple[str, ...] = ("es",)


@dataclass(frozen=True)
class DemoProvider:
    name: str
    kind: str
    services: tuple[DemoService, ...]
    agency: str | None = None  # organization code; internal units: the organization itself
    office: str | None = None  # office code, internal units only
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    country: str = ""  # ISO 3166-1 code, for a provider across the border


@dataclass(frozen=True)
class DemoRoute:
    area: str
    need: str
    name: str
    steps: tuple[tuple[str, str, str], ...]  # (provider name, service name, note)


@dataclass(frozen=True)
class DemoDirectory:
    organization: str
    administrator: str  # the demo user who keeps it (amparo.demo.organizations creates them)
    providers: tuple[DemoProvider, ...]
    routes: tuple[DemoRoute, ...] = field(default=())


# Provider names used in more than one place.
HIAS_LEGAL = "HIAS – Unidad legal"
HIAS_PSY_QUITO = "HIAS – Unidad psicosocial Quito"
HIAS_PSY_LAGO = "HIAS – Unidad psicosocial Lago Agrio"
HOSPITAL = "Hospital Marco Vinicio Iza"
FISCALIA_SUCUMBIOS = "Fiscalía Provincial de Sucumbíos"
FISCALIA_PICHINCHA = "Fiscalía Provincial de Pichincha"
JUNTA_LAGO = "Junta Cantonal de Protección de Derechos de Lago Agrio"
# The national child institute (INFA) is now part of the Ministry of Economic and Social
# Inclusion: its district office gives special protection to children.
MIES_LAGO = "MIES – Protección especial de la niñez, Lago Agrio"
SPECIAL_PROTECTION = "Protección especial y acogimiento de niñas, niños y adolescentes"
JUNTA_QUITO = "Junta Metropolitana de Protección de Derechos – Quito"
SHELTER = "Casa de acogida para mujeres – Sucumbíos"
CS_QUITO = "Centro de Salud Tipo C – Quito Sur"
UNHCR_EC = "ACNUR Ecuador"
OIM_TEAM = "OIM – Equipo de protección San Lorenzo"
CS_SAN_LORENZO = "Centro de Salud San Lorenzo"
DINAPEN = "DINAPEN Esmeraldas"
FISCALIA_ESMERALDAS = "Fiscalía Provincial de Esmeraldas"
JUNTA_SAN_LORENZO = "Junta Cantonal de Protección de Derechos de San Lorenzo"

SEXUAL_VIOLENCE_CARE = "Atención a víctimas de violencia sexual (profilaxis en 72 horas)"
GBV_COMPLAINT = "Denuncia de violencia de género y peritaje"
PSY_SUPPORT = "Primeros auxilios psicológicos y acompañamiento psicosocial"
LEGAL_AID = "Asesoría legal, asilo y regularización"
PROTECTION_MEASURES = "Medidas administrativas de protección"

DIRECTORIES = (
    DemoDirectory(
        "hias-ec",
        administrator="admin.hias",
        providers=(
            DemoProvider(
                HIAS_LEGAL,
                ProviderKind.INTERNAL,
                (
                    DemoService(
                        LEGAL_AID,
                        ServiceType.LEGAL,
                        ("EC-P", "EC-U"),
                        eligibility=REFUGEES,
                        languages=("es", "en"),
                    ),
                    DemoService(
                        "Acompañamiento a la denuncia y al proceso judicial",
                        ServiceType.LEGAL,
                        ("EC-P", "EC-U"),
                        eligibility=REFUGEES,
                    ),
                ),
                agency="hias-ec",
                office="quito",
                contact_name="Coordinación legal",
                phone="+593 2 000 0001",
                email="legal.demo@hias.example",
            ),
            DemoProvider(
                HIAS_PSY_QUITO,
                ProviderKind.INTERNAL,
                (
                    DemoService(
                        PSY_SUPPORT,
                        ServiceType.PSYCHOSOCIAL,
                        ("EC-P",),
                        eligibility=REFUGEES,
                        languages=("es", "en"),
                    ),
                ),
                agency="hias-ec",
                office="quito",
                contact_name="Coordinación psicosocial",
                phone="+593 2 000 0002",
            ),
            DemoProvider(
                HIAS_PSY_LAGO,
                ProviderKind.INTERNAL,
                (
                    DemoService(
                        PSY_SUPPORT, ServiceType.PSYCHOSOCIAL, ("EC-U",), eligibility=REFUGEES
                    ),
                ),
                agency="hias-ec",
                office="lago-agrio",
                contact_name="Coordinación psicosocial",
                phone="+593 6 000 0003",
            ),
            DemoProvider(
                HOSPITAL,
                ProviderKind.HEALTH,
                (
                    DemoService(SEXUAL_VIOLENCE_CARE, ServiceType.HEALTH, ("EC-U",), hours=ALWAYS),
                    DemoService(
                        "Salud mental – consulta externa", ServiceType.PSYCHOSOCIAL, ("EC-U",)
                    ),
                ),
                agency="hospital-lago-agrio",
                contact_name="Trabajo social",
                phone="+593 6 000 0004",
                address="Nueva Loja, Sucumbíos",
            ),
            DemoProvider(
                FISCALIA_SUCUMBIOS,
                ProviderKind.PROSECUTOR,
                (
                    DemoService(
                        GBV_COMPLAINT,
                        ServiceType.JUSTICE,
                        ("EC-U",),
                        hours="Lunes a viernes, 08:00–17:00; flagrancia 24 horas",
                    ),
                ),
                agency="fiscalia-sucumbios",
                phone="+593 6 000 0005",
                address="Nueva Loja, Sucumbíos",
            ),
            DemoProvider(
                JUNTA_LAGO,
                ProviderKind.GOVERNMENT,
                (DemoService(PROTECTION_MEASURES, ServiceType.CHILD_PROTECTION, ("EC-U",)),),
                phone="+593 6 000 0006",
            ),
            DemoProvider(
                MIES_LAGO,
                ProviderKind.CHILD_INSTITUTE,
                (DemoService(SPECIAL_PROTECTION, ServiceType.CHILD_PROTECTION, ("EC-U",)),),
                address="Nueva Loja, Sucumbíos",
                phone="+593 6 000 0012",
            ),
            DemoProvider(
                SHELTER,
                ProviderKind.NGO,
                (
                    DemoService(
                        "Acogida temporal para mujeres y sus hijas e hijos",
                        ServiceType.SHELTER,
                        ("EC-U",),
                        hours="24 horas; ingreso por derivación",
                        eligibility="Mujeres en riesgo y sus hijas e hijos",
                    ),
                ),
                phone="+593 6 000 0007",
            ),
            DemoProvider(
                UNHCR_EC,
                ProviderKind.UN,
                (
                    DemoService(
                        "Orientación sobre protección internacional",
                        ServiceType.DOCUMENTATION,
                        ("EC-P", "EC-U"),
                        eligibility=REFUGEES,
                        languages=("es", "en", "fr"),
                    ),
                ),
                phone="+593 2 000 0008",
            ),
            DemoProvider(
                CS_QUITO,
                ProviderKind.HEALTH,
                (DemoService(SEXUAL_VIOLENCE_CARE, ServiceType.HEALTH, ("EC-P",), hours=ALWAYS),),
                phone="+593 2 000 0009",
            ),
            DemoProvider(
                FISCALIA_PICHINCHA,
                ProviderKind.PROSECUTOR,
                (DemoService(GBV_COMPLAINT, ServiceType.JUSTICE, ("EC-P",)),),
                phone="+593 2 000 0010",
            ),
            DemoProvider(
                JUNTA_QUITO,
                ProviderKind.GOVERNMENT,
                (DemoService(PROTECTION_MEASURES, ServiceType.CHILD_PROTECTION, ("EC-P",)),),
                phone="+593 2 000 0011",
            ),
        ),
        routes=(
            DemoRoute(
                "EC-U",
                CaseType.GBV,
                "VBG – Lago Agrio (Sucumbíos)",
                (
                    (HOSPITAL, SEXUAL_VIOLENCE_CARE, "Antes de 72 horas si hubo violencia sexual"),
                    (HIAS_PSY_LAGO, PSY_SUPPORT, ""),
                    (FISCALIA_SUCUMBIOS, GBV_COMPLAINT, "Solo si la persona decide denunciar"),
                    (SHELTER, "Acogida temporal para mujeres y sus hijas e hijos", "Si hay riesgo"),
                ),
            ),
            DemoRoute(
                "EC-P",
                CaseType.GBV,
                "VBG – Quito (Pichincha)",
                (
                    (CS_QUITO, SEXUAL_VIOLENCE_CARE, "Antes de 72 horas si hubo violencia sexual"),
                    (HIAS_PSY_QUITO, PSY_SUPPORT, ""),
                    (FISCALIA_PICHINCHA, GBV_COMPLAINT, "Solo si la persona decide denunciar"),
                    (HIAS_LEGAL, "Acompañamiento a la denuncia y al proceso judicial", ""),
                ),
            ),
            DemoRoute(
                "EC-U",
                CaseType.CHILD_PROTECTION,
                "Protección de la niñez – Lago Agrio (Sucumbíos)",
                (
                    (HOSPITAL, SEXUAL_VIOLENCE_CARE, "Antes de 72 horas si hubo violencia sexual"),
                    (JUNTA_LAGO, PROTECTION_MEASURES, "Medidas de protección urgentes"),
                    (MIES_LAGO, SPECIAL_PROTECTION, "Si no puede volver a casa sin riesgo"),
                    (HIAS_PSY_LAGO, PSY_SUPPORT, "Con una persona adulta de confianza"),
                ),
            ),
            DemoRoute(
                "EC-P",
                CaseType.CHILD_PROTECTION,
                "Protección de la niñez – Quito (Pichincha)",
                (
                    (JUNTA_QUITO, PROTECTION_MEASURES, "Medidas de protección urgentes"),
                    (HIAS_PSY_QUITO, PSY_SUPPORT, "Con la madre, el padre o quien la cuide"),
                    (HIAS_LEGAL, LEGAL_AID, "Documentación y regularización de la familia"),
                ),
            ),
        ),
    ),
    DemoDirectory(
        "iom-ec",
        administrator="admin.oim",
        providers=(
            DemoProvider(
                OIM_TEAM,
                ProviderKind.INTERNAL,
                (
                    DemoService(PSY_SUPPORT, ServiceType.PSYCHOSOCIAL, ("EC-E",)),
                    DemoService(
                        "Asistencia humanitaria (kits y transferencias)",
                        ServiceType.BASIC_NEEDS,
                        ("EC-E",),
                        eligibility=REFUGEES,
                    ),
                ),
                agency="iom-ec",
                office="san-lorenzo",
                phone="+593 6 000 0021",
            ),
            DemoProvider(
                CS_SAN_LORENZO,
                ProviderKind.HEALTH,
                (DemoService(SEXUAL_VIOLENCE_CARE, ServiceType.HEALTH, ("EC-E",), hours=ALWAYS),),
                phone="+593 6 000 0022",
                address="San Lorenzo, Esmeraldas",
            ),
            DemoProvider(
                DINAPEN,
                ProviderKind.POLICE,
                (
                    DemoService(
                        "Protección policial de niñas, niños y adolescentes",
                        ServiceType.POLICE,
                        ("EC-E",),
                        hours=ALWAYS,
                        eligibility="Niñas, niños y adolescentes",
                    ),
                ),
                agency="dinapen-esmeraldas",
                phone="+593 6 000 0023",
            ),
            DemoProvider(
                FISCALIA_ESMERALDAS,
                ProviderKind.PROSECUTOR,
                (DemoService(GBV_COMPLAINT, ServiceType.JUSTICE, ("EC-E",)),),
                phone="+593 6 000 0024",
            ),
            DemoProvider(
                JUNTA_SAN_LORENZO,
                ProviderKind.GOVERNMENT,
                (DemoService(PROTECTION_MEASURES, ServiceType.CHILD_PROTECTION, ("EC-E",)),),
                phone="+593 6 000 0025",
            ),
            DemoProvider(
                "ACNUR – Oficina Esmeraldas",
                ProviderKind.UN,
                (
                    DemoService(
                        "Orientación sobre protección internacional",
                        ServiceType.DOCUMENTATION,
                        ("EC-E",),
                        eligibility=REFUGEES,
                    ),
                ),
            ),
        ),
        routes=(
            DemoRoute(
                "EC-E",
                CaseType.GBV,
                "VBG – San Lorenzo (Esmeraldas)",
                (
                    (CS_SAN_LORENZO, SEXUAL_VIOLENCE_CARE, "Antes de 72 horas"),
                    (
                        DINAPEN,
                        "Protección policial de niñas, niños y adolescentes",
                        "Si la persona es menor de 18 años",
                    ),
                    (FISCALIA_ESMERALDAS, GBV_COMPLAINT, "Solo si la persona decide denunciar"),
                    (OIM_TEAM, PSY_SUPPORT, ""),
                ),
            ),
        ),
    ),
)


@transaction.atomic
def load() -> dict[str, int]:
    """Create the demo directories and care routes that are missing.

    Needs the demo organizations and their administrators (`amparo.demo.organizations.load()`
    creates them when absent). Returns how many providers, services and care routes were
    created (0s on a second run).
    Side effects: the actions' audit events, and one `referrals.directory.loaded` per directory
    that changed.
    """
    from amparo.demo import organizations

    codes = {d.organization for d in DIRECTORIES}
    administrators = {d.administrator for d in DIRECTORIES}
    if Organization.objects.filter(code__in=codes).count() < len(codes) or User.objects.filter(
        username__in=administrators
    ).count() < len(administrators):
        organizations.load()
    if not Area.objects.filter(level=1, country_code="EC").exists():  # reference data wiped
        locations.load(Area)
    areas = {a.code: a for a in Area.objects.filter(level=1, country_code="EC")}
    created = {"providers": 0, "services": 0, "care_routes": 0}
    for directory in DIRECTORIES:
        counts = _load_directory(directory, areas)
        for key, value in counts.items():
            created[key] += value
        if any(counts.values()):
            audit.record(
                actor=User.objects.get(username=directory.administrator),
                action="referrals.directory.loaded",
                organization_id=Organization.objects.get(code=directory.organization).pk,
                details={"source": "demo", **counts},
            )
    return created


def _load_directory(directory: DemoDirectory, areas: dict[str, Area]) -> dict[str, int]:
    organization = Organization.objects.get(code=directory.organization)
    actor = User.objects.get(username=directory.administrator)
    offices = {o.code: o for o in Office.objects.filter(organization=organization)}
    counts = {"providers": 0, "services": 0, "care_routes": 0}
    services: dict[tuple[str, str], Service] = {}
    for spec in directory.providers:
        provider = Provider.objects.filter(
            organization=organization, network__isnull=True, name=spec.name
        ).first()
        if provider is None:
            provider = actions.save_provider(
                actor=actor,
                organization=organization,
                name=spec.name,
                kind=spec.kind,
                agency=Organization.objects.get(code=spec.agency) if spec.agency else None,
                office=offices[spec.office] if spec.office else None,
                contact_name=spec.contact_name,
                phone=spec.phone,
                email=spec.email,
                address=spec.address,
            )
            counts["providers"] += 1
        for service_spec in spec.services:
            service = Service.objects.filter(provider=provider, name=service_spec.name).first()
            if service is None:
                service = actions.save_service(
                    actor=actor,
                    provider=provider,
                    type=service_spec.type,
                    name=service_spec.name,
                    areas=[areas[c] for c in service_spec.areas],
                    hours=service_spec.hours,
                    eligibility=service_spec.eligibility,
                    languages=service_spec.languages,
                )
                counts["services"] += 1
            services[(spec.name, service_spec.name)] = service
    for route_spec in directory.routes:
        area = areas[route_spec.area]
        if CareRoute.objects.filter(
            organization=organization, network__isnull=True, area=area, need=route_spec.need
        ).exists():
            continue
        actions.save_care_route(
            actor=actor,
            organization=organization,
            area=area,
            need=route_spec.need,
            name=route_spec.name,
            steps=[
                RouteStep(position, services[(p, s)], note)
                for position, (p, s, note) in enumerate(route_spec.steps, start=1)
            ],
        )
        counts["care_routes"] += 1
    return counts


# --- the San Lorenzo coordination network ------------------------------------------------------
# Eight partners keep one GBV route for San Lorenzo, with OIM as convener; its focal points
# (OIM's and the hospital's administrators) keep the shared directory. Illustrative names.


@dataclass(frozen=True)
class DemoNetwork:
    name: str
    area: str
    convener: str
    members: tuple[str, ...]  # organization codes (amparo.demo.organizations)
    focal_points: tuple[str, ...]  # usernames
    providers: tuple[DemoProvider, ...]
    route: DemoRoute


DIVINA = "Hospital Divina Providencia"
FISCALIA_SL = "Fiscalía General del Estado – Esmeraldas"
COMISARIA = "Comisaría Nacional de Policía de San Lorenzo"
POLICIA_SL = "Policía Nacional – DINAPEN San Lorenzo"
MIES_SL = "MIES – Protección especial, San Lorenzo"
HIAS_SL = "HIAS – Acompañamiento en San Lorenzo"
PATRONATO = "Fondo Social Municipal – Patronato de San Lorenzo"
MUJERES = "Movimiento de Mujeres Afroecuatorianas de San Lorenzo"
CLINICAL_CARE = "Atención clínica a sobrevivientes de violencia sexual (72 horas)"
COMPLAINT = "Denuncia, peritaje integral y protección de víctimas y testigos"
PROTECTION_ORDER = "Medidas de protección (boleta de auxilio)"
# Across the border: the Colombian Red Cross in Tumaco (Nariño), for a survivor who lives on the
# other side or goes back; a referral to it needs her consent to share with another country.
CRUZ_ROJA = "Cruz Roja Colombiana – Seccional Nariño, Tumaco"
CROSS_BORDER_SUPPORT = "Apoyo psicosocial y acompañamiento en Tumaco"

NETWORK = DemoNetwork(
    name="Red de protección VBG de San Lorenzo",
    area="EC-E",
    convener="iom-ec",
    members=(
        "mies-esmeraldas",
        "hias-ec",
        "dinapen-esmeraldas",
        "comisaria-san-lorenzo",
        "fiscalia-esmeraldas",
        "patronato-san-lorenzo",
        "mujeres-afro-san-lorenzo",
        "hospital-divina-providencia",
    ),
    focal_points=("admin.oim", "admin.divina"),
    providers=(
        DemoProvider(
            DIVINA,
            ProviderKind.HEALTH,
            (DemoService(CLINICAL_CARE, ServiceType.HEALTH, ("EC-E",), hours=ALWAYS),),
            agency="hospital-divina-providencia",
            phone="+593 6 000 0031",
        ),
        DemoProvider(
            FISCALIA_SL,
            ProviderKind.PROSECUTOR,
            (DemoService(COMPLAINT, ServiceType.JUSTICE, ("EC-E",)),),
            agency="fiscalia-esmeraldas",
            phone="+593 6 000 0032",
        ),
        DemoProvider(
            COMISARIA,
            ProviderKind.GOVERNMENT,
            (DemoService(PROTECTION_ORDER, ServiceType.LEGAL, ("EC-E",)),),
            agency="comisaria-san-lorenzo",
        ),
        DemoProvider(
            POLICIA_SL,
            ProviderKind.POLICE,
            (DemoService("Auxilio y protección policial", ServiceType.POLICE, ("EC-E",), ALWAYS),),
            agency="dinapen-esmeraldas",
            phone="+593 6 000 0033",
        ),
        DemoProvider(
            MIES_SL,
            ProviderKind.CHILD_INSTITUTE,
            (DemoService(SPECIAL_PROTECTION, ServiceType.CHILD_PROTECTION, ("EC-E",)),),
            agency="mies-esmeraldas",
        ),
        DemoProvider(
            HIAS_SL,
            ProviderKind.NGO,
            (DemoService(PSY_SUPPORT, ServiceType.PSYCHOSOCIAL, ("EC-E",), eligibility=REFUGEES),),
            agency="hias-ec",
        ),
        DemoProvider(
            PATRONATO,
            ProviderKind.GOVERNMENT,
            (DemoService("Acogida temporal y apoyo social", ServiceType.SHELTER, ("EC-E",)),),
            agency="patronato-san-lorenzo",
        ),
        DemoProvider(
            MUJERES,
            ProviderKind.NGO,
            (DemoService("Acompañamiento comunitario", ServiceType.PSYCHOSOCIAL, ("EC-E",)),),
            agency="mujeres-afro-san-lorenzo",
        ),
        DemoProvider(
            CRUZ_ROJA,
            ProviderKind.NGO,
            (
                DemoService(CROSS_BORDER_SUPPORT, ServiceType.PSYCHOSOCIAL, ("EC-E", "CO-NAR")),
                DemoService(
                    "Atención básica en salud y primeros auxilios",
                    ServiceType.HEALTH,
                    ("EC-E", "CO-NAR"),
                ),
            ),
            phone="+57 2 000 0041",
            address="Tumaco, Nariño (Colombia)",
            country="CO",
        ),
    ),
    route=DemoRoute(
        "EC-E",
        CaseType.GBV,
        "Ruta interinstitucional VBG – San Lorenzo",
        (
            (DIVINA, CLINICAL_CARE, "Antes de 72 horas"),
            (HIAS_SL, PSY_SUPPORT, ""),
            (MIES_SL, SPECIAL_PROTECTION, "Si la persona es menor de 18 años"),
            (FISCALIA_SL, COMPLAINT, "Solo si la persona decide denunciar"),
            (COMISARIA, PROTECTION_ORDER, "Si necesita una boleta de auxilio"),
            (POLICIA_SL, "Auxilio y protección policial", "En una emergencia"),
            (PATRONATO, "Acogida temporal y apoyo social", ""),
            (MUJERES, "Acompañamiento comunitario", ""),
            (CRUZ_ROJA, CROSS_BORDER_SUPPORT, "Si vive o vuelve al otro lado de la frontera"),
        ),
    ),
)


@transaction.atomic
def load_network() -> dict[str, int]:
    """Create the San Lorenzo network, its shared directory and route (by its focal point
    admin.oim, through the directory's actions), one onward referral chain (the women's
    movement refers a survivor to the hospital, which refers her on to the prosecutor with her
    new consent) and one referral across the border, to the Colombian Red Cross in Tumaco, with
    her consent to share abroad. Idempotent; returns what was created (0s on a second run)."""
    from amparo.demo import organizations

    members = {o.code: o for o in Organization.objects.filter(code__in=NETWORK.members)}
    keepers = list(User.objects.filter(username__in=NETWORK.focal_points))
    if len(members) < len(NETWORK.members) or len(keepers) < len(NETWORK.focal_points):
        organizations.load()
        members = {o.code: o for o in Organization.objects.filter(code__in=NETWORK.members)}
        keepers = list(User.objects.filter(username__in=NETWORK.focal_points))
    created = {"networks": 0, "providers": 0, "services": 0, "care_routes": 0, "referrals": 0}
    network = CoordinationNetwork.objects.filter(name=NETWORK.name).first()
    if network is None:
        network = actions.save_network(
            actor=None,
            name=NETWORK.name,
            area=Area.objects.get(code=NETWORK.area),
            convener=Organization.objects.get(code=NETWORK.convener),
            members=list(members.values()),
            focal_points=keepers,
        )
        created["networks"] += 1
    keeper = User.objects.get(username=NETWORK.focal_points[0])
    services: dict[tuple[str, str], Service] = {}
    for spec in NETWORK.providers:
        provider = Provider.objects.filter(network=network, name=spec.name).first()
        if provider is None:
            provider = actions.save_provider(
                actor=keeper,
                network=network,
                name=spec.name,
                kind=spec.kind,
                agency=members.get(spec.agency or ""),
                phone=spec.phone,
                address=spec.address,
                country=Area.objects.get(code=spec.country) if spec.country else None,
            )
            created["providers"] += 1
        for service_spec in spec.services:
            service = Service.objects.filter(provider=provider, name=service_spec.name).first()
            if service is None:
                service = actions.save_service(
                    actor=keeper,
                    provider=provider,
                    type=service_spec.type,
                    name=service_spec.name,
                    areas=list(Area.objects.filter(code__in=service_spec.areas)),
                    hours=service_spec.hours,
                    eligibility=service_spec.eligibility,
                    languages=service_spec.languages,
                )
                created["services"] += 1
            services[(spec.name, service_spec.name)] = service
    route = NETWORK.route
    area = Area.objects.get(code=route.area)
    if not CareRoute.objects.filter(network=network, area=area, need=route.need).exists():
        actions.save_care_route(
            actor=keeper,
            network=network,
            area=area,
            need=route.need,
            name=route.name,
            steps=[
                RouteStep(position, services[(provider, service)], note)
                for position, (provider, service, note) in enumerate(route.steps, start=1)
            ],
        )
        created["care_routes"] += 1
    created["referrals"] = _onward_chain(services) + _across_the_border(services)
    return created


def _onward_chain(services: dict[tuple[str, str], Service]) -> int:
    """Women's movement → hospital (her consent: health care) → prosecutor (her new consent, to
    report), which has marked it received. Skipped when the chain is there."""
    hospital, prosecutor = services[(DIVINA, CLINICAL_CARE)], services[(FISCALIA_SL, COMPLAINT)]
    if Referral.objects.filter(service=prosecutor, parent__service=hospital).exists():
        return 0
    today = timezone.localdate()
    first = actions.send_referral(
        actor=User.objects.get(username="enlace.mujeres"),
        service=hospital,
        urgency="emergency",
        reason="Agresión sexual hace 30 horas; necesita atención antes de las 72 horas.",
        shared_fields=[],
        consent=True,
        consent_method=Referral.ConsentMethod.VERBAL,
        consent_date=today,
        person={"name": "Maritza Quiñónez", "sex": "Mujer", "age": 24, "phone": "0990000031"},
    )
    nurse = User.objects.get(username="enlace.divina")
    for state in (ReferralState.RECEIVED, ReferralState.ACCEPTED):
        actions.move(actor=nurse, referral=first, to_state=state)
    onward = actions.refer_onward(
        actor=nurse,
        parent=first,
        service=prosecutor,
        urgency="urgent",
        reason="Decidió denunciar; las muestras del peritaje se conservan en el hospital.",
        shared_fields=["name", "age"],
        consent=True,
        consent_method=Referral.ConsentMethod.WRITTEN,
        consent_date=today,
    )
    actions.move(
        actor=User.objects.get(username="enlace.fiscalia"),
        referral=onward,
        to_state=ReferralState.RECEIVED,
    )
    return 2


def _across_the_border(services: dict[tuple[str, str], Service]) -> int:
    """The women's movement refers a woman who lives in Tumaco to the Colombian Red Cross there
    (no account in Amparo: the movement prints the form), with her consent that her information
    goes to Colombia. Skipped when it is there."""
    red_cross = services[(CRUZ_ROJA, CROSS_BORDER_SUPPORT)]
    if Referral.objects.filter(service=red_cross).exists():
        return 0
    actions.send_referral(
        actor=User.objects.get(username="enlace.mujeres"),
        service=red_cross,
        urgency="urgent",
        reason="Vive en Tumaco y vuelve mañana; pide acompañamiento psicosocial cerca de su casa.",
        shared_fields=[],
        consent=True,
        consent_method=Referral.ConsentMethod.VERBAL,
        consent_date=timezone.localdate(),
        person={"name": "Yuliana Cortés", "sex": "Mujer", "age": 31, "phone": "+57 3000000041"},
        cross_border_consent=True,
    )
    return 1
