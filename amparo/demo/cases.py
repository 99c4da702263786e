"""Demo cases and referrals for HIAS Ecuador: a case of every type at every stage, a GBV case
restricted to the Lago Agrio GBV team, a walk-in survivor's case (not in the registry), and
referrals in every state. Idempotent: once HIAS has
cases, nothing is added. Needs the demo organizations, registry and directory first."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from amparo.cases import actions as case_actions
from amparo.cases.models import Approval, Case, GBVTeamMember
from amparo.core.models import Area, Office, Organization, User
from amparo.referrals import actions as referral_actions
from amparo.referrals.models import Provider, Referral, Service
from amparo.registry.models import Individual

# (type, risk, stage to reach, summary, with a plan?)
QUITO_CASES = (
    ("protection", "high", "implementation", "Amenazas de un grupo armado en el barrio.", True),
    ("child_protection", "medium", "case_plan", "Niña no escolarizada, trabajo infantil.", True),
    ("legal", "low", "assessment", "Solicitud de refugio negada; plazo de apelación.", False),
    ("mhpss", "medium", "implementation", "Duelo migratorio, insomnio persistente.", True),
    ("trafficking", "critical", "case_plan", "Oferta de trabajo engañosa en la frontera.", True),
    ("return", "low", "intake", "Quiere volver a Venezuela con sus hijos.", False),
)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _heads(office: Office, count: int, skip: int = 0) -> list[Individual]:
    return list(
        Individual.objects.filter(household__office=office, is_head=True).order_by("id")[
            skip : skip + count
        ]
    )


def _walk(case: Case, actor: User, target: str, with_plan: bool, today: datetime.date) -> Case:
    order = ["intake", "assessment", "case_plan", "implementation"]
    while order.index(case.state) < order.index(target):
        if case.state == "case_plan" and with_plan:
            case_actions.save_plan(
                actor=actor,
                case=case,
                needs="Seguridad, documentación y apoyo psicosocial.",
                goals="Reducir el riesgo y regularizar su situación en tres meses.",
                services_planned=["legal", "psychosocial"],
            )
            case_actions.add_plan_action(
                actor=actor,
                case=case,
                description="Acompañar la cita en la Defensoría del Pueblo",
                responsible=actor,
                due_date=today + datetime.timedelta(days=7),
            )
            pending = Approval.objects.filter(case=case, decision="pending", kind="plan").first()
            if pending is not None:
                return case  # a high-risk plan waits for the supervisor
        if case.state == "case_plan" and not with_plan:
            return case
        case = case_actions.advance(actor=actor, case=case)
    return case


def _send(actor, case, person, service, urgency="urgent", reason="Necesita este servicio"):
    return referral_actions.send_referral(
        actor=actor,
        service=service,
        urgency=urgency,
        reason=reason,
        shared_fields=["name", "sex", "age", "phone"],
        consent=True,
        consent_method="verbal",
        consent_date=timezone.localdate(),
        case=case,
        individual=person,
    )


def _walk_referral(referral: Referral, actor: User, states: list[str], note: str = "") -> None:
    for state in states:
        referral_actions.move(
            actor=actor,
            referral=referral,
            to_state=state,
            note=note if state in ("declined", "service_given", "not_reached") else "",
        )


@transaction.atomic
def load() -> dict[str, int]:
    """Open the demo cases and send the demo referrals, unless HIAS Ecuador has cases already.

    Returns how many cases and referrals were added (0s on a second run).
    """
    hias = Organization.objects.get(code="hias-ec")
    if Case.objects.filter(organization=hias).exists():
        return {"cases": 0, "referrals": 0}
    today = timezone.localdate()
    quito = Office.objects.get(organization=hias, code="quito")
    lago = Office.objects.get(organization=hias, code="lago-agrio")
    quito_cases = _open_quito_cases(quito, today)
    gbv_case, survivor = _open_gbv_case(lago, today)
    _open_walk_in_case(today)
    child_cases = _open_child_survivor_cases(lago, today)
    _monthly_tables(lago, today)
    _intake_from_care_posts()
    referrals = [
        *_refer_to_the_hospital(hias, lago, gbv_case, survivor, today),
        *_refer_to_agencies_without_accounts(hias, quito_cases),
        *_incoming_from_the_hospital(hias, lago),
        *_refer_the_children(hias, child_cases),
    ]
    return {"cases": len(quito_cases) + 2 + len(child_cases), "referrals": len(referrals)}


def _intake_from_care_posts() -> None:
    """The Lago Agrio GBV team's one-time links: one open, for a care post; one used by a
    community network, whose intake waits in the team's inbox."""
    gbv = _user("vbg.lagoagrio")
    referral_actions.issue_intake_link(
        actor=gbv, label="Puesto de cuidado Barrio Nueva Esperanza", hours=72
    )
    _, token = referral_actions.issue_intake_link(
        actor=gbv, label="Red comunitaria contra la violencia – Barrio Los Vergeles", hours=48
    )
    referral_actions.receive_intake(
        token=token,
        data={
            "alias": "Rosa",
            "age_group": "adult",
            "sex": "F",
            "community": "Barrio Los Vergeles",
            "needs": ["psychosocial", "legal"],
            "urgency": "days",
            "contact_by": "care_post",
            "may_call": False,
            "may_leave_message": False,
            "safe_times": "Los martes por la tarde, en el puesto",
            "note": "Pide que la atienda una mujer.",
            "consent": True,
        },
    )


