"""Admin screens of the service directory and care routes: who reaches them, what they check."""

import pytest
from django.urls import reverse

from amparo.core.models import Area, AuditEvent
from amparo.referrals.models import CareRoute, CareRouteStep, Provider, Service
from tests.factories import OrganizationFactory


@pytest.fixture
def supervisor_a(make_user, office_a1):
    # English: the messages asserted here are the source strings, whatever the catalog says.
    return make_user("case_supervisor", office=office_a1, username="supervisora", language="en")


@pytest.fixture
def partner(db):
    return OrganizationFactory(code="hospital", name="Hospital", is_care_route_partner=True)


def add_provider(org, name="Fiscalía", kind="prosecutor", **fields):
    return Provider.objects.create(organization=org, name=name, kind=kind, **fields)


def add_service(provider, name="Denuncia", type="justice", areas=()):
    service = Service.objects.create(provider=provider, name=name, type=type)
    service.areas.set(Area.objects.filter(code__in=areas))
    return service


def provider_form(**overrides):
    data = {
        "name": "Hospital Marco Vinicio Iza",
        "kind": "health",
        "agency": "",
        "office": "",
        "contact_name": "Trabajo social",
        "phone": "+593 6 000 0004",
        "email": "ts@hospital.example",
        "address": "Nueva Loja",
        "is_active": "on",
        "services-TOTAL_FORMS": "0",
        "services-INITIAL_FORMS": "0",
        "services-MIN_NUM_FORMS": "0",
        "services-MAX_NUM_FORMS": "1000",
    }
    return {**data, **overrides}


def with_service(data, index=0, **fields):
    service = {
        "type": "health",
        "name": "Atención a víctimas de violencia sexual",
        "areas": "EC-U",
        "hours": "24 horas",
        "eligibility": "",
        "languages": "es",
        "is_active": "on",
        **fields,
    }
    data = {**data, **{f"services-{index}-{k}": v for k, v in service.items()}}
    data["services-TOTAL_FORMS"] = str(index + 1)
    return data


def route_form(area="EC-U", need="gbv", steps=(), initial=0, **overrides):
    data = {
        "area": area,
        "need": need,
        "name": "VBG – Lago Agrio",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(initial),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        **overrides,
    }
    for i, step in enumerate(steps):
        for key, value in step.items():
            data[f"steps-{i}-{key}"] = value
    return data


def errors_of(response):
    return response.context["adminform"].form.errors


def test_supervisor_adds_provider_with_service_in_own_directory(client, supervisor_a, partner):
    client.force_login(supervisor_a)

    response = client.post(
        reverse("admin:referrals_provider_add"),
        with_service(provider_form(agency=partner.pk), languages="es; EN"),
    )

    assert response.status_code == 302
    provider = Provider.objects.get()
    service = provider.services.get()
    assert (provider.organization, provider.agency) == (supervisor_a.organization, partner)
    assert [a.code for a in service.areas.all()] == ["EC-U"]
    assert service.languages == ["es", "en"]
    events = AuditEvent.objects.filter(action__startswith="referrals.").order_by("id")
    assert [(e.action, e.target_id, e.organization_id) for e in events] == [
        ("referrals.provider.created", str(provider.uuid), supervisor_a.organization_id),
        ("referrals.service.created", str(service.uuid), supervisor_a.organization_id),
    ]
    assert all(e.actor == supervisor_a for e in events)


def test_provider_change_is_audited_with_field_names_only(client, supervisor_a, org_a):
    provider = add_provider(org_a, phone="111")
    client.force_login(supervisor_a)

    response = client.post(
        reverse("admin:referrals_provider_change", args=[provider.pk]),
        provider_form(
            name="Fiscalía", kind="prosecutor", phone="222", contact_name="", email="", address=""
        ),
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="referrals.provider.updated")
    assert (event.target_id, event.fields, event.details) == (str(provider.uuid), ["phone"], {})


