"""A Care Route shared by a coordination network: members read and refer to it, only its focal
points change it, and the network shares the directory only (never cases or referrals).
Onward referrals: a partner refers the person on within the consent the first referral carried,
and the originating caseworker sees the chain."""

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from amparo.cases import actions as case_actions
from amparo.cases.models import GBVService
from amparo.core.errors import ActionError
from amparo.core.models import Area, AuditEvent
from amparo.referrals import actions, queries
from amparo.referrals.actions import RouteStep
from amparo.referrals.models import CareRoute, CoordinationNetwork, Provider, Referral, Service
from tests.factories import api_token
from tests.referrals.test_gbv_consent import consenting_to

TODAY = timezone.localdate


# --- the shared directory -------------------------------------------------------------------


@pytest.mark.django_db
def test_members_read_the_shared_route_beside_their_own_and_others_do_not(
    shared, org_a_admin, caseworker, make_user, outsider_org
):
    outsider = make_user("administrator", organization=outsider_org, username="fuera")
    route = shared["route"]
    esmeraldas = Area.objects.get(code="EC-E")

    for member_user in (org_a_admin, caseworker):
        assert route in queries.care_routes_visible_to(member_user)
        assert shared["health"] in queries.services_visible_to(member_user)
        assert queries.care_route_for(member_user, area=esmeraldas, need="gbv") == route
        assert queries.suggested_services(member_user, area=esmeraldas, need="gbv") == [
            shared["health"],
            shared["justice"],
        ]
    assert not queries.care_routes_visible_to(outsider).exists()
    assert not queries.services_visible_to(outsider).exists()
    with pytest.raises(Http404):
        queries.get_care_route_for(outsider, route.uuid)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(outsider)}")
    assert api.get(f"/api/v1/care-routes/{route.uuid}/").status_code == 404
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(org_a_admin)}")
    answer = api.get(f"/api/v1/care-routes/{route.uuid}/")
    assert answer.status_code == 200
    assert answer.json()["network"] == "Red de San Lorenzo"


@pytest.mark.django_db
def test_an_organizations_own_route_comes_before_the_networks(shared, org_a_admin):
    esmeraldas = Area.objects.get(code="EC-E")
    own = actions.save_care_route(
        actor=org_a_admin, area=esmeraldas, need="gbv", name="Nuestra ruta", steps=[]
    )

    assert queries.care_route_for(org_a_admin, area=esmeraldas, need="gbv") == own
    assert own.network is None and shared["route"].network is not None


@pytest.mark.django_db
def test_a_network_leaves_when_it_is_deactivated(shared, network, superuser, org_a_admin):
    actions.save_network(
        actor=superuser,
        network=network,
        name=network.name,
        area=network.area,
        convener=network.convener,
        members=list(network.members.all()),
        is_active=False,
    )

    assert not queries.care_routes_visible_to(org_a_admin).filter(network=network).exists()


@pytest.mark.django_db
def test_only_the_networks_focal_points_change_its_rows(
    shared, network, hospital_keeper, org_a_admin, hospital_focal
):
    route, health = shared["route"], shared["health"]

    for not_a_keeper in (org_a_admin, hospital_focal):
        with pytest.raises(Http404):
            actions.save_service(
                actor=not_a_keeper, service=health, provider=health.provider, type="health",
                name="Cambiado",
            )  # fmt: skip
        with pytest.raises(Http404):
            actions.save_care_route(
                actor=not_a_keeper, route=route, area=route.area, need="gbv", name="Cambiada"
            )
        with pytest.raises(Http404):
            actions.save_provider(actor=not_a_keeper, network=network, name="Nuevo", kind="ngo")
    changed = actions.save_care_route(
        actor=hospital_keeper, route=route, area=route.area, need="gbv", name="Ruta VBG (2026)"
    )

    assert Service.objects.get(pk=health.pk).name == "Atención VBG"
    assert changed.name == "Ruta VBG (2026)" and changed.network == network
    event = AuditEvent.objects.filter(action="referrals.careroute.updated").get()
    assert (event.actor_username, event.fields) == ("admin.hosp", ["name"])