def _open_quito_cases(quito: Office, today: datetime.date) -> list[tuple[Case, Individual]]:
    """A case of each type at its stage, with a follow-up and a note; one closed with the
    supervisor's approval, one waiting for it."""
    caseworker, supervisor = _user("caso.quito"), _user("supervisora.quito")
    cases = []
    for index, (type_, risk, state, summary, with_plan) in enumerate(QUITO_CASES):
        person = _heads(quito, 1, skip=index)[0]
        case = case_actions.open_case(
            actor=caseworker,
            individuals=[person],
            type=type_,
            risk_level=risk,
            summary=summary,
            opened_on=today - datetime.timedelta(days=60 - index * 8),
        )
        case = _walk(case, caseworker, state, with_plan, today)
        case_actions.add_follow_up(
            actor=caseworker,
            case=case,
            date=today - datetime.timedelta(days=20),
            kind="visit",
            notes="Visita domiciliaria; la familia está estable.",
            next_date=today - datetime.timedelta(days=5 - index * 4),
        )
        case_actions.add_note(actor=caseworker, case=case, text="Primera entrevista realizada.")
        cases.append((case, person))
    closing = case_actions.request_closure(actor=caseworker, case=cases[3][0], reason="goals_met")
    case_actions.decide(actor=supervisor, approval=closing, approve=True, comment="De acuerdo.")
    case_actions.request_closure(actor=caseworker, case=cases[0][0], reason="moved")
    return cases


def _open_gbv_case(lago: Office, today: datetime.date) -> tuple[Case, Individual]:
    """The Lago Agrio GBV team, and a survivor's case with its GBVIMS incident."""
    gbv, gbv_lead = _user("vbg.lagoagrio"), _user("coord.vbg.lagoagrio")
    for member in (gbv, gbv_lead):
        GBVTeamMember.objects.get_or_create(office=lago, user=member)
    survivor = _heads(lago, 1)[0]
    gbv_case = case_actions.open_case(
        actor=gbv,
        individuals=[survivor],
        type="gbv",
        risk_level="high",
        summary="Sobreviviente de violencia de pareja; vive con el agresor.",
        opened_on=today - datetime.timedelta(days=12),
    )
    case_actions.record_incident(
        actor=gbv,
        case=gbv_case,
        data={
            "incident_date": today - datetime.timedelta(days=15),
            "report_date": today - datetime.timedelta(days=12),
            "country": "EC",
            "area": Area.objects.get(code="EC-U"),
            "place_type": "survivor_home",
            "time_of_day": "night",
            "displacement_stage": "during_refuge",
            "type": "physical_assault",
            "context": ["intimate_partner"],
            "account": "Relato confidencial registrado en la entrevista inicial.",
            "survivor_marital_status": "married",
            "survivor_ethnicity": "afro_ecuadorian",
            "previous_incidents": "yes",
            "perpetrator_count": 1,
            "perpetrator_sex": "M",
            "perpetrator_age_group": "26-40",
            "perpetrator_relationship": "intimate_partner",
            "perpetrator_occupation": "farmer_fisher",
            "former_perpetrator": "yes",
            "referred_by": "health",
            "reported_elsewhere": "no",
            "services_received": ["psychosocial"],
            "referral_consent": ["health", "psychosocial", "legal"],
            "wants_legal_action": "undecided",
            "statistics_consent": True,
        },
    )
    # Months before, on the way south: in Colombia, counted under "outside the country".
    case_actions.record_incident(
        actor=gbv,
        case=gbv_case,
        data={
            "incident_date": today - datetime.timedelta(days=210),
            "report_date": today - datetime.timedelta(days=12),
            "country": "CO",
            "area": None,
            "place_type": "border_crossing",
            "time_of_day": "night",
            "displacement_stage": "during_flight",
            "type": "sexual_assault",
            "context": ["transactional", "armed_conflict"],
            "account": "Relato confidencial: ocurrió durante el tránsito por Colombia.",
            "survivor_marital_status": "married",
            "survivor_ethnicity": "afro_ecuadorian",
            "previous_incidents": "no",
            "perpetrator_count": 2,
            "perpetrator_sex": "M",
            "perpetrator_age_group": "unknown",
            "perpetrator_relationship": "stranger",
            "perpetrator_occupation": "armed_group",
            "former_perpetrator": "no",
            "referred_by": "self",
            "reported_elsewhere": "no",
            "referral_consent": ["health"],
            "wants_legal_action": "no",
            "statistics_consent": True,
        },
    )
    return gbv_case, survivor


