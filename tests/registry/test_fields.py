"""registry/fields.py declares a person's and a household's fields once. What is derived from it
needs no test; these fail when a hand-written list (a form, an input serializer, the model,
the validation, the import reader) disagrees with the declaration."""

import datetime

import pytest

from amparo.core.errors import Errors
from amparo.core.models import Area, AuditEvent
from amparo.registry import actions, api, forms, imports
from amparo.registry.fields import HOUSEHOLD, PERSON, field_names
from amparo.registry.models import Household, Individual
from tests.factories import member

# Model columns that are keys or bookkeeping, not a person's or household's data.
INDIVIDUAL_BOOKKEEPING = {
    "id",
    "uuid",
    "organization",
    "household",
    "consent_recorded_by",
    "merged_into",  # a merged record's survivor (dedup), not an input
    "name_key",
    "created_at",
    "updated_at",
}
HOUSEHOLD_BOOKKEEPING = {
    "id",
    "uuid",
    "organization",
    "source_ref",
    "duplicate_reason",
    "registered_by",
    "created_at",
    "updated_at",
}


def columns(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields}


def test_person_declaration_holds_every_column_of_individual():
    assert set(field_names(PERSON, stored=True)) == columns(Individual) - INDIVIDUAL_BOOKKEEPING


def test_household_declaration_holds_every_column_of_household():
    assert set(field_names(HOUSEHOLD, stored=True)) == columns(Household) - HOUSEHOLD_BOOKKEEPING


def test_declared_names_are_unique():
    assert len({f.name for f in PERSON}) == len(PERSON)
    assert len({f.name for f in HOUSEHOLD}) == len(HOUSEHOLD)


def test_member_form_holds_the_declared_form_fields():
    assert set(forms.MemberForm.base_fields) == set(field_names(PERSON, form=True))


def test_api_member_input_holds_the_entered_fields():
    entered = field_names(PERSON, entered=True, document="")  # the API sends `documents`

    assert set(api.MemberInput().fields) == {*entered, "documents"}


def test_api_individual_changes_holds_the_editable_fields():
    editable = field_names(PERSON, editable=True, document="")

    assert set(api.IndividualChanges().fields) == {*editable, "documents"}


def test_clean_member_returns_every_entered_column():
    cleaned = actions.clean_member(
        member(), region="EC", today=datetime.date(2026, 1, 1), errors=Errors()
    )

    assert set(cleaned) == {*field_names(PERSON, entered=True, stored=True), "documents"}


def test_clean_member_refuses_empty_input_on_exactly_the_required_fields():
    errors = Errors()

    actions.clean_member({}, region="EC", today=datetime.date(2026, 1, 1), errors=errors)

    assert set(errors) == set(field_names(PERSON, required=True))


def test_import_reads_exactly_the_declared_columns():
    read = []

    class Row(dict):
        def __getitem__(self, ours: str) -> str:
            read.append(ours)
            return "x"  # not blank, so the document's columns are read too

    imports._member_input(Row())  # noqa: SLF001 - the importer's row reader

    assert set(read) == set(field_names(PERSON, imported=True))


def test_api_household_inputs_hold_the_declared_fields():
    assert set(api.HouseholdInput().fields) == {*field_names(HOUSEHOLD, entered=True), "members"}
    assert set(api.HouseholdChanges().fields) == set(field_names(HOUSEHOLD, editable=True))


def test_household_forms_hold_the_declared_fields():
    registration = field_names(HOUSEHOLD, entered=True, form=True)
    edit = set(field_names(HOUSEHOLD, editable=True, form=True))

    assert set(forms.HouseholdForm.base_fields) == {*registration, "duplicate_reason"}
    assert set(forms.HouseholdEditForm.base_fields) == edit - {"area"}  # no picker yet: API only


@pytest.fixture
def officer(make_user, office_a1):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.save()
    return make_user("registration_officer", office=office_a1)


def test_update_individual_keeps_every_editable_field(officer, office_a1):
    everything = member(
        other_names="Majo",
        dob_estimated=True,
        languages=["es", "ht"],
        wg_seeing="some",
        specific_needs=["single_parent"],
        contact_consent=True,
        data_sharing_consent=True,
        consent_purpose="asistencia",
    )
    household = actions.register_household(actor=officer, office=office_a1, members=[everything])
    person = household.members.get()
    before = actions.member_data(person)

    actions.update_individual(actor=officer, individual=person, changes={"phone": ""})

    person.refresh_from_db()
    assert actions.member_data(person) == {**before, "phone": ""}
    assert AuditEvent.objects.get(action="registry.individual.updated").fields == ["phone"]


def test_update_household_changes_every_editable_field(officer, office_a1):
    household = actions.register_household(actor=officer, office=office_a1, members=[member()])

    actions.update_household(
        actor=officer,
        household=household,
        changes={"status": "moved", "address": "Calle 1", "area": "EC-P", "phone": "022345678"},
    )

    event = AuditEvent.objects.get(action="registry.household.updated")
    assert event.fields == sorted(field_names(HOUSEHOLD, editable=True))
