# DRF's authtoken app is gone: its keys were stored in clear and never ended. Their holders
# sign in again and get an expiring ApiToken (docs/operations.md).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0006_api_tokens_and_two_factor_policy")]

    operations = [
        migrations.RunSQL(
            "DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop
        )
    ]
