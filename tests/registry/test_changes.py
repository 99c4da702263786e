import datetime

import pytest

from amparo.core.errors import ActionError
from amparo.core.models import Area, AuditEvent
from amparo.registry import actions
from amparo.registry.models import Individual
from tests.factories import api_token, member


@pytest.fixture
def quito(office_a1):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.save()
    return office_a1


@pytest.fixture
def officer(make_user, quito):
    return make_user("registration_officer", office=quito, username="registro")


@pytest.fixture
def family(officer, quito):
    return actions.register_household(
        actor=officer,
        office=quito,
        members=[
            member(),
            member(
                given_names="Ana",
                relationship="child",
                date_of_birth="2015-06-01",
                phone="",
                documents=[],
            ),
        ],
    )


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Token {api_token(user)}"}


def test_update_individual_validates_and_audits_changed_fields(officer, family):
    child = family.members.get(given_names="Ana")

    actions.update_individual(
        actor=officer, individual=child, changes={"second_surname": "Rojas", "phone": "0987654321"}
    )

    child.refresh_from_db()
    assert (child.second_surname, child.phone) == ("Rojas", "+593987654321")
    assert child.name_key == "ana perez rojas"
    event = AuditEvent.objects.get(action="registry.individual.updated")
    assert event.fields == ["phone", "second_surname"]


def test_update_individual_bad_input_changes_nothing(officer, family):
    child = family.members.get(given_names="Ana")

    with pytest.raises(ActionError) as exc:
        actions.update_individual(
            actor=officer,
            individual=child,
            changes={"date_of_birth": "2999-01-01", "given_names": "Z"},
        )

    child.refresh_from_db()
    assert list(exc.value.errors) == ["date_of_birth"]
    assert child.given_names == "Ana"


def test_update_individual_cannot_make_a_second_head(officer, family):
    child = family.members.get(given_names="Ana")

    with pytest.raises(ActionError) as exc:
        actions.update_individual(actor=officer, individual=child, changes={"relationship": "head"})

    assert exc.value.errors == {"relationship": ["Este hogar ya tiene jefe o jefa."]}


def test_move_individual_keeps_the_trail(officer, quito, family):
    other = actions.register_household(
        actor=officer, office=quito, members=[member(given_names="Rosa", documents=[])]
    )
    child = family.members.get(given_names="Ana")

    actions.move_individual(actor=officer, individual=child, to=other, relationship="grandchild")

    child.refresh_from_db()
    assert (child.household, child.relationship, child.is_head) == (other, "grandchild", False)
    events = AuditEvent.objects.filter(action="registry.individual.moved")
    assert {e.target_id for e in events} == {str(child.uuid), str(family.uuid), str(other.uuid)}
    assert events[0].details == {"from": str(family.uuid), "to": str(other.uuid)}


def test_move_head_out_of_a_household_with_members_is_refused(officer, quito, family):
    other = actions.register_household(
        actor=officer, office=quito, members=[member(given_names="Rosa", documents=[])]
    )
    head = family.members.get(is_head=True)

    with pytest.raises(ActionError):
        actions.move_individual(actor=officer, individual=head, to=other, relationship="spouse")

    head.refresh_from_db()
    assert head.household == family


def test_api_patch_and_move(client, officer, quito, family, make_user, office_b1):
    child = family.members.get(given_names="Ana")
    other = actions.register_household(
        actor=officer, office=quito, members=[member(given_names="Rosa", documents=[])]
    )
    outsider = make_user("registration_officer", office=office_b1)

    patched = client.patch(
        f"/api/v1/individuals/{child.uuid}/",
        {"other_names": "Anita"},
        content_type="application/json",
        **auth(officer),
    )
    bad = client.patch(
        f"/api/v1/individuals/{child.uuid}/",
        {"sex": "Q"},
        content_type="application/json",
        **auth(officer),
    )
    foreign = client.patch(
        f"/api/v1/individuals/{child.uuid}/",
        {"other_names": "X"},
        content_type="application/json",
        **auth(outsider),
    )
    moved = client.post(
        f"/api/v1/individuals/{child.uuid}/move/",
        {"household": str(other.uuid), "relationship": "other_relative"},
        content_type="application/json",
        **auth(officer),
    )

    child.refresh_from_db()
    assert (patched.status_code, bad.status_code, foreign.status_code) == (200, 400, 404)
    assert patched.json()["other_names"] == "Anita"
    assert bad.json() == {"sex": ["Elija F, M o X."]}
    assert moved.status_code == 200
    assert (child.household, child.other_names) == (other, "Anita")


