"""Consent that cannot be gone round: every referral of a restricted case, or of a person who
has one, checks the survivor's consent for that service, in every incident, her declines, and
for a child a valid child consent; a GBV referral shares the minimum by default."""

import datetime

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from amparo.cases import actions as case_actions
from amparo.cases.models import Case, GBVService, GBVTeamMember, ServiceType
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from amparo.referrals import actions
from amparo.referrals.models import Provider, Referral, Service
from amparo.registry import actions as registry_actions
from amparo.registry.models import Individual
from tests.cases.test_access import _incident
from tests.factories import member

TODAY = timezone.localdate


@pytest.fixture
def provider(org_a):
    return Provider.objects.create(organization=org_a, name="Red local", kind="ngo")


def service_of(provider, service_type: str) -> Service:
    return Service.objects.create(provider=provider, type=service_type, name=service_type)


def send(actor, case, service, individual=None, **overrides) -> Referral:
    values = {
        "actor": actor,
        "service": service,
        "urgency": "urgent",
        "reason": "Necesita el servicio",
        "shared_fields": [],
        "consent": True,
        "consent_method": "verbal",
        "consent_date": TODAY(),
        "case": case,
        "individual": individual if individual is not None else case.individuals.first(),
    }
    return actions.send_referral(**(values | overrides))


def consenting_to(case, actor, *services, **changes):
    incident = _incident(case, actor)
    incident.referral_consent = list(services)
    for field, value in changes.items():
        setattr(incident, field, value)
    incident.save()
    return incident


def test_every_service_type_needs_a_consent_of_the_incident_record():
    assert set(actions.GBV_CONSENT_FOR) == set(ServiceType.values)
    assert set(actions.GBV_CONSENT_FOR.values()) <= set(GBVService.values)


@pytest.mark.django_db
@pytest.mark.parametrize("service_type", ServiceType.values)
def test_every_service_type_checks_the_survivors_consent(
    service_type, gbv_case, gbv_specialist, provider
):
    service = service_of(provider, service_type)
    incident = consenting_to(gbv_case, gbv_specialist)  # she consented to nothing

    with pytest.raises(ActionError) as refused:
        send(gbv_specialist, gbv_case, service)
    incident.referral_consent = [actions.GBV_CONSENT_FOR[service_type]]
    incident.save()
    sent = send(gbv_specialist, gbv_case, service)

    assert "consent" in refused.value.errors
    assert sent.state == "sent"


@pytest.mark.django_db
def test_a_gbv_case_without_an_incident_refers_nobody(gbv_case, gbv_specialist, provider):
    with pytest.raises(ActionError) as refused:
        send(gbv_specialist, gbv_case, service_of(provider, "health"))

    assert "Registre primero el incidente" in str(refused.value.errors["consent"][0])
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_consent_is_checked_in_every_incident_so_a_withdrawal_wins(
    gbv_case, gbv_specialist, provider
):
    health = service_of(provider, "health")
    first = consenting_to(gbv_case, gbv_specialist, "health", "psychosocial")
    later = consenting_to(gbv_case, gbv_specialist, "psychosocial")  # health withdrawn

    with pytest.raises(ActionError):
        send(gbv_specialist, gbv_case, health)
    later.referral_consent = ["health"]
    later.save()
    first.referral_consent = ["psychosocial"]  # an older refusal counts too
    first.save()
    with pytest.raises(ActionError):
        send(gbv_specialist, gbv_case, health)
    first.referral_consent = ["health"]
    first.save()

    assert send(gbv_specialist, gbv_case, health).state == "sent"


@pytest.mark.django_db
def test_a_service_the_survivor_declined_cannot_be_referred_to(
    client, gbv_case, gbv_specialist, provider
):
    police = service_of(provider, "police")
    consenting_to(gbv_case, gbv_specialist, "police")
    case_actions.record_service_decision(
        actor=gbv_specialist,
        case=gbv_case,
        service_type="police",
        outcome="referral_declined_by_survivor",
        decided_on=TODAY(),
    )
    client.force_login(gbv_specialist)

    page = client.post(
        f"{reverse('referrals:new')}?case={gbv_case.uuid}",
        {
            "individual": gbv_case.individuals.first().pk,
            "service": police.pk,
            "urgency": "routine",
            "reason": "Denuncia",
            "shared_fields": ["case_code"],
            "consent": "on",
            "consent_method": "verbal",
            "consent_date": TODAY().isoformat(),
        },
    )
    case_actions.record_service_decision(
        actor=gbv_specialist,
        case=gbv_case,
        service_type="police",
        outcome="referred",
        decided_on=TODAY(),
    )

    assert page.status_code == 400
    assert "rechazó las derivaciones" in page.content.decode()
    assert "La persona sobreviviente rechazó las derivaciones a:" in page.content.decode()
    assert send(gbv_specialist, gbv_case, police).state == "sent"


