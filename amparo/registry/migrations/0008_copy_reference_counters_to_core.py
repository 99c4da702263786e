"""Reference counters move to core (`core.references` allocates for every app).

Every counter is copied as it stands, so no household, case or referral number is ever given
twice. Reversible: going back copies core's counters into the registry's table again.
"""

from django.db import migrations


def _copy(source, target) -> None:
    for counter in source.objects.order_by("pk").iterator():
        copy, _created = target.objects.get_or_create(
            organization_id=counter.organization_id, prefix=counter.prefix
        )
        if copy.last < counter.last:
            copy.last = counter.last
            copy.save(update_fields=["last"])


def to_core(apps, schema_editor):
    _copy(apps.get_model("registry", "ReferenceCounter"), apps.get_model("core", "ReferenceCounter"))


def to_registry(apps, schema_editor):
    _copy(apps.get_model("core", "ReferenceCounter"), apps.get_model("registry", "ReferenceCounter"))


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0005_reference_counter"),
        ("registry", "0007_household_phone_index"),
    ]

    operations = [migrations.RunPython(to_core, to_registry)]
