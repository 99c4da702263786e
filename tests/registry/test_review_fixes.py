"""Edges found in review of the registry: scope corners, 500s, audit gaps."""

import datetime

import pytest
from rest_framework.authtoken.models import Token

from amparo.core.errors import ActionError
from amparo.core.models import Area, AuditEvent
from amparo.registry import actions, imports, queries
from amparo.registry.forms import age_band_range
from amparo.registry.models import Household, Individual
from tests.factories import member

CSV = (
    "household_ref,relationship,given_names,first_surname,sex,date_of_birth,nationality,"
    "population_group\n1,head,{name},Mora,F,1990-01-01,VE,refugee\n"
)


@pytest.fixture
def quito(office_a1):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.save()
    return office_a1


def test_two_offices_importing_the_same_household_key_both_import(make_user, quito, office_a2):
    a1 = make_user("registration_officer", office=quito)
    a2 = make_user("registration_officer", office=office_a2)

    first = imports.import_registry(
        actor=a1, data=CSV.format(name="Ana").encode(), filename="a.csv", office=quito
    )
    second = imports.import_registry(
        actor=a2, data=CSV.format(name="Rosa").encode(), filename="b.csv", office=office_a2
    )

    assert (first.imported_households, second.imported_households) == (1, 1)
    assert second.skipped_existing == 0
    assert Household.objects.count() == 2


def test_imported_households_have_their_own_history_without_the_file_name(make_user, quito):
    officer = make_user("registration_officer", office=quito)

    imports.import_registry(
        actor=officer,
        data=CSV.format(name="Ana").encode(),
        filename="Maria_Perez_V123.csv",
        office=quito,
    )

    household = Household.objects.get()
    assert (
        AuditEvent.objects.filter(
            action="registry.household.imported", target_id=str(household.uuid)
        ).count()
        == 1
    )
    loaded = AuditEvent.objects.get(action="registry.household.loaded")
    assert "Maria" not in str(loaded.details)


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


@pytest.mark.parametrize("band", ["0-4", "5-11", "12-17", "18-59", "60+"])
def test_age_bands_work_on_29_february(band):
    earliest, latest = age_band_range(band, datetime.date(2028, 2, 29))

    assert earliest < latest


@pytest.mark.parametrize("dob", ["0001-01-01", "9999-12-31"])
def test_duplicate_check_extreme_birth_dates_answer_without_error(client, make_user, quito, dob):
    officer = make_user("registration_officer", office=quito)
    token = Token.objects.create(user=officer)

    response = client.post(
        "/api/v1/individuals/duplicate-check/",
        member(date_of_birth=dob, phone="", documents=[]),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )

    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="registry.individual.duplicate_checked").count() == 1


def test_malformed_csv_is_rejected_not_a_crash(db):
    data = b"household_ref\n" + b"x" * 140_000 + b"\n"

    with pytest.raises(ActionError):
        imports.import_registry(actor=None, data=data, filename="x.csv")


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


def test_history_hides_names_of_staff_the_viewer_cannot_see(make_user, quito, office_a2, admin_a):
    officer = make_user("registration_officer", office=quito, username="a1_officer")
    household = actions.register_household(actor=officer, office=quito, members=[member()])
    other = make_user("registration_officer", office=office_a2)

    seen_by_admin = queries.history_for(admin_a, [str(household.uuid)])
    seen_by_other = queries.history_for(other, [str(household.uuid)])

    assert [e.actor_username for e in seen_by_admin] == ["a1_officer"]
    assert [e.actor_username for e in seen_by_other] == [""]