@pytest.mark.django_db
def test_a_focal_point_who_leaves_the_network_keeps_nothing(
    shared, network, superuser, hospital_keeper, org_b
):
    actions.save_network(
        actor=superuser,
        network=network,
        name=network.name,
        area=network.area,
        convener=network.convener,
        members=[org_b],
        focal_points=[],
    )

    with pytest.raises(Http404):
        queries.get_care_route_for(hospital_keeper, shared["route"].uuid)


@pytest.mark.django_db
def test_the_network_directory_keeps_its_own_rules(shared, network, hospital_keeper, org_a):
    with pytest.raises(ActionError) as twice:
        actions.save_provider(actor=hospital_keeper, network=network, name="hospital", kind="ngo")
    with pytest.raises(ActionError) as unit:
        actions.save_provider(
            actor=hospital_keeper, network=network, name="Unidad", kind="internal"
        )
    with pytest.raises(ActionError) as foreign_step:
        own = Provider.objects.create(organization=org_a, name="Propio", kind="ngo")
        service = Service.objects.create(provider=own, type="health", name="Propio")
        actions.save_care_route(
            actor=hospital_keeper,
            route=shared["route"],
            area=shared["route"].area,
            need="gbv",
            name="Ruta",
            steps=[RouteStep(1, service)],
        )
    with pytest.raises(ActionError) as second_route:
        actions.save_care_route(
            actor=hospital_keeper, network=network, area=shared["route"].area, need="gbv", name="B"
        )

    assert "__all__" in twice.value.errors
    assert "kind" in unit.value.errors
    assert "steps.0.service" in foreign_step.value.errors
    assert "__all__" in second_route.value.errors
    # The convener's own directory may use the same names: the network's rows are apart.
    assert Provider.objects.create(organization=org_a, name="Hospital", kind="health").pk


@pytest.mark.django_db
def test_networks_are_kept_by_platform_administrators(
    org_a_admin, org_a, org_b, superuser, make_user, outsider_org
):
    stranger = make_user("administrator", organization=outsider_org, username="otra")
    values = {
        "name": "Red",
        "area": Area.objects.get(code="EC-E"),
        "convener": org_a,
        "members": [org_b],
    }

    with pytest.raises(Http404):
        actions.save_network(actor=org_a_admin, **values)
    with pytest.raises(ActionError) as not_member:
        actions.save_network(actor=superuser, focal_points=[stranger], **values)
    network = actions.save_network(actor=superuser, focal_points=[org_a_admin], **values)

    assert "focal_points" in not_member.value.errors
    assert set(network.members.all()) == {org_a, org_b}  # the convener is a member
    assert AuditEvent.objects.filter(action="referrals.network.created").count() == 1


# --- the network shares the directory only ------------------------------------------------------


@pytest.mark.django_db
def test_members_see_nothing_of_each_others_cases_or_referrals(
    shared, case, caseworker, make_user, org_b, client
):
    referral = actions.send_referral(
        actor=caseworker,
        service=shared["health"],
        urgency="routine",
        reason="Atención médica",
        shared_fields=["name"],
        consent=True,
        consent_method="verbal",
        consent_date=TODAY(),
        case=case,
        individual=case.individuals.first(),
    )
    other_member = make_user("administrator", organization=org_b, username="admin.b")
    client.force_login(other_member)

    assert client.get(reverse("referrals:detail", args=[referral.uuid])).status_code == 404
    assert client.get(reverse("cases:detail", args=[case.uuid])).status_code == 404
    assert not queries.referrals_visible_to(other_member).exists()


# --- onward referrals ---------------------------------------------------------------------------


def _first_referral(shared, gbv_case, gbv_specialist, hospital_focal, *consented):
    consenting_to(gbv_case, gbv_specialist, *consented)
    referral = actions.send_referral(
        actor=gbv_specialist,
        service=shared["health"],
        urgency="urgent",
        reason="Atención médica",
        shared_fields=["case_code", "age"],
        consent=True,
        consent_method="written",
        consent_date=TODAY(),
        case=gbv_case,
        individual=gbv_case.individuals.first(),
    )
    actions.move(actor=hospital_focal, referral=referral, to_state="received")
    actions.move(actor=hospital_focal, referral=referral, to_state="accepted")
    return referral


