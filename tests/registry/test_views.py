import datetime

import pytest
from django.urls import reverse

from amparo.core.models import Area, AuditEvent
from amparo.registry import actions
from amparo.registry.forms import age_band_range
from amparo.registry.models import Household, Individual
from tests.factories import member


@pytest.fixture
def quito(office_a1):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.save()
    return office_a1


@pytest.fixture
def officer(make_user, quito):
    return make_user("registration_officer", office=quito, username="registro")


def member_post(index: int, **fields) -> dict:
    data = {
        "given_names": "María José",
        "first_surname": "Pérez",
        "second_surname": "Gómez",
        "sex": "F",
        "date_of_birth": "1990-03-14",
        "age": "",
        "nationality": "VE",
        "population_group": "asylum_seeker",
        "relationship": "head",
        "phone": "0991234567",
        "document_type": "national_id",
        "document_number": "V-12345678",
        "document_country": "VE",
        **fields,
    }
    return {f"form-{index}-{k}": v for k, v in data.items()}


def family_post(**household) -> dict:
    data = {
        "form-TOTAL_FORMS": "3",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "1",
        "form-MAX_NUM_FORMS": "20",
        "address": "Av. Amazonas",
        "phone": "",
        "duplicate_reason": "",
        "save": "1",
        **household,
    }
    data |= member_post(0)
    data |= member_post(
        1,
        given_names="Luis",
        sex="M",
        relationship="spouse",
        date_of_birth="1987-05-05",
        phone="",
        document_type="",
        document_number="",
    )
    data |= member_post(
        2,
        given_names="Ana",
        relationship="child",
        date_of_birth="",
        age="7",
        phone="",
        document_type="",
        document_number="",
    )
    return data


def test_register_page_creates_household_with_members(client, officer):
    client.force_login(officer)

    response = client.post(reverse("registry:register"), family_post())

    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:household", args=[household.uuid])
    assert [m.given_names for m in household.members.order_by("id")] == [
        "María José",
        "Luis",
        "Ana",
    ]


