"""Formerly built the rollups with the code of its day; 0005 marks them for a rebuild
instead (the rebuild's code follows the latest models, not this migration's)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0003_rollups"),
        ("accounts", "0001_initial"),
        ("distribution", "0001_initial"),
        ("donations", "0002_seed_programs"),
        ("needs", "0003_program_and_item_foreign_keys"),
    ]

    operations: list[migrations.operations.base.Operation] = []
