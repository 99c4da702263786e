"""The Lago Agrio GBV office's caseload for `bench/gbv_pages.py`: the demo, then N GBV cases,
M incidents, decisions, consents, safety, referrals with onward chains and approved monthly
tables (`load`), seeded; bulk rows as the actions write them. Imported after the environment
and Django settings are set by the bench."""

import datetime
import json
import random

from benchdb import load_demo, timed, vacuum_analyze

PREFIX = "G-"  # references of the benchmark's GBV cases ("G-LAG-000001") and referrals ("GR-…")
ORG = "hias-ec"
SPECIALISTS = 6  # bench GBV specialists of Lago Agrio besides the demo's two
ACCOUNTS = (
    "Relato confidencial registrado en la entrevista inicial.",
    "Relato confidencial: ocurrió durante el tránsito; la acompañaba su hija.",
    "Relato confidencial, escuchado con su cuidadora.",
)


# --- data -------------------------------------------------------------------------------------


def gbv_team(lago):
    """The Lago Agrio GBV team: the demo's specialist and coordinator, and bench specialists."""
    from amparo.cases.models import GBVTeamMember
    from amparo.core.models import Role, User

    role = Role.objects.get(organization=None, code="gbv_specialist")
    team = [User.objects.get(username="vbg.lagoagrio")]
    for index in range(1, SPECIALISTS + 1):
        username = f"bench.vbg.lago{index:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                organization=lago.organization,
                office=lago,
                role=role,
                first_name="Bench",
                last_name=f"Vbg{index:02d}",
            )
            user.set_unusable_password()
            user.save()
        team.append(user)
    for user in [*team, User.objects.get(username="coord.vbg.lagoagrio")]:
        GBVTeamMember.objects.get_or_create(office=lago, user=user)
    return team