def test_supervisor_sees_only_the_directory_in_the_admin(client, supervisor_a):
    client.force_login(supervisor_a)

    index = client.get(reverse("admin:index"))
    users = client.get(reverse("admin:core_user_changelist"))
    offices = client.get(reverse("admin:core_office_changelist"))
    roles = client.get(reverse("admin:core_role_add"))

    links = {m["admin_url"] for app in index.context["app_list"] for m in app["models"]}
    assert index.status_code == 200
    assert links == {
        reverse("admin:referrals_provider_changelist"),
        reverse("admin:referrals_service_changelist"),
        reverse("admin:referrals_careroute_changelist"),
    }
    assert (users.status_code, offices.status_code, roles.status_code) == (404, 404, 404)


def test_administrator_keeps_core_admin_and_gets_the_directory(client, admin_a):
    client.force_login(admin_a)

    index = client.get(reverse("admin:index"))

    links = {m["admin_url"] for app in index.context["app_list"] for m in app["models"]}
    assert reverse("admin:core_user_changelist") in links
    assert reverse("admin:referrals_provider_changelist") in links


@pytest.mark.parametrize("role", ["caseworker", "gbv_specialist", "registration_officer"])
def test_roles_without_directory_permission_get_404(client, make_user, office_a1, org_a, role):
    provider = add_provider(org_a)
    client.force_login(make_user(role, office=office_a1))

    pages = [
        reverse("admin:index"),
        reverse("admin:referrals_provider_changelist"),
        reverse("admin:referrals_provider_change", args=[provider.pk]),
        reverse("admin:referrals_careroute_add"),
    ]

    assert [client.get(p).status_code for p in pages] == [404, 404, 404, 404]


def test_other_organizations_rows_answer_404_and_are_not_listed(client, supervisor_a, org_a, org_b):
    ours = add_provider(org_a, name="Nuestra")
    theirs = add_provider(org_b, name="Ajena")
    their_service = add_service(theirs)
    their_route = CareRoute.objects.create(
        organization=org_b, area=Area.objects.get(code="EC-U"), need="gbv", name="Ruta B"
    )
    client.force_login(supervisor_a)

    listed = client.get(reverse("admin:referrals_provider_changelist"))
    change = client.get(reverse("admin:referrals_provider_change", args=[theirs.pk]))
    post = client.post(
        reverse("admin:referrals_provider_change", args=[theirs.pk]), provider_form(name="X")
    )
    service = client.get(reverse("admin:referrals_service_change", args=[their_service.pk]))
    route = client.get(reverse("admin:referrals_careroute_change", args=[their_route.pk]))

    assert list(listed.context["cl"].result_list) == [ours]
    assert (change.status_code, post.status_code) == (404, 404)
    assert (service.status_code, route.status_code) == (404, 404)
    theirs.refresh_from_db()
    assert theirs.name == "Ajena"


def test_agency_must_be_a_partner_or_the_organization_itself(client, supervisor_a, org_b):
    client.force_login(supervisor_a)

    response = client.post(reverse("admin:referrals_provider_add"), provider_form(agency=org_b.pk))

    assert errors_of(response)["agency"] == [
        "Choose a Care Route partner or your own organization: only they receive referrals in "
        "Amparo."
    ]
    assert not Provider.objects.exists()


def test_office_only_for_internal_units(client, supervisor_a, office_a1):
    client.force_login(supervisor_a)

    response = client.post(
        reverse("admin:referrals_provider_add"), provider_form(kind="police", office=office_a1.pk)
    )

    assert errors_of(response)["office"] == [
        "Only a unit of your organization has an office: leave it empty, or set the kind to "
        "“Unit of our organization”."
    ]
    assert not Provider.objects.exists()


def test_office_of_another_organization_is_refused(client, supervisor_a, office_b1):
    client.force_login(supervisor_a)

    response = client.post(
        reverse("admin:referrals_provider_add"),
        provider_form(kind="internal", office=office_b1.pk),
    )

    assert errors_of(response)["office"] == ["Choose one of your organization's offices."]


def test_internal_unit_receives_referrals_in_own_organization(client, supervisor_a, office_a1):
    client.force_login(supervisor_a)

    response = client.post(
        reverse("admin:referrals_provider_add"),
        provider_form(name="Unidad legal", kind="internal", office=office_a1.pk),
    )

    provider = Provider.objects.get()
    assert response.status_code == 302
    assert (provider.agency, provider.office) == (supervisor_a.organization, office_a1)