@pytest.mark.django_db
def test_a_referral_records_the_service_as_referred_on_the_case(gbv_case, gbv_specialist, provider):
    consenting_to(gbv_case, gbv_specialist, "health")

    send(gbv_specialist, gbv_case, service_of(provider, "health"))

    decision = gbv_case.service_decisions.get()
    assert (decision.service_type, decision.outcome) == ("health", "referred")


@pytest.mark.django_db
def test_guardian_consent_is_refused_when_the_caregiver_is_the_alleged_perpetrator(
    gbv_case, gbv_specialist, provider
):
    health = service_of(provider, "health")
    consenting_to(gbv_case, gbv_specialist, "health", perpetrator_relationship="caregiver")

    with pytest.raises(ActionError) as refused:
        send(gbv_specialist, gbv_case, health, consent_method="guardian")

    assert "cuidador principal" in str(refused.value.errors["consent"][0])
    assert send(gbv_specialist, gbv_case, health).state == "sent"  # her own consent stands


@pytest.mark.django_db
def test_a_gbv_team_member_is_sent_from_the_person_page_to_the_case(
    client, gbv_case, gbv_specialist, provider
):
    person = gbv_case.individuals.get()
    health = service_of(provider, "health")
    consenting_to(gbv_case, gbv_specialist, "health")
    client.force_login(gbv_specialist)

    page = client.get(reverse("referrals:new"), {"individual": person.uuid})
    with pytest.raises(ActionError) as refused:
        send(gbv_specialist, None, health, individual=person)
    api = APIClient()
    api.force_authenticate(gbv_specialist)
    by_api = api.post(
        "/api/v1/referrals/",
        {
            "service": str(health.uuid),
            "urgency": "routine",
            "reason": "Salud",
            "individual": str(person.uuid),
            "consent": True,
            "consent_method": "verbal",
            "consent_date": TODAY().isoformat(),
        },
        format="json",
    )

    assert page.status_code == 302
    assert page.url == f"{reverse('referrals:new')}?case={gbv_case.uuid}"
    assert gbv_case.reference in str(refused.value.errors["individual"][0])
    assert by_api.status_code == 400 and "individual" in by_api.json()
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_a_referral_from_an_ordinary_case_of_a_survivor_goes_through_her_gbv_case(
    make_user, quito, gbv_case, case, provider
):
    """A GBV team member who also holds her protection case refers her from the GBV case."""
    both = make_user("case_supervisor", office=quito, username="ambas")
    GBVTeamMember.objects.create(office=quito, user=both)

    with pytest.raises(ActionError) as refused:
        send(both, case, service_of(provider, "documentation"))

    assert "individual" in refused.value.errors


@pytest.mark.django_db
def test_someone_off_the_gbv_team_learns_nothing_and_shares_nothing_of_the_case(
    client, gbv_case, gbv_specialist, caseworker, provider
):
    """The person page of a survivor, seen by a caseworker who is not on the GBV team: the
    referral is the registry's, with the consent she gave that caseworker; no page, message or
    shared field says a restricted case exists."""
    person = gbv_case.individuals.get()
    consenting_to(gbv_case, gbv_specialist, "psychosocial")  # no consent to documentation
    documentation = service_of(provider, "documentation")
    client.force_login(caseworker)

    page = client.get(reverse("referrals:new"), {"individual": person.uuid})
    referral = send(caseworker, None, documentation, individual=person, shared_fields=["name"])

    assert page.status_code == 200
    assert gbv_case.reference not in page.content.decode()
    assert "Código del caso" not in page.content.decode()
    assert referral.case is None
    assert actions.shared_data(referral) == {"name": "María José Pérez Gómez"}


@pytest.mark.django_db
def test_a_gbv_referral_shares_the_case_code_not_her_name_by_default(
    client, gbv_case, gbv_specialist, provider
):
    health = service_of(provider, "health")
    consenting_to(gbv_case, gbv_specialist, "health")
    client.force_login(gbv_specialist)

    form = client.get(reverse("referrals:new"), {"case": gbv_case.uuid})
    by_default = send(gbv_specialist, gbv_case, health)
    chosen = send(gbv_specialist, gbv_case, health, shared_fields=["name", "age"])

    checked = form.context["form"]["shared_fields"].initial
    assert checked == ["case_code"]
    assert actions.shared_data(by_default) == {"case_code": gbv_case.reference}
    assert actions.shared_data(chosen) == {"name": "María José Pérez Gómez", "age": 36}


@pytest.mark.django_db
def test_safe_contact_instructions_are_shared_only_when_chosen(
    gbv_case, gbv_specialist, provider, case, caseworker
):
    health = service_of(provider, "health")
    consenting_to(gbv_case, gbv_specialist, "health")
    case_actions.record_safe_contact(
        actor=gbv_specialist,
        case=gbv_case,
        data={"may_call": True, "may_leave_message": False, "safe_contact": "Tardes; su hermana"},
    )

    plain = send(gbv_specialist, gbv_case, health)
    chosen = send(gbv_specialist, gbv_case, health, shared_fields=["case_code", "safe_contact"])
    with pytest.raises(ActionError):  # an ordinary case has no such field to share
        send(caseworker, case, health, shared_fields=["safe_contact"])

    assert "safe_contact" not in actions.shared_data(plain)
    assert actions.shared_data(chosen)["safe_contact"] == (
        "Se puede llamar. No dejar mensajes. Tardes; su hermana"
    )


# Child survivors


@pytest.fixture
def child(caseworker, quito):
    """A girl of ten, with her mother."""
    born = TODAY().replace(year=TODAY().year - 10) - datetime.timedelta(days=1)
    household = registry_actions.register_household(
        actor=caseworker,
        office=quito,
        members=[
            member(),
            member(
                given_names="Ana",
                relationship="child",
                date_of_birth=born.isoformat(),
                documents=[],
                phone="",
            ),
        ],
        area=quito.area,
    )
    return Individual.objects.get(household=household, given_names="Ana")


@pytest.fixture
def child_case(gbv_specialist, child):
    return case_actions.open_case(
        actor=gbv_specialist,
        individuals=[child],
        type="gbv",
        risk_level="high",
        summary="Niña sobreviviente.",
    )


def caregiver_consent(**overrides) -> dict:
    """A caregiver's consent with the child's assent (the data of `record_child_consent`)."""
    return {
        "given_by": "caregiver",
        "caregiver_relationship": "mother",
        "child_assent": True,
        "method": "written",
        "given_on": TODAY(),
        "purposes": ["case_work", "referrals"],
    } | overrides


@pytest.mark.django_db
def test_a_child_is_referred_only_with_her_consent_recorded(
    child_case, child, gbv_specialist, provider
):
    health = service_of(provider, "health")
    consenting_to(child_case, gbv_specialist, "health")

    with pytest.raises(ActionError) as without:
        send(gbv_specialist, child_case, health)
    case_actions.record_child_consent(
        actor=gbv_specialist,
        case=child_case,
        individual=child,
        data=caregiver_consent(purposes=["case_work"]),
    )
    with pytest.raises(ActionError):  # consent to case work is not consent to referrals
        send(gbv_specialist, child_case, health)
    case_actions.record_child_consent(
        actor=gbv_specialist, case=child_case, individual=child, data=caregiver_consent()
    )

    assert "menor de edad" in str(without.value.errors["consent"][0]).lower()
    assert send(gbv_specialist, child_case, health).state == "sent"