def test_api_move_into_the_same_household_answers_400(client, officer, family):
    child = family.members.get(given_names="Ana")

    response = client.post(
        f"/api/v1/individuals/{child.uuid}/move/",
        {"household": str(family.uuid), "relationship": "child"},
        content_type="application/json",
        **auth(officer),
    )

    assert response.status_code == 400
    assert response.json() == {"household": ["La persona ya está en este hogar."]}


def test_roles_without_change_permission_cannot_edit(client, make_user, quito, family):
    caseworker = make_user("caseworker", office=quito)
    child = family.members.get(given_names="Ana")

    response = client.patch(
        f"/api/v1/individuals/{child.uuid}/",
        {"other_names": "X"},
        content_type="application/json",
        **auth(caseworker),
    )

    assert response.status_code == 404
    assert Individual.objects.get(pk=child.pk).other_names == ""


def test_edit_page_saves_with_validation_and_keeps_documents(client, officer, family):
    head = family.members.get(is_head=True)
    client.force_login(officer)
    page = client.get(f"/registry/individuals/{head.uuid}/edit/")
    data = {
        k: v
        for k, v in page.context["form"].initial.items()
        if k not in ("documents", "specific_needs", "languages")
    }
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update(other_names="Majo", date_of_birth="1990-03-14")
    data = {k: v for k, v in data.items() if v is not False}

    saved = client.post(f"/registry/individuals/{head.uuid}/edit/", data)
    refused = client.post(
        f"/registry/individuals/{head.uuid}/edit/", {**data, "date_of_birth": "2999-01-01"}
    )

    head.refresh_from_db()
    assert saved.status_code == 302
    assert refused.status_code == 400
    assert "La fecha de nacimiento está en el futuro." in refused.content.decode()
    assert head.other_names == "Majo"
    assert head.documents.count() == 1


def test_edit_page_shows_a_document_error_next_to_the_document(client, officer, family):
    head = family.members.get(is_head=True)
    client.force_login(officer)
    data = {
        "given_names": head.given_names,
        "first_surname": head.first_surname,
        "sex": head.sex,
        "date_of_birth": "1990-03-14",
        "nationality": head.nationality,
        "population_group": head.population_group,
        "relationship": head.relationship,
        "document_type": "passport",
        "document_number": "-",
    }

    response = client.post(f"/registry/individuals/{head.uuid}/edit/", data)

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "document_number": ["Ingrese el número del documento."]
    }