def test_internal_unit_cannot_name_a_partner_as_agency(client, supervisor_a, partner):
    client.force_login(supervisor_a)

    response = client.post(
        reverse("admin:referrals_provider_add"), provider_form(kind="internal", agency=partner.pk)
    )

    assert errors_of(response)["agency"] == [
        "A unit of your organization receives its referrals in your organization: choose it or "
        "leave the field empty."
    ]


def test_duplicate_provider_name_gets_a_clear_message(client, supervisor_a, org_a, org_b):
    add_provider(org_a, name="Hospital Marco Vinicio Iza")
    add_provider(org_b, name="Hospital Marco Vinicio Iza B")
    client.force_login(supervisor_a)

    response = client.post(
        reverse("admin:referrals_provider_add"), provider_form(name="hospital marco vinicio iza")
    )

    assert errors_of(response)["__all__"] == [
        "The directory already lists a provider called “hospital marco vinicio iza”."
    ]
    assert Provider.objects.filter(organization=org_a).count() == 1


def test_unknown_area_and_language_codes_get_clear_messages(client, supervisor_a, org_a):
    provider = add_provider(org_a)
    client.force_login(supervisor_a)

    response = client.post(
        reverse("admin:referrals_service_add"),
        {
            "provider": provider.pk,
            "type": "justice",
            "name": "Denuncia",
            "areas": "EC-U; XX-9",
            "languages": "es; zz",
            "is_active": "on",
        },
    )

    errors = errors_of(response)
    assert errors["areas"] == ["No area has the code XX-9. Use ISO 3166-2 codes or P-codes (EC-P)."]
    assert errors["languages"] == [
        "Unknown language codes: zz. Use two-letter ISO 639-1 codes (es, en)."
    ]
    assert not Service.objects.exists()


def test_service_admin_offers_only_own_providers_and_audits(client, supervisor_a, org_a, org_b):
    ours, theirs = add_provider(org_a), add_provider(org_b, name="Ajena")
    client.force_login(supervisor_a)
    url = reverse("admin:referrals_service_add")
    data = {
        "type": "justice",
        "name": "Denuncia",
        "areas": "ec-u",
        "languages": "",
        "is_active": "on",
    }

    refused = client.post(url, {**data, "provider": theirs.pk})
    accepted = client.post(url, {**data, "provider": ours.pk})

    assert errors_of(refused)["provider"] == ["Choose a provider of your organization's directory."]
    assert accepted.status_code == 302
    service = Service.objects.get()
    assert (service.provider, [a.code for a in service.areas.all()]) == (ours, ["EC-U"])
    event = AuditEvent.objects.get(action="referrals.service.created")
    assert (event.target_id, event.organization_id) == (str(service.uuid), org_a.pk)


def test_service_change_form_shows_area_and_language_codes(client, supervisor_a, org_a):
    service = add_service(add_provider(org_a), areas=["EC-U", "EC-P"])
    service.languages = ["es", "en"]
    service.save()
    client.force_login(supervisor_a)

    response = client.get(reverse("admin:referrals_service_change", args=[service.pk]))

    form = response.context["adminform"].form
    assert form["areas"].value() == "EC-P; EC-U"
    assert form["languages"].value() == "es; en"


def test_care_route_with_ordered_steps_is_saved_and_audited(client, supervisor_a, org_a):
    hospital = add_service(add_provider(org_a, "Hospital", "health"), "Atención", "health")
    fiscalia = add_service(add_provider(org_a), "Denuncia", "justice")
    client.force_login(supervisor_a)

    response = client.post(
        reverse("admin:referrals_careroute_add"),
        route_form(
            area="ec-u",
            steps=[
                {"position": "1", "service": hospital.pk, "note": "72 horas"},
                {"position": "2", "service": fiscalia.pk, "note": ""},
            ],
        ),
    )

    assert response.status_code == 302
    route = CareRoute.objects.get()
    assert (route.organization, route.area.code, route.need) == (org_a, "EC-U", "gbv")
    assert [(s.position, s.service) for s in route.steps.all()] == [(1, hospital), (2, fiscalia)]
    actions = list(
        AuditEvent.objects.filter(target_id=str(route.uuid))
        .order_by("id")
        .values_list("action", "details")
    )
    assert actions == [
        ("referrals.careroute.created", {}),
        ("referrals.careroute.steps_changed", {"added": 2, "changed": 0, "removed": 0}),
    ]


