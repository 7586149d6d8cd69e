"""An index for the case-insensitive name search of the area picker (areas/selectors.py).

Django's ``name__istartswith`` is ``name LIKE 'x%'`` on SQLite (case-insensitive, which an
index can serve only under NOCASE) and ``UPPER(name::text) LIKE UPPER('x%')`` on PostgreSQL
(an index on that expression with text_pattern_ops). Neither can be said portably in
``Meta.indexes``, hence the SQL per database.
"""

from django.db import migrations

_SQL = {
    "sqlite": (
        "CREATE INDEX IF NOT EXISTS areas_area_name_nocase ON areas_area (name COLLATE NOCASE)",
        "DROP INDEX IF EXISTS areas_area_name_nocase",
    ),
    "postgresql": (
        "CREATE INDEX IF NOT EXISTS areas_area_name_upper_like "
        "ON areas_area ((UPPER(name::text)) text_pattern_ops)",
        "DROP INDEX IF EXISTS areas_area_name_upper_like",
    ),
}


def _create(apps, schema_editor):  # type: ignore[no-untyped-def]
    sql = _SQL.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql[0])


def _drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    sql = _SQL.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql[1])


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]
    operations = [migrations.RunPython(_create, _drop, elidable=False)]
