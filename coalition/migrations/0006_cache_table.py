# The table of the database cache (settings.CACHES without REDIS_URL): rate limits and single-use form
# stamps must be shared by every process, so `migrate` creates it wherever the portal runs.

from django.core.management import call_command
from django.db import migrations

CACHE_TABLE = "portal_cache"  # settings.CACHES["default"]["LOCATION"] when REDIS_URL is unset


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", CACHE_TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):

    dependencies = [
        ('coalition', '0005_delivery_pending_queue'),
    ]

    operations = [
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