def add_gbv(n_cases: int, n_incidents: int, months: int, seed: int) -> dict[str, int]:
    """The GBV caseload of Lago Agrio over `months` months, in bulk (see the module's docstring).

    The first case is the showcase the case page is timed on: held by vbg.lagoagrio, a girl in
    the registry, open, with three incidents, child consent, decisions on four services, safety
    and safe contact, and a referral to the hospital that the hospital referred on twice."""
    from django.db import transaction
    from django.utils import timezone

    from amparo.cases.models import (
        AgeGroup,
        CaregiverRelationship,
        Case,
        CaseState,
        ChildConsent,
        ConsentGiver,
        ConsentManner,
        ConsentPurpose,
        DisplacementStage,
        Ethnicity,
        Incident,
        IncidentContext,
        IncidentType,
        MaritalStatus,
        PerpetratorOccupation,
        PerpetratorRelationship,
        PlaceType,
        ReferredBy,
        RiskLevel,
        ServiceDecision,
        ServiceOutcome,
        ServiceType,
        SurvivorIdentity,
        SurvivorSafety,
        TimeOfDay,
    )
    from amparo.core.models import Area, Office, Organization, User
    from amparo.referrals.models import RESPONSE_SLA, Referral, ReferralState, Service, Urgency
    from amparo.registry.models import Individual

    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    hias = Organization.objects.get(code=ORG)
    lago = Office.objects.get(organization=hias, code="lago-agrio")
    team = gbv_team(lago)
    showcase_owner = team[0]
    people = list(
        Individual.objects.filter(household__office=lago)
        .order_by("id")
        .values_list("id", "household_id", "sex", "date_of_birth")
    )
    women = [p for p in people if p[2] == "F"] or people
    girls = [p for p in women if p[3] and 8 <= (today - p[3]).days // 365 <= 16]
    if not women:
        raise SystemExit("no registry people at Lago Agrio: raise --households")
    areas = list(Area.objects.filter(code="EC-U")) + list(Area.objects.filter(parent__code="EC-U"))
    start = today - datetime.timedelta(days=round(months * 30.44))

    def day_between(first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))

    def age_group(years: int | None) -> str:
        if years is None:
            return AgeGroup.UNKNOWN
        for bound, group in ((11, "0-11"), (17, "12-17"), (25, "18-25"), (40, "26-40")):
            if years <= bound:
                return group
        return "41-60" if years <= 60 else "61+"

    states = [CaseState.CLOSED] * 50 + [CaseState.IMPLEMENTATION] * 25
    states += [CaseState.CASE_PLAN] * 10 + [CaseState.ASSESSMENT] * 8 + [CaseState.INTAKE] * 7
    risks = [RiskLevel.MEDIUM] * 30 + [RiskLevel.HIGH] * 50 + [RiskLevel.CRITICAL] * 20
    cases, survivors, identities = [], [], []
    for index in range(n_cases):
        showcase = index == 0
        walk_in = not showcase and rng.random() < 0.10
        person = None
        if not walk_in:
            person = (
                girls[0]
                if showcase and girls
                else rng.choice(girls if rng.random() < 0.15 and girls else women)
            )
        opened = day_between(start, today - datetime.timedelta(days=1))
        state = CaseState.IMPLEMENTATION if showcase else rng.choice(states)
        closed = state == CaseState.CLOSED
        cases.append(
            Case(
                organization=hias,
                office=lago,
                reference=f"{PREFIX}LAG-{index + 1:06d}",
                type="gbv",
                restricted=True,
                risk_level=rng.choice(risks),
                state=state,
                household_id=person[1] if person else None,
                owner=showcase_owner if showcase else rng.choice(team),
                summary="Sobreviviente de violencia basada en género; plan de seguridad activo.",
                opened_on=opened,
                closed_on=day_between(opened, today) if closed else None,
                closure_reason="goals_met" if closed else "",
            )
        )
        survivors.append(person)
        if walk_in:
            identities.append(index)

    counts: dict[str, int] = {}
    with transaction.atomic():
        with timed(f"{n_cases:,} GBV cases"):
            Case.objects.bulk_create(cases, batch_size=2000)
            through = Case.individuals.through
            through.objects.bulk_create(
                [
                    through(case_id=c.pk, individual_id=p[0])
                    for c, p in zip(cases, survivors, strict=True)
                    if p
                ],
                batch_size=5000,
            )
            SurvivorIdentity.objects.bulk_create(
                [
                    SurvivorIdentity(
                        case=cases[i],
                        details=json.dumps(
                            {
                                "given_names": "Sobreviviente",
                                "sex": "F",
                                "age": rng.randint(15, 50),
                                "nationality": rng.choice(("VE", "CO", "EC")),
                                "population_group": rng.choice(("refugee", "asylum_seeker")),
                                "languages": "es",
                            }
                        ),
                    )
                    for i in identities
                ],
                batch_size=2000,
            )
            counts["cases"], counts["walk-in"] = len(cases), len(identities)

        def years_of(person, on: datetime.date) -> int | None:
            if person is None or person[3] is None or person[3] > on:
                return None
            return (on - person[3]).days // 365

        with timed(f"{n_incidents:,} incidents"):
            per_case = [1] * n_cases
            per_case[0] = 3
            for _extra in range(max(0, n_incidents - sum(per_case))):
                per_case[rng.randrange(n_cases)] += 1
            incidents = []
            for case, person, many in zip(cases, survivors, per_case, strict=True):
                last = case.closed_on or today
                for _k in range(many):
                    reported = day_between(case.opened_on, last)
                    happened = reported - datetime.timedelta(days=rng.randint(0, 30))
                    abroad = rng.random() < 0.08
                    years = years_of(person, happened)
                    incidents.append(
                        Incident(
                            case=case,
                            incident_date=happened,
                            report_date=reported,
                            country="CO" if abroad else "EC",
                            area=None if abroad else rng.choice(areas),
                            place_type=rng.choice(PlaceType.values),
                            time_of_day=rng.choice(TimeOfDay.values),
                            displacement_stage=rng.choice(DisplacementStage.values),
                            type=rng.choice(IncidentType.values),
                            context=rng.sample(IncidentContext.values, k=rng.randint(1, 2)),
                            account=rng.choice(ACCOUNTS),
                            survivor_age=years,
                            survivor_age_group=age_group(years),
                            survivor_marital_status=rng.choice(MaritalStatus.values),
                            survivor_ethnicity=rng.choice(Ethnicity.values),
                            perpetrator_count=rng.randint(1, 3),
                            perpetrator_sex=rng.choice(Incident.PerpetratorSex.values),
                            perpetrator_age_group=rng.choice(AgeGroup.values),
                            perpetrator_relationship=rng.choice(PerpetratorRelationship.values),
                            perpetrator_occupation=rng.choice(PerpetratorOccupation.values),
                            former_perpetrator=rng.choice(("yes", "no", "unknown")),
                            previous_incidents=rng.choice(("yes", "no", "unknown")),
                            reported_elsewhere="yes" if rng.random() < 0.1 else "no",
                            reported_to_gbvims_agency=rng.random() < 0.05,
                            referred_by=rng.choice(ReferredBy.values),
                            wants_legal_action=rng.choice(("yes", "no", "undecided")),
                            services_received=["psychosocial"],
                            referral_consent=["health", "psychosocial", "legal", "police"],
                            statistics_consent=rng.random() < 0.85,
                            recorded_by_id=case.owner_id,
                        )
                    )
            Incident.objects.bulk_create(incidents, batch_size=2000)
            counts["incidents"] = len(incidents)

        with timed("decisions, child consents, safety"):
            kinds = [
                ServiceType.HEALTH,
                ServiceType.PSYCHOSOCIAL,
                ServiceType.LEGAL,
                ServiceType.POLICE,
                ServiceType.SHELTER,
                ServiceType.LIVELIHOODS,
            ]
            decisions, consents, safety = [], [], []
            for index, (case, person) in enumerate(zip(cases, survivors, strict=True)):
                showcase = index == 0
                if showcase or rng.random() < 0.6:
                    for kind in kinds[:4] if showcase else rng.sample(kinds, rng.randint(1, 4)):
                        decisions.append(
                            ServiceDecision(
                                case=case,
                                service_type=kind,
                                outcome=rng.choice(ServiceOutcome.values),
                                decided_on=day_between(case.opened_on, case.closed_on or today),
                                recorded_by_id=case.owner_id,
                            )
                        )
                years = years_of(person, today)
                if years is not None and years < 18:
                    consents.append(
                        ChildConsent(
                            case=case,
                            individual_id=person[0],
                            age=years,
                            given_by=ConsentGiver.CAREGIVER,
                            caregiver_relationship=CaregiverRelationship.MOTHER,
                            child_assent=True,
                            method=ConsentManner.WRITTEN,
                            given_on=case.opened_on,
                            purposes=[ConsentPurpose.CASE_WORK, ConsentPurpose.REFERRALS],
                            recorded_by_id=case.owner_id,
                        )
                    )
                if showcase or rng.random() < 0.7:
                    safety.append(
                        SurvivorSafety(
                            case=case,
                            confidentiality_explained_on=case.opened_on,
                            mandatory_report="not_required",
                            may_call=True,
                            may_leave_message=False,
                            safe_contact="Llamar a la hermana por la tarde.",
                            safety_plan="No quedarse sola con el agresor; la vecina avisa.",
                            safety_plan_review_on=today + datetime.timedelta(days=7),
                        )
                    )
            ServiceDecision.objects.bulk_create(decisions, batch_size=2000)
            ChildConsent.objects.bulk_create(consents, batch_size=2000)
            SurvivorSafety.objects.bulk_create(safety, batch_size=2000)
            counts["service decisions"], counts["child consents"] = len(decisions), len(consents)
            counts["safety"] = len(safety)

        with timed("referrals and onward chains"):
            hospital = (
                Service.objects.filter(
                    provider__organization=hias,
                    is_active=True,
                    provider__agency__code="hospital-lago-agrio",
                )
                .select_related("provider__agency")
                .order_by("id")
                .first()
            )
            partner = User.objects.filter(username="enlace.hospital").first()
            onward_services = list(
                Service.objects.filter(provider__organization_id=partner.organization_id)
                .select_related("provider__agency")
                .order_by("id")
                if partner
                else []
            )
            referrals, children = [], []
            if hospital is not None:
                for index, (case, person) in enumerate(zip(cases, survivors, strict=True)):
                    showcase = index == 0
                    if not showcase and rng.random() >= 0.25:
                        continue
                    sent = now - datetime.timedelta(
                        days=(today - case.opened_on).days, minutes=-rng.randint(60, 600)
                    )
                    state = ReferralState.ACCEPTED if showcase else rng.choice(
                        [ReferralState.ACCEPTED] * 3 + [ReferralState.SERVICE_GIVEN] * 3
                        + [ReferralState.SENT, ReferralState.RECEIVED, ReferralState.DECLINED]
                    )  # fmt: skip
                    answered = state not in (ReferralState.SENT, ReferralState.RECEIVED)
                    referral = Referral(
                        reference=f"GR-{len(referrals) + 1:06d}",
                        from_organization=hias,
                        from_office=lago,
                        sent_by_id=case.owner_id,
                        case=case,
                        individual_id=person[0] if person else None,
                        service=hospital,
                        to_organization_id=hospital.provider.agency_id,
                        urgency=Urgency.URGENT,
                        reason="Atención médica",
                        shared_fields=["case_code"],
                        shared_data=json.dumps({"case_code": case.reference}),
                        consent_method="written",
                        consent_date=sent.date(),
                        state=state,
                        sent_at=sent,
                        respond_by=sent + RESPONSE_SLA[Urgency.URGENT],
                        received_at=sent + datetime.timedelta(hours=1)
                        if state != ReferralState.SENT
                        else None,
                        responded_at=sent + datetime.timedelta(hours=5) if answered else None,
                        consented_types=["health", "psychosocial", "legal"],
                    )
                    referrals.append(referral)
                    if (
                        onward_services
                        and state
                        in (
                            ReferralState.ACCEPTED,
                            ReferralState.SERVICE_GIVEN,
                        )
                        and (showcase or rng.random() < 0.4)
                    ):
                        children.append((referral, 2 if showcase or rng.random() < 0.3 else 1))
            Referral.objects.bulk_create(referrals, batch_size=2000)
            onward: list = []
            for parent, depth in children:
                for _level in range(depth):
                    service = rng.choice(onward_services)
                    sent = parent.sent_at + datetime.timedelta(days=1)
                    child = Referral(
                        reference=f"GRO-{len(onward) + 1:06d}",
                        from_organization_id=partner.organization_id,
                        sent_by=partner,
                        service=service,
                        to_organization_id=service.provider.agency_id,
                        parent=parent,
                        urgency=Urgency.ROUTINE,
                        reason="Sigue su atención",
                        shared_fields=["case_code"],
                        shared_data=parent.shared_data,
                        consent_method="written",
                        consent_date=sent.date(),
                        state=ReferralState.RECEIVED,
                        sent_at=sent,
                        respond_by=sent + RESPONSE_SLA[Urgency.ROUTINE],
                        received_at=sent + datetime.timedelta(hours=3),
                        consented_types=["psychosocial"],
                    )
                    child.save()  # one by one: a chain's next link names this one
                    onward.append(child)
                    parent = child
            counts["referrals"], counts["onward"] = len(referrals), len(onward)
    return counts