def _onward(actor, parent, service, **overrides):
    values = {
        "actor": actor,
        "parent": parent,
        "service": service,
        "urgency": "urgent",
        "reason": "Quiere denunciar",
        "shared_fields": ["case_code"],
    }
    return actions.refer_onward(**(values | overrides))


@pytest.mark.django_db
def test_an_onward_referral_within_the_consent_given_goes(
    shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal
):
    first = _first_referral(
        shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH, GBVService.LEGAL
    )
    onward = _onward(hospital_focal, first, shared["justice"])

    assert first.consented_types == sorted(["health", "legal", "justice"])
    assert (onward.parent, onward.from_organization) == (first, hospital_focal.organization)
    assert actions.shared_data(onward) == {"case_code": gbv_case.reference}
    assert (onward.consent_method, onward.consent_date) == ("written", first.consent_date)
    assert onward in queries.incoming_for(fiscalia_focal)
    # Its events stay with the case's GBV team, as the first referral's do.
    assert onward.audit_restricted_office_id == gbv_case.office_id


@pytest.mark.django_db
def test_an_onward_referral_beyond_the_consent_needs_her_new_consent(
    shared, gbv_case, gbv_specialist, hospital_focal
):
    first = _first_referral(shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH)

    with pytest.raises(ActionError) as no_consent:
        _onward(hospital_focal, first, shared["justice"])
    with pytest.raises(ActionError) as more_fields:
        _onward(
            hospital_focal,
            first,
            shared["justice"],
            shared_fields=["case_code", "name"],
            consent=True,
            consent_method="verbal",
            consent_date=TODAY(),
        )
    onward = _onward(
        hospital_focal,
        first,
        shared["justice"],
        consent=True,
        consent_method="verbal",
        consent_date=TODAY(),
    )

    assert "consent" in no_consent.value.errors
    assert "shared_fields" in more_fields.value.errors
    assert onward.consent_method == "verbal" and "justice" in onward.consented_types
    assert Referral.objects.filter(parent=first).count() == 1


@pytest.mark.django_db
def test_an_onward_referral_is_refused_once_the_survivor_withdrew_consent(
    shared, gbv_case, gbv_specialist, hospital_focal
):
    first = _first_referral(
        shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH, GBVService.LEGAL
    )
    case_actions.withdraw_consent(
        actor=gbv_specialist,
        case=gbv_case,
        service=GBVService.LEGAL,
        withdrawn_by="survivor",
        withdrawn_on=TODAY(),
    )

    with pytest.raises(ActionError) as refused:
        _onward(hospital_focal, first, shared["justice"])
    with pytest.raises(ActionError) as even_with_new_consent:
        _onward(
            hospital_focal,
            first,
            shared["justice"],
            consent=True,
            consent_method="verbal",
            consent_date=TODAY(),
        )

    assert "retiró el consentimiento" in str(refused.value.errors["consent"][0])
    assert "consent" in even_with_new_consent.value.errors
    assert not Referral.objects.filter(parent=first).exists()


@pytest.mark.django_db
def test_only_the_recipient_refers_on_and_only_once_it_accepted(
    shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal
):
    consenting_to(gbv_case, gbv_specialist, GBVService.HEALTH, GBVService.LEGAL)
    first = actions.send_referral(
        actor=gbv_specialist,
        service=shared["health"],
        urgency="urgent",
        reason="Atención médica",
        shared_fields=["case_code"],
        consent=True,
        consent_method="verbal",
        consent_date=TODAY(),
        case=gbv_case,
        individual=gbv_case.individuals.first(),
    )

    with pytest.raises(ActionError):
        _onward(hospital_focal, first, shared["justice"])  # not accepted yet
    with pytest.raises(Http404):
        _onward(fiscalia_focal, first, shared["justice"])  # not its referral


