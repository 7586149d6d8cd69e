"""Build the dashboard's rollups from the pledges, purchases and BASTs already stored."""

from django.db import migrations


def build(apps, schema_editor):  # type: ignore[no-untyped-def]
    from ksbb.stats.rollups import rebuild

    rebuild(apps=apps)


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0003_rollups"),
        ("accounts", "0001_initial"),
        ("distribution", "0001_initial"),
        ("donations", "0002_seed_programs"),
        ("needs", "0003_program_and_item_foreign_keys"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop, elidable=True)]
