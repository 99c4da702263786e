"""Words instead of codes on pages: `{{ person.nationality|country }}`, `{{ code|language }}`,
`{{ event|sentence }}` (an audit event told as a sentence)."""

from django import template

from amparo.core import events, names

register = template.Library()


@register.filter
def country(code: str | None) -> str:
    return names.country_name(code)


@register.filter
def language(code: str | None) -> str:
    return names.language_name(code)


@register.filter
def sentence(event) -> str:
    return events.sentence(event)


@register.filter
def object_name(target_type: str) -> str:
    return events.object_name(target_type)