@pytest.mark.django_db
def test_the_originating_caseworker_sees_the_chain_and_partners_their_link(
    shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal, client
):
    first = _first_referral(
        shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH, GBVService.LEGAL
    )
    onward = _onward(hospital_focal, first, shared["justice"])

    client.force_login(gbv_specialist)
    sender_page = client.get(reverse("referrals:detail", args=[first.uuid])).content.decode()
    client.force_login(hospital_focal)
    hospital_page = client.get(reverse("referrals:detail", args=[onward.uuid])).content.decode()
    client.force_login(fiscalia_focal)
    fiscalia_page = client.get(reverse("referrals:detail", args=[onward.uuid])).content.decode()
    parent_for_fiscalia = client.get(reverse("referrals:detail", args=[first.uuid]))

    assert "Denuncia" in sender_page and "Fiscalía" in sender_page
    assert first.reference in hospital_page  # the link it made
    assert first.reference not in fiscalia_page
    assert parent_for_fiscalia.status_code == 404
    as_sender = queries.get_referral_for(gbv_specialist, first.uuid)
    as_recipient = queries.get_referral_for(hospital_focal, first.uuid)
    assert queries.onward_chain(gbv_specialist, as_sender) == [onward]
    assert queries.onward_chain(hospital_focal, as_recipient) == [onward]  # what it sent


@pytest.mark.django_db
def test_the_onward_form_sends_the_referral(
    shared, gbv_case, gbv_specialist, hospital_focal, client
):
    first = _first_referral(shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH)
    client.force_login(hospital_focal)
    url = reverse("referrals:onward", args=[first.uuid])

    page = client.get(url)
    refused = client.post(
        url,
        {
            "service": shared["justice"].pk,
            "urgency": "urgent",
            "reason": "Denuncia",
            "shared_fields": ["case_code"],
        },
    )
    sent = client.post(
        url,
        {
            "service": shared["justice"].pk,
            "urgency": "urgent",
            "reason": "Denuncia",
            "shared_fields": ["case_code"],
            "consent": "on",
            "consent_method": "verbal",
            "consent_date": TODAY().isoformat(),
        },
    )

    assert page.status_code == 200
    assert refused.status_code == 400
    assert sent.status_code == 302
    assert Referral.objects.filter(parent=first, service=shared["justice"]).exists()


@pytest.mark.django_db
def test_the_convener_keeps_the_record_of_the_networks_rows(shared, network):
    assert CareRoute.objects.filter(network=network).get().organization == network.convener
    assert CoordinationNetwork.objects.get().members.count() == 4


