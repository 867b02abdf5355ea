"""On PostgreSQL, "phone contains" searches use a trigram index too."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS people_returnee_phone_trgm "
            "ON people_returnee USING gin (phone_key gin_trgm_ops);"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS people_returnee_phone_trgm;")


class Migration(migrations.Migration):
    dependencies = [("people", "0003_family_key_prefix_index")]
    operations = [migrations.RunPython(create, drop)]