@pytest.mark.django_db
def test_a_caregiver_who_is_the_alleged_perpetrator_cannot_consent_for_the_child(
    child_case, child, gbv_specialist, supervisor, quito, provider
):
    GBVTeamMember.objects.create(office=quito, user=supervisor)
    health = service_of(provider, "health")
    consenting_to(child_case, gbv_specialist, "health")
    case_actions.record_child_consent(
        actor=gbv_specialist, case=child_case, individual=child, data=caregiver_consent()
    )
    consenting_to(child_case, gbv_specialist, "health", perpetrator_relationship="caregiver")
    decision = {
        "caregiver_unsuitable": "perpetrator",
        "reason": "La madre es la presunta agresora; la niña necesita atención médica.",
        "child_assent": True,
        "method": "written",
        "given_on": TODAY(),
        "purposes": ["case_work", "referrals"],
    }

    with pytest.raises(ActionError) as stale:  # her consent, given before, no longer holds
        send(gbv_specialist, child_case, health)
    with pytest.raises(ActionError) as again:
        case_actions.record_child_consent(
            actor=gbv_specialist, case=child_case, individual=child, data=caregiver_consent()
        )
    with pytest.raises(Http404):  # a caseworker does not decide in the child's place
        case_actions.record_best_interests_decision(
            actor=gbv_specialist, case=child_case, individual=child, data=decision
        )
    Case.objects.filter(pk=child_case.pk).update(owner=supervisor)
    with pytest.raises(ActionError) as by_owner:  # nor does the supervisor holding the case
        case_actions.record_best_interests_decision(
            actor=supervisor, case=child_case, individual=child, data=decision
        )
    Case.objects.filter(pk=child_case.pk).update(owner=gbv_specialist)
    with pytest.raises(ActionError) as without_reason:
        case_actions.record_best_interests_decision(
            actor=supervisor, case=child_case, individual=child, data=decision | {"reason": ""}
        )
    record = case_actions.record_best_interests_decision(
        actor=supervisor, case=child_case, individual=child, data=decision
    )

    assert "cuidador principal" in str(stale.value.errors["consent"][0])
    assert "cuidador principal" in str(again.value.errors["given_by"][0])
    assert "distinta de quien lleva el caso" in str(by_owner.value.errors)
    assert "reason" in without_reason.value.errors
    assert record.given_by == "best_interests" and record.recorded_by == supervisor
    assert send(gbv_specialist, child_case, health).state == "sent"
    event = AuditEvent.objects.get(action="cases.child_consent.best_interests")
    assert event.actor == supervisor and event.restricted_office_id == quito.pk


# Adolescents of 15–17 who cannot consent for themselves


@pytest.fixture
def adolescent(caseworker, quito):
    """A girl of sixteen, with her mother."""
    born = TODAY().replace(year=TODAY().year - 16) - datetime.timedelta(days=1)
    household = registry_actions.register_household(
        actor=caseworker,
        office=quito,
        members=[
            member(),
            member(
                given_names="Luz",
                relationship="child",
                date_of_birth=born.isoformat(),
                documents=[],
                phone="",
            ),
        ],
        area=quito.area,
    )
    return Individual.objects.get(household=household, given_names="Luz")


@pytest.fixture
def adolescent_case(gbv_specialist, adolescent):
    return case_actions.open_case(
        actor=gbv_specialist,
        individuals=[adolescent],
        type="gbv",
        risk_level="high",
        summary="Adolescente sobreviviente.",
    )


def unable(**overrides) -> dict:
    return {
        "why": "no_capacity",
        "details": "En estado de shock, no puede seguir la explicación.",
        "noted_on": TODAY(),
    } | overrides


@pytest.mark.django_db
def test_an_adolescent_who_cannot_consent_gets_the_caregivers_consent_once_the_reason_is_recorded(
    adolescent_case, adolescent, gbv_specialist, quito, provider
):
    health = service_of(provider, "health")
    consenting_to(adolescent_case, gbv_specialist, "health")
    by_caregiver = caregiver_consent(child_assent=False, caregiver_in_interest=True)

    with pytest.raises(ActionError) as before:  # she consents herself unless recorded otherwise
        case_actions.record_child_consent(
            actor=gbv_specialist, case=adolescent_case, individual=adolescent, data=by_caregiver
        )
    with pytest.raises(ActionError) as no_reason:
        case_actions.record_adolescent_incapacity(
            actor=gbv_specialist,
            case=adolescent_case,
            individual=adolescent,
            data=unable(details=""),
        )
    incapacity = case_actions.record_adolescent_incapacity(
        actor=gbv_specialist, case=adolescent_case, individual=adolescent, data=unable()
    )
    with pytest.raises(ActionError) as not_confirmed:
        case_actions.record_child_consent(
            actor=gbv_specialist,
            case=adolescent_case,
            individual=adolescent,
            data=by_caregiver | {"caregiver_in_interest": False},
        )
    consent = case_actions.record_child_consent(
        actor=gbv_specialist, case=adolescent_case, individual=adolescent, data=by_caregiver
    )

    assert "su propio consentimiento" in str(before.value.errors["given_by"][0])
    assert "details" in no_reason.value.errors
    assert "actúa en interés" in str(not_confirmed.value.errors["given_by"][0])
    assert (consent.given_by, consent.incapacity, consent.age) == ("caregiver", incapacity, 16)
    assert send(gbv_specialist, adolescent_case, health).state == "sent"
    event = AuditEvent.objects.get(action="cases.child_consent.adolescent_unable")
    assert event.details == {"why": "no_capacity"} and event.restricted_office_id == quito.pk