def test_care_route_step_from_another_directory_is_refused(client, supervisor_a, org_b):
    theirs = add_service(add_provider(org_b))
    client.force_login(supervisor_a)

    response = client.post(
        reverse("admin:referrals_careroute_add"),
        route_form(steps=[{"position": "1", "service": theirs.pk, "note": ""}]),
    )

    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.errors[0]["service"] == ["Choose a service of your organization's directory."]
    assert not CareRoute.objects.exists()


def test_care_route_steps_can_swap_positions(client, supervisor_a, org_a):
    first = add_service(add_provider(org_a, "Hospital", "health"), "Atención", "health")
    second = add_service(add_provider(org_a), "Denuncia", "justice")
    route = CareRoute.objects.create(
        organization=org_a, area=Area.objects.get(code="EC-U"), need="gbv", name="Ruta"
    )
    a = CareRouteStep.objects.create(route=route, position=1, service=first)
    b = CareRouteStep.objects.create(route=route, position=2, service=second)
    client.force_login(supervisor_a)

    response = client.post(
        reverse("admin:referrals_careroute_change", args=[route.pk]),
        route_form(
            name="Ruta",
            initial=2,
            steps=[
                {"id": a.pk, "route": route.pk, "position": "2", "service": first.pk},
                {"id": b.pk, "route": route.pk, "position": "1", "service": second.pk},
            ],
        ),
    )

    assert response.status_code == 302
    assert [s.service for s in route.steps.all()] == [second, first]


def test_care_route_steps_with_the_same_position_get_a_message(client, supervisor_a, org_a):
    service = add_service(add_provider(org_a))
    client.force_login(supervisor_a)

    response = client.post(
        reverse("admin:referrals_careroute_add"),
        route_form(
            steps=[
                {"position": "1", "service": service.pk},
                {"position": "1", "service": service.pk},
            ]
        ),
    )

    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.errors[1]["position"] == [
        "Another step already has number 1: give each step its own number."
    ]
    assert not CareRoute.objects.exists()


def test_second_route_for_the_same_area_and_need_gets_a_message(client, supervisor_a, org_a):
    CareRoute.objects.create(
        organization=org_a, area=Area.objects.get(code="EC-U"), need="gbv", name="Ruta"
    )
    client.force_login(supervisor_a)

    response = client.post(reverse("admin:referrals_careroute_add"), route_form())
    unknown = client.post(reverse("admin:referrals_careroute_add"), route_form(area="XX-1"))

    assert errors_of(response)["__all__"] == [
        "There is already a care route for Gender-based violence in Sucumbíos: change "
        "that one instead."
    ]
    assert errors_of(unknown)["area"] == [
        "No area has this code. Use an ISO 3166-2 code or a P-code (for example EC-U)."
    ]
    assert CareRoute.objects.count() == 1


def test_platform_operator_chooses_the_directory_and_its_rules_apply(
    client, make_user, org_a, org_b, office_a1
):
    operator = make_user("administrator", is_superuser=True, language="en")
    client.force_login(operator)
    theirs = add_service(add_provider(org_b))

    provider = client.post(
        reverse("admin:referrals_provider_add"),
        provider_form(organization=org_a.pk, name="Unidad", kind="internal", office=office_a1.pk),
    )
    route = client.post(
        reverse("admin:referrals_careroute_add"),
        route_form(
            organization=org_a.pk, steps=[{"position": "1", "service": theirs.pk, "note": ""}]
        ),
    )

    created = Provider.objects.get(name="Unidad")
    assert provider.status_code == 302
    assert (created.organization, created.agency) == (org_a, org_a)
    formset = route.context["inline_admin_formsets"][0].formset
    assert formset.errors[0]["service"] == ["Choose a service of your organization's directory."]
    assert not CareRoute.objects.exists()