def prepare_releases(months: int) -> int:
    """Each ended month's Lago Agrio tables, prepared by the GBV specialist and approved by the
    coordinator (the actions, so `monthly_tables` and the audit run as in use)."""
    from django.utils import timezone

    from amparo.cases import actions
    from amparo.cases.models import MonthlyRelease
    from amparo.core.models import Office, User

    lago = Office.objects.get(organization__code=ORG, code="lago-agrio")
    specialist = User.objects.get(username="vbg.lagoagrio")
    coordinator = User.objects.get(username="coord.vbg.lagoagrio")
    first = timezone.localdate().replace(day=1)
    made = 0
    for back in range(1, months + 1):
        month = first
        for _ in range(back):
            month = (month - datetime.timedelta(days=1)).replace(day=1)
        taken = MonthlyRelease.objects.filter(office=lago, month=month).exclude(state="withdrawn")
        if taken.exists():
            continue
        release = actions.prepare_monthly_release(
            actor=specialist, office=lago, month=f"{month:%Y-%m}"
        )
        actions.approve_monthly_release(actor=coordinator, release=release)
        made += 1
    return made


def load(args) -> None:
    """The demo with the San Lorenzo network, then the caseload, unless already loaded."""
    if not load_demo(args, prefix=PREFIX, noun="benchmark GBV cases", network=True):
        return
    counts = add_gbv(args.cases, args.incidents, args.months, args.seed)
    print("  added: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    with timed("monthly tables prepared and approved"):
        made = prepare_releases(args.months)
    print(f"  releases: {made}")
    vacuum_analyze()
