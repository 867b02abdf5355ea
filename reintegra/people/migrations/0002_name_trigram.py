"""On PostgreSQL, a trigram index makes "name contains" searches use an index."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm;")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS people_returnee_name_trgm "
            "ON people_returnee USING gin (name_key gin_trgm_ops);"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS people_returnee_name_trgm;")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