@pytest.mark.django_db
def test_an_adolescent_who_can_consent_does_so_herself_and_no_one_else_for_her(
    adolescent_case, adolescent, gbv_specialist, supervisor, quito, provider
):
    GBVTeamMember.objects.create(office=quito, user=supervisor)
    health = service_of(provider, "health")
    consenting_to(adolescent_case, gbv_specialist, "health")
    decision = {
        "caregiver_unsuitable": "against_interest",
        "reason": "La madre se opone a toda atención.",
        "method": "written",
        "given_on": TODAY(),
        "purposes": ["case_work", "referrals"],
    }

    with pytest.raises(ActionError) as best_interests:
        case_actions.record_best_interests_decision(
            actor=supervisor, case=adolescent_case, individual=adolescent, data=decision
        )
    own = case_actions.record_child_consent(
        actor=gbv_specialist,
        case=adolescent_case,
        individual=adolescent,
        data=caregiver_consent(given_by="survivor", child_assent=False),
    )

    assert "su propio consentimiento" in str(best_interests.value.errors["individual"][0])
    assert own.given_by == "survivor" and own.incapacity is None
    assert send(gbv_specialist, adolescent_case, health).state == "sent"


@pytest.mark.django_db
def test_an_adolescent_in_danger_whose_caregiver_is_the_perpetrator_gets_a_supervisors_decision(
    adolescent_case, adolescent, gbv_specialist, supervisor, quito, provider
):
    GBVTeamMember.objects.create(office=quito, user=supervisor)
    health = service_of(provider, "health")
    consenting_to(adolescent_case, gbv_specialist, "health", perpetrator_relationship="caregiver")
    case_actions.record_adolescent_incapacity(
        actor=gbv_specialist,
        case=adolescent_case,
        individual=adolescent,
        data=unable(why="immediate_danger"),
    )
    decision = {
        "caregiver_unsuitable": "perpetrator",
        "reason": "El padrastro es el presunto agresor; ella corre peligro inmediato.",
        "method": "written",
        "given_on": TODAY(),
        "purposes": ["case_work", "referrals"],
    }

    with pytest.raises(ActionError) as caregiver:
        case_actions.record_child_consent(
            actor=gbv_specialist,
            case=adolescent_case,
            individual=adolescent,
            data=caregiver_consent(caregiver_in_interest=True),
        )
    with pytest.raises(Http404):  # the caseworker does not decide in her place
        case_actions.record_best_interests_decision(
            actor=gbv_specialist, case=adolescent_case, individual=adolescent, data=decision
        )
    record = case_actions.record_best_interests_decision(
        actor=supervisor, case=adolescent_case, individual=adolescent, data=decision
    )

    assert "cuidador principal" in str(caregiver.value.errors["given_by"][0])
    assert record.given_by == "best_interests" and record.incapacity is not None
    assert send(gbv_specialist, adolescent_case, health).state == "sent"


@pytest.mark.django_db
def test_only_an_adolescent_of_15_to_17_is_recorded_as_unable_to_consent(
    child_case, child, gbv_case, gbv_specialist
):
    with pytest.raises(ActionError) as younger:
        case_actions.record_adolescent_incapacity(
            actor=gbv_specialist, case=child_case, individual=child, data=unable()
        )
    with pytest.raises(ActionError) as adult:
        case_actions.record_adolescent_incapacity(
            actor=gbv_specialist,
            case=gbv_case,
            individual=gbv_case.individuals.get(),
            data=unable(),
        )

    assert "A los 10 años" in str(younger.value.errors["individual"][0])
    assert "es adulta" in str(adult.value.errors["individual"][0])


# Withdrawing consent: a new fact, the consent records stay