def test_register_page_shows_messages_next_to_fields_and_saves_nothing(client, officer):
    client.force_login(officer)
    data = family_post() | member_post(
        2,
        given_names="Ana",
        relationship="child",
        date_of_birth="2999-01-01",
        phone="12",
        document_type="",
        document_number="",
    )

    response = client.post(reverse("registry:register"), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "La fecha de nacimiento está en el futuro." in page
    assert "Este no es un número de teléfono válido para EC." in page
    assert Household.objects.count() == 0


def test_register_page_puts_each_members_errors_on_that_members_form(client, officer):
    client.force_login(officer)
    data = family_post(phone="123") | member_post(
        2,
        given_names="Ana",
        relationship="child",
        date_of_birth="2999-01-01",
        phone="12",
        document_type="passport",
        document_number="-",
    )

    response = client.post(reverse("registry:register"), data)

    forms = response.context["formset"].forms
    assert response.status_code == 400
    assert [set(f.errors) for f in forms] == [
        set(),
        set(),
        {"date_of_birth", "phone", "document_number"},
    ]
    assert list(response.context["form"].errors) == ["phone"]


def test_register_page_without_a_head_says_so_above_the_members(client, officer):
    client.force_login(officer)
    data = family_post() | member_post(0, relationship="spouse")

    response = client.post(reverse("registry:register"), data)

    assert response.status_code == 400
    assert response.context["formset"].non_form_errors() == [
        "Un miembro debe ser el jefe o la jefa del hogar."
    ]
    assert "Un miembro debe ser el jefe o la jefa del hogar." in response.content.decode()


def test_register_page_warns_of_duplicates_then_accepts_a_reason(client, officer, quito):
    actions.register_household(actor=officer, office=quito, members=[member()])
    client.force_login(officer)

    warned = client.post(reverse("registry:register"), family_post())
    accepted = client.post(
        reverse("registry:register"), family_post(duplicate_reason="Homónima, otra cédula")
    )

    assert warned.status_code == 409
    assert "Posibles duplicados" in warned.content.decode()
    assert accepted.status_code == 302
    assert Household.objects.count() == 2
    assert Household.objects.exclude(duplicate_reason="").get().duplicate_reason == (
        "Homónima, otra cédula"
    )


def test_register_add_member_button_adds_an_empty_form(client, officer):
    client.force_login(officer)
    data = family_post() | {"add_member": "1"}
    data.pop("save")

    response = client.post(reverse("registry:register"), data)

    assert response.status_code == 200
    assert response.context["formset"].total_form_count() == 4
    assert Household.objects.count() == 0


def test_search_page_finds_misspelled_name_and_audits_the_search(client, officer, quito):
    household = actions.register_household(actor=officer, office=quito, members=[member()])
    client.force_login(officer)

    response = client.get(reverse("registry:search"), {"q": "maria jose peres"})

    assert [h.individual.household for h in response.context["hits"]] == [household]
    assert AuditEvent.objects.filter(action="registry.individual.searched").count() == 1


def test_search_page_filters_narrow_results(client, officer, quito):
    actions.register_household(actor=officer, office=quito, members=[member()])
    client.force_login(officer)

    response = client.get(reverse("registry:search"), {"q": "maria jose perez", "sex": "M"})

    assert response.context["hits"] == []


def test_household_and_person_pages_are_audited_and_scoped(
    client, officer, quito, make_user, office_a2
):
    household = actions.register_household(actor=officer, office=quito, members=[member()])
    person = household.members.get()
    other = make_user("registration_officer", office=office_a2)

    client.force_login(officer)
    own = client.get(reverse("registry:household", args=[household.uuid]))
    own_person = client.get(reverse("registry:individual", args=[person.uuid]))
    client.force_login(other)
    hidden = client.get(reverse("registry:household", args=[household.uuid]))
    hidden_person = client.get(reverse("registry:individual", args=[person.uuid]))

    assert (own.status_code, own_person.status_code) == (200, 200)
    assert (hidden.status_code, hidden_person.status_code) == (404, 404)
    assert AuditEvent.objects.filter(action="registry.household.viewed").count() == 1
    assert AuditEvent.objects.filter(action="registry.individual.viewed").count() == 1
    assert (
        "registró el hogar (dirección, área, oficina, teléfono, referencia)" in own.content.decode()
    )


@pytest.mark.parametrize("role", ["me_officer", "ethics_focal_point", "partner_focal_point"])
def test_registry_pages_answer_404_to_roles_without_registry_access(client, make_user, quito, role):
    client.force_login(make_user(role, office=quito, organization=quito.organization))

    assert client.get(reverse("registry:search")).status_code == 404
    assert client.get(reverse("registry:register")).status_code == 404
    assert Individual.objects.count() == 0


def test_search_page_specific_need_and_age_filters(client, officer, quito):
    actions.register_household(
        actor=officer,
        office=quito,
        members=[
            member(specific_needs=["single_parent"]),
            member(
                given_names="Ana",
                relationship="child",
                date_of_birth="2020-01-01",
                phone="",
                documents=[],
                specific_needs=["disability"],
            ),
        ],
    )
    client.force_login(officer)

    needs = client.get(reverse("registry:search"), {"need": "disability"})
    children = client.get(reverse("registry:search"), {"age": "5-11"})

    assert [p.given_names for p in needs.context["people"]] == ["Ana"]
    assert [p.given_names for p in children.context["people"]] == ["Ana"]


def test_register_page_records_washington_group_answers_and_languages(client, officer):
    client.force_login(officer)
    data = family_post() | {"form-0-wg_walking": "cannot", "form-0-languages": "es, ht"}

    client.post(reverse("registry:register"), data)

    head = Individual.objects.get(is_head=True)
    assert (head.wg_walking, head.languages) == ("cannot", ["es", "ht"])
    assert "disability" in head.specific_needs


def test_register_page_records_the_area_and_search_filters_by_province(client, officer):
    from amparo.core import actions as core_actions

    core_actions.import_areas(
        actor=None, data=b"pcode,name,parent_pcode,level\nEC1701,Quito,EC-P,2\n"
    )
    client.force_login(officer)

    client.post(reverse("registry:register"), family_post(area="EC1701"))
    by_province = client.get(reverse("registry:search"), {"area": "EC-P"})
    elsewhere = client.get(reverse("registry:search"), {"area": "EC-E"})

    assert Household.objects.get().area.code == "EC1701"
    assert len(by_province.context["people"]) == 3
    assert list(elsewhere.context["people"]) == []


@pytest.mark.parametrize("band", ["0-4", "5-11", "12-17", "18-59", "60+"])
def test_age_bands_work_on_29_february(band):
    earliest, latest = age_band_range(band, datetime.date(2028, 2, 29))

    assert earliest < latest


def test_register_page_calls_the_address_an_address_in_spanish(client, officer):
    client.force_login(officer)

    response = client.get(reverse("registry:register"))

    body = response.content.decode()
    assert response.status_code == 200
    assert ">Dirección<" in body or ">Dirección:" in body
    assert "Dirección IP" not in body


def test_search_page_lists_recent_registrations_of_the_users_scope_on_a_fresh_visit(
    client, officer, quito, make_user, office_a2
):
    actions.register_household(actor=officer, office=quito, members=[member()])
    elsewhere = make_user("registration_officer", office=office_a2)
    actions.register_household(
        actor=elsewhere, office=office_a2, members=[member(given_names="Luis", documents=[])]
    )
    client.force_login(officer)

    response = client.get(reverse("registry:search"))

    assert response.status_code == 200
    assert [p.given_names for p in response.context["people"]] == ["María José"]
    assert "Aún no hay personas registradas" not in response.content.decode()
    assert AuditEvent.objects.filter(action="registry.individual.listed").count() == 1


def test_register_page_confirms_the_registration_on_the_household_page(client, officer):
    client.force_login(officer)

    response = client.post(reverse("registry:register"), family_post(), follow=True)

    household = Household.objects.get()
    page = response.content.decode()
    assert response.redirect_chain == [(reverse("registry:household", args=[household.uuid]), 302)]
    assert f"Hogar {household.reference} registrado con 3 miembros." in page
    assert '<div role="status">\n  <ul class="messages">' in page


def test_register_page_lists_every_error_at_the_top_with_links_to_the_fields(client, officer):
    client.force_login(officer)
    data = family_post(phone="123") | {"form-2-given_names": "", "form-1-wg_seeing": "maybe"}

    response = client.post(reverse("registry:register"), data)

    page = response.content.decode()
    start = page.index('id="error-summary"')
    summary = page[start : page.index("</div>", start)]
    assert response.status_code == 400
    assert page.index('id="error-summary"') < page.index("data-member-label")
    assert "autofocus" in page[page.index("error-summary") - 80 : page.index("error-summary") + 80]
    assert '<a href="#id_form-2-given_names">Miembro 3 · Nombres</a>' in summary
    assert '<a href="#id_form-1-wg_seeing">Miembro 2 · ' in summary
    assert "2 cosas por corregir" in summary
    assert page.count("<details open>") == 1  # member 2's folded fields, where the error is
    assert Household.objects.count() == 0


def test_adding_a_member_without_script_starts_from_the_heads_nationality_and_group(
    client, officer
):
    client.force_login(officer)
    data = family_post() | {
        "form-0-nationality": "CO",
        "form-0-population_group": "refugee",
        "add_member": "1",
    }
    data.pop("save")

    response = client.post(reverse("registry:register"), data)

    new = response.context["formset"].forms[3]
    assert response.status_code == 200
    assert (new["nationality"].value(), new["population_group"].value()) == ("CO", "refugee")
    assert new["given_names"].value() is None
    assert 'id="error-summary"' not in response.content.decode()
    assert Household.objects.count() == 0


def test_edits_and_moves_say_what_was_saved(client, officer, quito):
    household = actions.register_household(actor=officer, office=quito, members=[member()])
    other = actions.register_household(
        actor=officer, office=quito, members=[member(given_names="Luis", documents=[])]
    )
    person = household.members.get()
    client.force_login(officer)

    edited = client.post(
        reverse("registry:household-edit", args=[household.uuid]),
        {"status": "active", "address": "Calle 1", "phone": ""},
        follow=True,
    )
    moved = client.post(
        reverse("registry:move", args=[person.uuid]),
        {"reference": other.reference, "relationship": "spouse"},
        follow=True,
    )

    assert "Hogar guardado." in edited.content.decode()
    assert f"Se trasladó al hogar {other.reference}." in moved.content.decode()


def test_pages_show_nationality_sex_and_needs_in_words(client, officer, quito):
    household = actions.register_household(
        actor=officer, office=quito, members=[member(specific_needs=["single_parent"])]
    )
    person = household.members.get()
    client.force_login(officer)

    pages = [
        client.get(reverse("registry:household", args=[household.uuid])).content.decode(),
        client.get(reverse("registry:individual", args=[person.uuid])).content.decode(),
        client.get(reverse("registry:search")).content.decode(),
    ]

    for page in pages:
        assert "Venezuela" in page
        assert "Femenino" in page
        assert "· VE" not in page and "(VE)" not in page and ">VE<" not in page
    assert "<dd>Madre o padre solo</dd>" in pages[1]


def test_registration_form_names_countries_in_the_users_language(client, officer, make_user, quito):
    english = make_user("registration_officer", office=quito, username="reg_en", language="en")

    client.force_login(officer)
    spanish_page = client.get(reverse("registry:register")).content.decode()
    client.force_login(english)
    english_page = client.get(reverse("registry:register")).content.decode()

    assert '<option value="VE">Venezuela</option>' in spanish_page
    assert '<option value="PE">Perú</option>' in spanish_page
    assert '<option value="DE">Alemania</option>' in spanish_page
    assert "Bolivarian" not in spanish_page
    assert '<option value="PE">Peru</option>' in english_page
    assert '<option value="DE">Germany</option>' in english_page


def test_a_member_added_and_left_empty_is_not_registered(client, officer):
    client.force_login(officer)
    data = family_post() | {
        "form-TOTAL_FORMS": "4",
        "form-3-nationality": "VE",  # the head's answers, as the page fills them in
        "form-3-population_group": "asylum_seeker",
    }

    response = client.post(reverse("registry:register"), data, follow=True)

    household = Household.objects.get()
    assert household.members.count() == 3
    assert f"Hogar {household.reference} registrado con 3 miembros." in response.content.decode()
