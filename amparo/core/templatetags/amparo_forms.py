"""`{% error_summary form formset %}`: every error of a page's forms, listed at its top.

On a phone the message of a refused field can sit a screen or two below the button; the
summary names each one with a link to its field and takes the focus when the page opens
(`autofocus`, and `amparo.js` where the browser ignores it), so the eye lands on it.
"""

from django import forms, template

register = template.Library()


@register.inclusion_tag("_error_summary.html")
def error_summary(*forms_: forms.BaseForm | forms.BaseFormSet | None, each: str = "") -> dict:
    """`each` names a formset's forms, with `%(n)s` for the number: "Member %(n)s"."""
    items: list[dict] = []
    for form in forms_:
        if isinstance(form, forms.BaseFormSet):
            items += [{"message": m} for m in form.non_form_errors()]
            for n, member in enumerate(form.forms, 1):
                items += _items(member, each % {"n": n} if each else "")
        elif form is not None:
            items += _items(form, "")
    return {"items": items}


def _items(form: forms.BaseForm, name: str) -> list[dict]:
    if not form.is_bound:
        return []
    items = [{"label": name, "message": m} for m in form.non_field_errors()]
    for field in form:
        for message in field.errors:
            label = f"{name} · {field.label}" if name else str(field.label)
            href = "" if field.is_hidden else f"#{field.id_for_label or field.auto_id}"
            items.append({"label": label, "href": href, "message": message})
    return items