def test_supervisor_opens_every_directory_admin_page(client, supervisor_a, org_a):
    service = add_service(add_provider(org_a), areas=["EC-U"])
    route = CareRoute.objects.create(
        organization=org_a, area=Area.objects.get(code="EC-U"), need="gbv", name="Ruta"
    )
    CareRouteStep.objects.create(route=route, position=1, service=service)
    client.force_login(supervisor_a)

    pages = [
        reverse("admin:referrals_provider_changelist"),
        reverse("admin:referrals_provider_add"),
        reverse("admin:referrals_provider_change", args=[service.provider_id]),
        reverse("admin:referrals_service_changelist"),
        reverse("admin:referrals_service_change", args=[service.pk]),
        reverse("admin:referrals_careroute_changelist"),
        reverse("admin:referrals_careroute_add"),
        reverse("admin:referrals_careroute_change", args=[route.pk]),
    ]

    assert [client.get(p).status_code for p in pages] == [200] * len(pages)
    change = client.get(reverse("admin:referrals_careroute_change", args=[route.pk]))
    assert change.context["adminform"].form["area"].value() == "EC-U"


def test_services_changed_in_the_provider_page_are_saved_and_audited(client, supervisor_a, org_a):
    provider = add_provider(org_a)
    service = add_service(provider, areas=["EC-U"])
    client.force_login(supervisor_a)
    data = with_service(
        provider_form(name="Fiscalía", kind="prosecutor", contact_name="", email="", address=""),
        id=service.pk,
        provider=provider.pk,
        type="justice",
        name="Denuncia",
        areas="EC-U; EC-P",
        hours="",
        languages="",
        is_active="",
    )
    data = with_service({**data, "services-INITIAL_FORMS": "1", "phone": ""}, index=1)

    response = client.post(reverse("admin:referrals_provider_change", args=[provider.pk]), data)

    assert response.status_code == 302
    service.refresh_from_db()
    added = provider.services.exclude(pk=service.pk).get()
    assert sorted(a.code for a in service.areas.all()) == ["EC-P", "EC-U"]
    assert not service.is_active
    events = AuditEvent.objects.filter(action__startswith="referrals.").order_by("id")
    assert [(e.action, e.target_id, e.fields) for e in events] == [
        ("referrals.provider.updated", str(provider.uuid), []),
        ("referrals.service.updated", str(service.uuid), ["areas", "is_active"]),
        (
            "referrals.service.created",
            str(added.uuid),
            ["areas", "hours", "languages", "name", "type"],
        ),
    ]


def test_service_page_saves_areas_through_the_action(client, supervisor_a, org_a):
    service = add_service(add_provider(org_a), areas=["EC-U"])
    client.force_login(supervisor_a)

    response = client.post(
        reverse("admin:referrals_service_change", args=[service.pk]),
        {
            "provider": service.provider_id,
            "type": "justice",
            "name": "Denuncia",
            "areas": "EC-P",
            "languages": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert [a.code for a in service.areas.all()] == ["EC-P"]
    event = AuditEvent.objects.get(action="referrals.service.updated")
    assert (event.target_id, event.fields) == (str(service.uuid), ["areas"])


def test_care_route_step_removed_in_the_admin(client, supervisor_a, org_a):
    first = add_service(add_provider(org_a, "Hospital", "health"), "Atención", "health")
    second = add_service(add_provider(org_a), "Denuncia", "justice")
    route = CareRoute.objects.create(
        organization=org_a, area=Area.objects.get(code="EC-U"), need="gbv", name="Ruta"
    )
    a = CareRouteStep.objects.create(route=route, position=1, service=first)
    b = CareRouteStep.objects.create(route=route, position=2, service=second)
    client.force_login(supervisor_a)

    response = client.post(
        reverse("admin:referrals_careroute_change", args=[route.pk]),
        route_form(
            name="Ruta",
            initial=2,
            steps=[
                {"id": a.pk, "route": route.pk, "position": "1", "service": first.pk},
                {
                    "id": b.pk,
                    "route": route.pk,
                    "position": "2",
                    "service": second.pk,
                    "DELETE": "on",
                },
            ],
        ),
    )

    assert response.status_code == 302
    assert [(s.position, s.service) for s in route.steps.all()] == [(1, first)]
    assert list(
        AuditEvent.objects.filter(target_id=str(route.uuid))
        .order_by("id")
        .values_list("action", "details")
    ) == [
        ("referrals.careroute.updated", {}),
        ("referrals.careroute.steps_changed", {"added": 0, "changed": 0, "removed": 1}),
    ]