def _monthly_tables(lago: Office, today: datetime.date) -> None:
    """Lago Agrio's GBV tables: the month before last approved by the GBV coordinator, last
    month prepared by the GBV specialist and waiting for her."""
    gbv, gbv_lead = _user("vbg.lagoagrio"), _user("coord.vbg.lagoagrio")
    last = today.replace(day=1) - datetime.timedelta(days=1)
    before = last.replace(day=1) - datetime.timedelta(days=1)
    approved = case_actions.prepare_monthly_release(actor=gbv, office=lago, month=f"{before:%Y-%m}")
    case_actions.approve_monthly_release(actor=gbv_lead, release=approved)
    case_actions.prepare_monthly_release(actor=gbv, office=lago, month=f"{last:%Y-%m}")


def _open_walk_in_case(today: datetime.date) -> Case:
    """A survivor who came to the Lago Agrio safe space and is not registered: who she is
    stays in the case, for the GBV team only. She does not want her incident in statistics."""
    case = case_actions.open_walk_in_case(
        actor=_user("coord.vbg.lagoagrio"),
        identity={
            "given_names": "Yessenia",
            "other_names": "Yesi",
            "sex": "F",
            "age": 24,
            "nationality": "VE",
            "languages": "es",
        },
        risk_level="critical",
        summary="Llegó sola al espacio seguro; no quiere ser registrada por ahora.",
        opened_on=today - datetime.timedelta(days=2),
    )
    case_actions.record_incident(
        actor=_user("coord.vbg.lagoagrio"),
        case=case,
        data={
            "incident_date": today - datetime.timedelta(days=3),
            "report_date": today - datetime.timedelta(days=2),
            "country": "EC",
            "area": Area.objects.get(code="EC-U"),
            "place_type": "road",
            "time_of_day": "night",
            "displacement_stage": "during_refuge",
            "type": "sexual_assault",
            "context": ["none"],
            "survivor_age": 24,
            "survivor_age_group": "18-25",
            "survivor_marital_status": "single",
            "survivor_ethnicity": "mestizo",
            "previous_incidents": "unknown",
            "perpetrator_count": 1,
            "perpetrator_sex": "M",
            "perpetrator_age_group": "unknown",
            "perpetrator_relationship": "stranger",
            "perpetrator_occupation": "unknown",
            "former_perpetrator": "unknown",
            "referred_by": "community_leader",
            "reported_elsewhere": "no",
            "referral_consent": ["psychosocial"],
            "wants_legal_action": "undecided",
            "statistics_consent": False,
        },
    )
    return case