def test_move_page_shows_what_is_wrong_with_the_target_next_to_its_reference(
    client, officer, family
):
    child = family.members.get(given_names="Ana")
    client.force_login(officer)

    response = client.post(
        f"/registry/individuals/{child.uuid}/move/",
        {"reference": family.reference, "relationship": "child"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"reference": ["La persona ya está en este hogar."]}


def test_move_page_moves_by_reference_and_refuses_unknown(client, officer, quito, family):
    other = actions.register_household(
        actor=officer, office=quito, members=[member(given_names="Rosa", documents=[])]
    )
    child = family.members.get(given_names="Ana")
    client.force_login(officer)

    unknown = client.post(
        f"/registry/individuals/{child.uuid}/move/",
        {"reference": "EC-XXX-2026-999999", "relationship": "child"},
    )
    moved = client.post(
        f"/registry/individuals/{child.uuid}/move/",
        {"reference": other.reference.lower(), "relationship": "child"},
    )

    child.refresh_from_db()
    assert unknown.status_code == 400
    assert moved.status_code == 302
    assert child.household == other


def test_update_household_validates_phone_and_audits(client, officer, family):
    bad = client.patch(
        f"/api/v1/households/{family.uuid}/",
        {"phone": "123"},
        content_type="application/json",
        **auth(officer),
    )
    good = client.patch(
        f"/api/v1/households/{family.uuid}/",
        {"phone": "022 345 678", "status": "moved"},
        content_type="application/json",
        **auth(officer),
    )

    family.refresh_from_db()
    assert (bad.status_code, good.status_code) == (400, 200)
    assert (family.phone, family.status) == ("+59322345678", "moved")
    event = AuditEvent.objects.get(action="registry.household.updated")
    assert event.fields == ["phone", "status"]


def test_household_edit_page_shows_a_bad_phone_next_to_the_phone(client, officer, family):
    client.force_login(officer)

    response = client.post(
        f"/registry/households/{family.uuid}/edit/",
        {"status": "active", "address": "", "phone": "123"},
    )

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["phone"]


def test_household_edit_page(client, officer, family, make_user, office_a2):
    client.force_login(officer)

    saved = client.post(
        f"/registry/households/{family.uuid}/edit/",
        {"status": "resettled", "address": "Calle 1", "phone": ""},
    )
    client.force_login(make_user("registration_officer", office=office_a2))
    hidden = client.get(f"/registry/households/{family.uuid}/edit/")

    family.refresh_from_db()
    assert (saved.status_code, hidden.status_code) == (302, 404)
    assert (family.status, family.address) == ("resettled", "Calle 1")


def test_office_bound_user_cannot_move_a_person_to_another_office(make_user, quito, office_a2):
    officer = make_user("registration_officer", office=quito)
    supervisor_a2 = make_user("registration_officer", office=office_a2)
    ours = actions.register_household(
        actor=officer,
        office=quito,
        members=[
            member(),
            member(
                given_names="Ana",
                relationship="child",
                date_of_birth="2015-01-01",
                phone="",
                documents=[],
            ),
        ],
    )
    theirs = actions.register_household(
        actor=supervisor_a2, office=office_a2, members=[member(given_names="Rosa", documents=[])]
    )
    child = ours.members.get(given_names="Ana")

    with pytest.raises(ActionError):
        actions.move_individual(actor=officer, individual=child, to=theirs, relationship="child")

    assert Individual.objects.get(pk=child.pk).household == ours


def test_superuser_cannot_move_a_person_into_another_organization(make_user, quito, office_b1, db):
    from amparo.core.models import User

    root = User.objects.create(username="root", is_superuser=True)
    ours = actions.register_household(
        actor=root,
        office=quito,
        members=[
            member(),
            member(
                given_names="Ana",
                relationship="child",
                date_of_birth="2015-01-01",
                phone="",
                documents=[],
            ),
        ],
    )
    theirs = actions.register_household(
        actor=root, office=office_b1, members=[member(given_names="Rosa", documents=[])]
    )

    with pytest.raises(ActionError):
        actions.move_individual(
            actor=root,
            individual=ours.members.get(given_names="Ana"),
            to=theirs,
            relationship="child",
        )


def test_edit_keeps_second_document_and_saves_expiry(make_user, quito):
    officer = make_user("registration_officer", office=quito)
    household = actions.register_household(
        actor=officer,
        office=quito,
        members=[
            member(
                documents=[
                    {"type": "national_id", "number": "V-1", "issuing_country": "VE"},
                    {"type": "passport", "number": "P-2", "issuing_country": "VE"},
                ]
            )
        ],
    )
    person = household.members.get()
    docs = actions.member_data(person)["documents"]
    docs[1]["expiry_date"] = "2030-01-01"

    actions.update_individual(actor=officer, individual=person, changes={"documents": docs})

    assert [(d.number, d.expiry_date) for d in person.documents.order_by("id")] == [
        ("V-1", None),
        ("P-2", datetime.date(2030, 1, 1)),
    ]
