"""API fields whose OpenAPI schema the apps name themselves.

`named_choices("EntitlementStatusEnum", Entitlement.State.choices)` answers a choice-field
class whose enum is the schema component of that name. Several models have a `status` or a
`type` with different choices: left to itself, drf-spectacular would name them all by a hash
(or collide). One field and one schema extension serve every app.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers


class NamedChoiceField(serializers.ChoiceField):
    """A choice field with `schema_name` (set by `named_choices`) for its enum component."""

    schema_name = ""
    named_choices: list[tuple[str, Any]] = []

    def __init__(self, **kwargs):
        super().__init__(choices=self.named_choices, **kwargs)


def named_choices(name: str, choices: Iterable[tuple[str, Any]]) -> type[NamedChoiceField]:
    """A `NamedChoiceField` class for `choices`, described in the schema as component `name`."""
    attributes = {"schema_name": name, "named_choices": list(choices)}
    return type(f"{name}Field", (NamedChoiceField,), attributes)


class NamedChoiceSchema(OpenApiSerializerFieldExtension):
    """Describes every `NamedChoiceField` as a reference to its named enum component."""

    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        component = ResolvedComponent(
            name=field.schema_name,
            type=ResolvedComponent.SCHEMA,
            object=field.schema_name,
            schema={
                "type": "string",
                "enum": [value for value, _label in field.named_choices],
                "description": "\n".join(
                    f"* `{value}` - {label}" for value, label in field.named_choices
                ),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref
