from django.db import migrations


def load(apps, schema_editor):
    from amparo.core import locations
    from amparo.core.actions import sync_builtin_roles

    locations.load(apps.get_model("core", "Area"))
    sync_builtin_roles(apps.get_model("core", "Role"))


def unload(apps, schema_editor):
    apps.get_model("core", "Role").objects.filter(organization__isnull=True).delete()
    Area = apps.get_model("core", "Area")
    for level in (3, 2, 1, 0):
        Area.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