def _refer_to_the_hospital(
    hias: Organization, lago: Office, gbv_case: Case, survivor: Individual, today: datetime.date
) -> list[Referral]:
    """For the hospital's focal point: one new (the survivor), one received, one accepted, one
    declined. None when HIAS's directory lists no hospital service."""
    hospital = Service.objects.filter(
        provider__organization=hias, is_active=True, provider__agency__code="hospital-lago-agrio"
    ).first()
    if hospital is None:
        return []
    gbv, partner = _user("vbg.lagoagrio"), _user("enlace.hospital")
    referrals = [_send(gbv, gbv_case, survivor, hospital, "emergency", "Atención médica")]
    for states, note in (
        (["received"], ""),
        (["received", "accepted"], ""),
        (["received", "declined"], "Fuera de nuestra especialidad"),
    ):
        person = _heads(lago, 1, skip=len(referrals) + 1)[0]
        referral = referral_actions.send_referral(
            actor=gbv,
            service=hospital,
            urgency="routine",
            reason="Control médico",
            shared_fields=["name", "age", "phone"],
            consent=True,
            consent_method="written",
            consent_date=today,
            individual=person,
        )
        _walk_referral(referral, partner, states, note)
        referrals.append(referral)
    return referrals


def _refer_to_agencies_without_accounts(
    hias: Organization, quito_cases: list[tuple[Case, Individual]]
) -> list[Referral]:
    """Two referrals whose answers the caseworker records (service given, person not reached),
    and an old emergency referral nobody answered, shown as overdue."""
    without_accounts = Service.objects.filter(
        provider__organization=hias, is_active=True, provider__agency__isnull=True
    )
    offline = list(without_accounts.order_by("id")[:2])
    caseworker = _user("caso.quito")
    referrals = []
    for service, states, note in zip(
        offline,
        (["received", "accepted", "service_given"], ["received", "accepted", "not_reached"]),
        ("Atendida", "No contestó tres llamadas"),
        strict=False,
    ):
        case, person = quito_cases[1]
        referral = _send(caseworker, case, person, service)
        _walk_referral(referral, caseworker, states, note)
        referrals.append(referral)
    if offline:
        case, person = quito_cases[4]
        late = _send(caseworker, case, person, offline[0], "emergency", "Riesgo alto")
        Referral.objects.filter(pk=late.pk).update(
            sent_at=timezone.now() - datetime.timedelta(days=3),
            respond_by=timezone.now() - datetime.timedelta(days=2),
        )
        referrals.append(late)
    return referrals


def _incoming_from_the_hospital(hias: Organization, lago: Office) -> list[Referral]:
    """The hospital refers a patient to HIAS's psychosocial unit in Lago Agrio.

    The hospital's administrator lists the unit in the hospital's directory (HIAS being a Care
    Route partner, the directory may name it as the agency), then its focal point refers.
    None when HIAS's directory has no such unit.
    """
    unit = Provider.objects.filter(organization=hias, agency=hias, office=lago).first()
    if unit is None:
        return []
    administrator, partner = _user("admin.hospital"), _user("enlace.hospital")
    hospital = partner.organization
    provider = Provider.objects.filter(organization=hospital, name=unit.name).first()
    if provider is None:
        provider = referral_actions.save_provider(
            actor=administrator,
            organization=hospital,
            name=unit.name,
            kind="ngo",
            agency=hias,
            phone=unit.phone,
        )
    service = Service.objects.filter(provider=provider, name="Apoyo psicosocial").first()
    if service is None:
        service = referral_actions.save_service(
            actor=administrator, provider=provider, type="psychosocial", name="Apoyo psicosocial"
        )
    return [
        referral_actions.send_referral(
            actor=partner,
            service=service,
            urgency="urgent",
            reason="Paciente atendida por lesiones; pide apoyo psicosocial.",
            shared_fields=[],
            consent=True,
            consent_method="verbal",
            consent_date=timezone.localdate(),
            person={"name": "Paciente del hospital", "sex": "F", "age": "34"},
        )
    ]


def _children_of(office: Office, today: datetime.date, count: int) -> list[Individual]:
    """Girls of 8 to 13 in the office's households, in no case yet."""
    youngest = today - datetime.timedelta(days=round(8 * 365.25))
    oldest = today - datetime.timedelta(days=round(14 * 365.25) - 2)
    return list(
        Individual.objects.filter(
            household__office=office,
            sex="F",
            date_of_birth__range=(oldest, youngest),
            cases__isnull=True,
        ).order_by("id")[:count]
    )


