import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from amparo.core.errors import ActionError
from amparo.core.models import Area, AuditEvent
from amparo.registry import actions
from amparo.registry.models import Document, Household, Individual
from tests.factories import member


@pytest.fixture
def quito(office_a1):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.code = "quito"
    office_a1.save()
    return office_a1


@pytest.fixture
def officer(make_user, quito):
    return make_user("registration_officer", office=quito, username="registro")


def family():
    return [
        member(),
        member(
            given_names="Luis",
            sex="M",
            relationship="spouse",
            date_of_birth="1988-01-02",
            phone="",
            documents=[],
        ),
        member(
            given_names="Ana",
            first_surname="Pérez",
            second_surname="Rojas",
            sex="F",
            relationship="child",
            date_of_birth="2015-06-01",
            phone="",
            documents=[{"type": "birth_certificate", "number": "123", "issuing_country": "VE"}],
        ),
        member(
            given_names="Pedro",
            sex="M",
            relationship="child",
            date_of_birth=None,
            age=4,
            phone="",
            documents=[],
        ),
    ]


def test_register_household_creates_members_documents_and_reference(officer, quito):
    household = actions.register_household(
        actor=officer,
        office=quito,
        members=family(),
        address="Av. Amazonas N34",
        phone="022 345 678",
    )

    year = timezone.localdate().year
    assert household.reference == f"EC-QUI-{year}-000001"
    assert household.phone == "+59322345678"
    people = list(household.members.order_by("id"))
    assert [p.relationship for p in people] == ["head", "spouse", "child", "child"]
    assert [p.is_head for p in people] == [True, False, False, False]
    assert people[0].phone == "+593991234567"
    assert people[0].name_key == "gomez jose maria perez"
    assert (people[3].date_of_birth, people[3].dob_estimated) == (
        datetime.date(year - 4, 7, 1)
        if datetime.date(year - 4, 7, 1) <= timezone.localdate()
        else datetime.date(year - 5, 7, 1),
        True,
    )
    assert Document.objects.get(individual=people[0]).number_key == "V12345678"
    assert AuditEvent.objects.filter(action="registry.household.registered").count() == 1
    assert AuditEvent.objects.filter(action="registry.individual.registered").count() == 4


def test_register_household_references_count_up_per_office_and_year(officer, quito):
    first = actions.register_household(actor=officer, office=quito, members=[member()])
    second = actions.register_household(actor=officer, office=quito, members=[member()])

    assert (first.reference[-6:], second.reference[-6:]) == ("000001", "000002")


@pytest.mark.parametrize(
    ("members", "path", "message"),
    [
        (
            [member(date_of_birth="2999-01-01")],
            "members.0.date_of_birth",
            "La fecha de nacimiento está en el futuro.",
        ),
        (
            [member(date_of_birth="1850-01-01")],
            "members.0.date_of_birth",
            "Esto haría a la persona mayor de 120 años.",
        ),
        ([member(date_of_birth=None, age=130)], "members.0.age", "Ingrese una edad entre 0 y 120."),
        (
            [member(phone="12345")],
            "members.0.phone",
            "Este no es un número de teléfono válido para EC.",
        ),
        (
            [member(relationship="spouse")],
            "members",
            "Un miembro debe ser el jefe o la jefa del hogar.",
        ),
        (
            [member(), member(given_names="Otra")],
            "members",
            "Solo un miembro puede ser el jefe o la jefa del hogar.",
        ),
        (
            [member(nationality="XX")],
            "members.0.nationality",
            "Elija un país (código ISO 3166-1, por ejemplo VE).",
        ),
        ([member(given_names=" ")], "members.0.given_names", "Este campo es obligatorio."),
        (
            [member(documents=[{"type": "passport", "number": " - ", "issuing_country": "VE"}])],
            "members.0.documents.0.number",
            "Ingrese el número del documento.",
        ),
        ([], "members", "Agregue al menos un miembro."),
    ],
)
def test_register_household_bad_input_writes_nothing(officer, quito, members, path, message):
    with pytest.raises(ActionError) as exc:
        actions.register_household(actor=officer, office=quito, members=members)

    assert exc.value.errors[path] == [message]
    assert Household.objects.count() == 0
    assert Individual.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="registry.").exists()


def test_register_household_other_office_is_refused_for_office_bound_officer(officer, office_a2):
    with pytest.raises(ActionError) as exc:
        actions.register_household(actor=officer, office=office_a2, members=[member()])

    assert list(exc.value.errors) == ["office"]
    assert Household.objects.count() == 0


def test_register_household_requires_permission(make_user, quito):
    me_officer = make_user("me_officer", organization=quito.organization)

    with pytest.raises(Http404):
        actions.register_household(actor=me_officer, office=quito, members=[member()])

    assert Household.objects.count() == 0


def test_register_household_languages_and_washington_group_answers(officer, quito):
    household = actions.register_household(
        actor=officer,
        office=quito,
        members=[member(languages=["es", "ht"], wg_walking="a_lot", wg_seeing="some")],
    )

    person = household.members.get()
    assert person.languages == ["es", "ht"]
    assert (person.wg_walking, person.wg_seeing, person.wg_hearing) == ("a_lot", "some", "")
    assert person.specific_needs == ["disability"]


def test_register_household_bad_language_and_washington_group_answer(officer, quito):
    with pytest.raises(ActionError) as exc:
        actions.register_household(
            actor=officer, office=quito, members=[member(languages=["xx1"], wg_hearing="maybe")]
        )

    assert set(exc.value.errors) == {"members.0.languages", "members.0.wg_hearing"}
    assert Household.objects.count() == 0