# --- the admin ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_focal_points_keep_the_shared_route_in_the_admin_and_other_members_do_not(
    shared, network, hospital_keeper, org_a_admin, client
):
    route, health, justice = shared["route"], shared["health"], shared["justice"]
    change = reverse("admin:referrals_careroute_change", args=[route.pk])
    data = {
        "area": "EC-E",
        "need": "gbv",
        "name": "Ruta VBG San Lorenzo (2026)",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "2",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, step in enumerate(route.steps.all()):
        data |= {
            f"steps-{i}-id": step.pk,
            f"steps-{i}-route": route.pk,
            f"steps-{i}-position": step.position,
            f"steps-{i}-service": step.service_id,
            f"steps-{i}-note": "",
        }

    client.force_login(org_a_admin)  # the convener's administrator, not a focal point
    listed_for_member = client.get(reverse("admin:referrals_careroute_changelist"))
    member_change = client.get(change)
    client.force_login(hospital_keeper)
    listed_for_keeper = client.get(reverse("admin:referrals_careroute_changelist"))
    saved = client.post(change, data)

    assert route.name not in listed_for_member.content.decode()
    assert member_change.status_code == 404
    assert route.name in listed_for_keeper.content.decode()
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    route.refresh_from_db()
    assert (route.name, route.network) == ("Ruta VBG San Lorenzo (2026)", network)
    assert [s.service for s in route.steps.all()] == [health, justice]


@pytest.mark.django_db
def test_a_focal_point_adds_a_provider_to_the_network_in_the_admin(
    network, hospital_keeper, fiscalia_org, client
):
    client.force_login(hospital_keeper)
    response = client.post(
        reverse("admin:referrals_provider_add"),
        {
            "network": network.pk,
            "name": "Comisaría Nacional",
            "kind": "government",
            "agency": fiscalia_org.pk,  # a member: it receives the network's referrals
            "office": "",
            "contact_name": "",
            "phone": "",
            "email": "",
            "address": "",
            "is_active": "on",
            "services-TOTAL_FORMS": "0",
            "services-INITIAL_FORMS": "0",
            "services-MIN_NUM_FORMS": "0",
            "services-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    provider = Provider.objects.get(name="Comisaría Nacional")
    assert (provider.network, provider.organization) == (network, network.convener)


@pytest.mark.django_db
def test_only_platform_superusers_keep_networks_in_the_admin(
    superuser, org_a_admin, org_a, org_b, client
):
    add = reverse("admin:referrals_coordinationnetwork_add")
    client.force_login(org_a_admin)
    refused = client.get(add)
    client.force_login(superuser)
    page = client.get(add)
    created = client.post(
        add,
        {
            "name": "Red de San Lorenzo",
            "area": "EC-E",
            "convener": org_a.pk,
            "members": [org_b.pk],
            "focal_points": [org_a_admin.pk],
            "is_active": "on",
        },
    )

    assert refused.status_code in (403, 404)
    assert page.status_code == 200
    assert created.status_code == 302, created.context["adminform"].form.errors
    network = CoordinationNetwork.objects.get()
    assert set(network.members.all()) == {org_a, org_b}
    assert list(network.focal_points.all()) == [org_a_admin]


@pytest.mark.django_db
def test_the_api_shows_the_chain_to_its_sender_and_the_link_to_the_partner(
    shared, gbv_case, gbv_specialist, hospital_focal, fiscalia_focal
):
    first = _first_referral(shared, gbv_case, gbv_specialist, hospital_focal, GBVService.HEALTH)
    onward = _onward(
        hospital_focal,
        first,
        shared["justice"],
        consent=True,
        consent_method="verbal",
        consent_date=TODAY(),
    )

    def read(user, referral):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        return api.get(f"/api/v1/referrals/{referral.uuid}/").json()

    sender = read(gbv_specialist, first)
    hospital = read(hospital_focal, onward)
    fiscalia = read(fiscalia_focal, onward)

    assert [link["reference"] for link in sender["onward"]] == [onward.reference]
    assert sender["consented_types"] == ["health"]
    assert hospital["parent"] == str(first.uuid)
    assert "parent" not in fiscalia and fiscalia["onward"] == []
    assert fiscalia["consented_types"] == ["health", "justice"]


# --- across the border --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_referral_abroad_needs_her_consent_to_share_across_the_border(
    case, caseworker, org_a, org_a_admin
):
    red_cross = actions.save_provider(
        actor=org_a_admin,
        name="Cruz Roja Colombiana – Tumaco",
        kind="ngo",
        country=Area.objects.get(code="CO"),
    )
    abroad = actions.save_service(
        actor=org_a_admin, provider=red_cross, type="health", name="Atención en Tumaco"
    )
    ecuador = Area.objects.get(code="EC")
    home_provider = Provider.objects.create(
        organization=org_a, name="Cruz Roja Ecuatoriana", kind="ngo", country=ecuador
    )
    at_home = Service.objects.create(provider=home_provider, type="health", name="Atención")
    values = {
        "actor": caseworker,
        "urgency": "routine",
        "reason": "Vive al otro lado de la frontera",
        "shared_fields": ["name"],
        "consent": True,
        "consent_method": "verbal",
        "consent_date": TODAY(),
        "case": case,
        "individual": case.individuals.first(),
    }

    with pytest.raises(ActionError) as refused:
        actions.send_referral(service=abroad, **values)
    sent = actions.send_referral(service=abroad, cross_border_consent=True, **values)
    home = actions.send_referral(service=at_home, **values)

    assert "cross_border_consent" in refused.value.errors
    assert "Colombia" in str(refused.value.errors["cross_border_consent"][0])
    assert (sent.cross_border_consent, home.cross_border_consent) == (True, False)