@pytest.mark.django_db
def test_a_withdrawal_for_one_service_refuses_it_and_flags_its_pending_referrals(
    client, gbv_case, gbv_specialist, quito, provider
):
    health, psychosocial = service_of(provider, "health"), service_of(provider, "psychosocial")
    incident = consenting_to(gbv_case, gbv_specialist, "health", "psychosocial")
    pending = send(gbv_specialist, gbv_case, health)
    other = send(gbv_specialist, gbv_case, psychosocial)

    withdrawal = case_actions.withdraw_consent(
        actor=gbv_specialist,
        case=gbv_case,
        service="health",
        withdrawn_by="survivor",
        withdrawn_on=TODAY(),
        withdraw_referrals=False,  # left open: the case page flags them
    )
    with pytest.raises(ActionError) as refused:
        send(gbv_specialist, gbv_case, health)
    client.force_login(gbv_specialist)
    page = client.get(reverse("cases:detail", args=[gbv_case.uuid])).content.decode()

    assert "retiró el consentimiento" in str(refused.value.errors["consent"][0])
    assert send(gbv_specialist, gbv_case, psychosocial).state == "sent"
    incident.refresh_from_db()
    assert incident.referral_consent == ["health", "psychosocial"]  # the record stays
    assert "Se retiró el consentimiento para estas derivaciones" in page
    warning = page.split("Se retiró el consentimiento para estas derivaciones")[1].split("</div>")[
        0
    ]
    assert pending.reference in warning and other.reference not in warning
    event = AuditEvent.objects.get(action="cases.consent.withdrawn")
    assert event.target_id == str(withdrawal.uuid) and event.restricted_office_id == quito.pk
    assert event.details == {"service": "health", "by": "survivor"}


@pytest.mark.django_db
def test_a_withdrawal_of_all_consent_holds_until_consent_is_given_again(
    child_case, child, gbv_specialist, provider
):
    health, police = service_of(provider, "health"), service_of(provider, "police")
    consenting_to(child_case, gbv_specialist, "health", "police")
    case_actions.record_child_consent(
        actor=gbv_specialist, case=child_case, individual=child, data=caregiver_consent()
    )
    withdrawal = case_actions.withdraw_consent(
        actor=gbv_specialist,
        case=child_case,
        service="",
        withdrawn_by="caregiver",
        withdrawn_on=TODAY(),
    )

    refusals = []
    for service in (health, police):
        with pytest.raises(ActionError) as refused:
            send(gbv_specialist, child_case, service)
        refusals.append(str(refused.value.errors["consent"][0]))
    with pytest.raises(ActionError) as before_it:
        case_actions.renew_consent(
            actor=gbv_specialist,
            case=child_case,
            withdrawal=withdrawal,
            renewed_on=TODAY() - datetime.timedelta(days=1),
        )
    case_actions.renew_consent(
        actor=gbv_specialist, case=child_case, withdrawal=withdrawal, renewed_on=TODAY()
    )

    assert all(r.startswith("El cuidador retiró el consentimiento") for r in refusals)
    assert "renewed_on" in before_it.value.errors
    assert send(gbv_specialist, child_case, health).state == "sent"
    withdrawal.refresh_from_db()
    assert (withdrawal.renewed_on, withdrawal.renewed_by) == (TODAY(), gbv_specialist)
    assert AuditEvent.objects.filter(action="cases.consent.renewed").count() == 1


@pytest.mark.django_db
def test_the_case_page_withdraws_consent_after_a_confirm_step(
    client, gbv_case, gbv_specialist, caseworker, provider
):
    health = service_of(provider, "health")
    consenting_to(gbv_case, gbv_specialist, "health")
    pending = send(gbv_specialist, gbv_case, health)
    url = reverse("cases:consent-withdraw", args=[gbv_case.uuid])
    post = {"service": "", "withdrawn_by": "survivor", "withdrawn_on": TODAY().isoformat()}
    client.force_login(caseworker)

    outsider = (client.get(url).status_code, client.post(url, post).status_code)
    client.force_login(gbv_specialist)
    case_page = client.get(reverse("cases:detail", args=[gbv_case.uuid])).content.decode()
    confirm = client.get(url).content.decode()
    saved = client.post(url, post)
    after = client.get(reverse("cases:detail", args=[gbv_case.uuid])).content.decode()

    assert outsider == (404, 404)
    assert url in case_page
    assert "Sí, registrar el retiro" in confirm and pending.reference in confirm
    assert saved.status_code == 302
    assert gbv_case.consent_withdrawals.get().withdrawn_by == "survivor"
    assert "Todas las derivaciones" in after and "consentimiento retirado" in after


def test_pending_referrals_are_those_awaiting_an_answer():
    from amparo.cases.queries import PENDING_REFERRAL_STATES
    from amparo.referrals.models import AWAITING_ANSWER

    assert set(PENDING_REFERRAL_STATES) == set(AWAITING_ANSWER)