def _child_incident(case: Case, actor: User, today: datetime.date, perpetrator: str) -> None:
    case_actions.record_incident(
        actor=actor,
        case=case,
        data={
            "incident_date": today - datetime.timedelta(days=6),
            "report_date": today - datetime.timedelta(days=4),
            "area": Area.objects.get(code="EC-U"),
            "type": "sexual_assault",
            "context": ["child_sexual_abuse"],
            "account": "Relato confidencial de la niña, escuchado con su cuidadora.",
            "perpetrator_count": 1,
            "perpetrator_sex": "M",
            "perpetrator_age_group": "26-40",
            "perpetrator_relationship": perpetrator,
            "services_received": [],
            "referral_consent": ["health", "psychosocial", "child_protection"],
        },
    )


def _open_child_survivor_cases(lago: Office, today: datetime.date) -> list[tuple[Case, Individual]]:
    """Two girls in Lago Agrio: one whose mother consents with the girl's assent; one whose
    primary caregiver is the alleged perpetrator, for whom the GBV coordinator (a supervisor,
    not the caseworker) decides in her best interests. Both were told where confidentiality
    ends, and the second one's case was reported to the Junta Cantonal."""
    gbv, gbv_lead = _user("vbg.lagoagrio"), _user("coord.vbg.lagoagrio")
    opened = []
    for child, perpetrator in zip(
        _children_of(lago, today, 2), ("community", "caregiver"), strict=False
    ):
        case = case_actions.open_case(
            actor=gbv,
            individuals=[child],
            type="gbv",
            risk_level="critical",
            summary="Niña sobreviviente de violencia sexual; acompañada en la entrevista.",
            opened_on=today - datetime.timedelta(days=4),
        )
        _child_incident(case, gbv, today, perpetrator)
        purposes = ["case_work", "referrals"]
        if perpetrator == "caregiver":
            case_actions.record_best_interests_decision(
                actor=gbv_lead,
                case=case,
                individual=child,
                data={
                    "caregiver_unsuitable": "perpetrator",
                    "reason": "El presunto agresor es su padrastro, que la cuida; la madre "
                    "no está. La niña necesita atención médica antes de 72 horas.",
                    "child_assent": True,
                    "method": "written",
                    "given_on": today - datetime.timedelta(days=4),
                    "purposes": purposes,
                },
            )
        else:
            case_actions.record_child_consent(
                actor=gbv,
                case=case,
                individual=child,
                data={
                    "given_by": "caregiver",
                    "caregiver_relationship": "mother",
                    "child_assent": True,
                    "method": "written",
                    "given_on": today - datetime.timedelta(days=4),
                    "purposes": purposes,
                },
            )
        made = perpetrator == "caregiver"
        case_actions.record_mandatory_reporting(
            actor=gbv,
            case=case,
            data={
                "confidentiality_explained_on": today - datetime.timedelta(days=4),
                "caregiver_informed": not made,
                "mandatory_report": "made" if made else "not_required",
                "report_authority": "Junta Cantonal de Protección de Derechos de Lago Agrio",
                "report_date": today - datetime.timedelta(days=3),
            },
        )
        case_actions.record_safe_contact(
            actor=gbv,
            case=case,
            data={
                "may_call": not made,
                "may_leave_message": False,
                "safe_contact": "Llamar a la madre por la tarde."
                if not made
                else "Solo a través de la docente de la escuela.",
            },
        )
        case_actions.record_safety_plan(
            actor=gbv,
            case=case,
            data={
                "safety_plan": "No quedarse sola con el agresor; la escuela avisa si falta.",
                "safety_plan_review_on": today + datetime.timedelta(days=7),
            },
        )
        opened.append((case, child))
    return opened


def _refer_the_children(
    hias: Organization, child_cases: list[tuple[Case, Individual]]
) -> list[Referral]:
    """Each girl to child protection (the Junta Cantonal of Lago Agrio), sharing her case code
    only."""
    junta = Service.objects.filter(
        provider__organization=hias, is_active=True, type="child_protection", areas__code="EC-U"
    ).first()
    if junta is None:
        return []
    gbv = _user("vbg.lagoagrio")
    return [
        referral_actions.send_referral(
            actor=gbv,
            service=junta,
            urgency="emergency",
            reason="Medidas de protección para una niña sobreviviente.",
            shared_fields=["case_code"],
            consent=True,
            consent_method="written",
            consent_date=timezone.localdate(),
            case=case,
            individual=child,
        )
        for case, child in child_cases
    ]
