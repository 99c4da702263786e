"""A person's and a household's fields, declared once for every way in and out of the registry.

A field added to `Individual` or `Household` is declared here first. From these declarations
come what an edit keeps and compares (`actions.MEMBER_FIELDS`), the API's output fields and
the import's default and required columns. The forms, the API's input serializers and
`actions.clean_member` spell out their own fields (labels, widgets, parsing rules);
tests/registry/test_fields.py fails when one of them disagrees with the declarations here.

The order is the API's and the import file's; the forms lay out their fields for a phone.
"""

from dataclasses import dataclass

from amparo.registry.models import WG_FIELDS


@dataclass(frozen=True)
class Field:
    name: str
    required: bool = False  # registration refuses the record without it
    entered: bool = True  # given at registration (False: the registry sets it)
    editable: bool = True  # may be changed after registration
    stored: bool = True  # a column of the model, in the API's answers (False: input only)
    form: bool = True  # on the screens' forms
    imported: bool = False  # a column of registry import files (same name)
    document: str = ""  # stands for this key of the first document (forms and imports)


SET_BY_REGISTRY = {"entered": False, "editable": False, "form": False}

PERSON = (
    Field("is_head", **SET_BY_REGISTRY),  # from the relationship
    Field("relationship", required=True, imported=True),
    Field("given_names", required=True, imported=True),
    Field("first_surname", required=True, imported=True),
    Field("second_surname", imported=True),
    Field("other_names"),
    Field("sex", required=True, imported=True),
    Field("date_of_birth", required=True, imported=True),  # or the age
    Field("age", stored=False),  # instead of the date of birth, which it estimates
    Field("dob_estimated", form=False, imported=True),  # the form's age sets it
    Field("nationality", required=True, imported=True),
    Field("population_group", required=True, imported=True),
    Field("phone", imported=True),
    Field("email", imported=True),
    Field("document_type", stored=False, imported=True, document="type"),
    Field("document_number", stored=False, imported=True, document="number"),
    Field("document_country", stored=False, imported=True, document="issuing_country"),
    Field("languages"),
    *(Field(wg) for wg in WG_FIELDS),
    Field("specific_needs", imported=True),
    Field("contact_consent", imported=True),
    Field("data_sharing_consent", imported=True),
    Field("consent_purpose", form=False),
    Field("consent_date", **SET_BY_REGISTRY),  # when a consent or its purpose changes
)

HOUSEHOLD = (
    Field("reference", **SET_BY_REGISTRY),  # country, office, year and a number
    Field("office", editable=False, form=False),  # the screens register at the user's office
    Field("status", entered=False),  # active at registration
    Field("address"),
    Field("area"),
    Field("phone"),
    Field("registered_on", **SET_BY_REGISTRY),
)


def field_names(declared: tuple[Field, ...], **having: bool | str) -> tuple[str, ...]:
    """Names of the declared fields with the given attributes, in order:
    `field_names(PERSON, stored=True, editable=True)`."""
    return tuple(
        f.name for f in declared if all(getattr(f, key) == value for key, value in having.items())
    )


# Action error path → the flat field that stands for it on forms and import files.
FIRST_DOCUMENT = {f"documents.0.{f.document}": f.name for f in PERSON if f.document}
