from django.db import migrations


def seed(apps, schema_editor):
    from ksbb.donations.seed import seed_programs

    seed_programs(apps.get_model("donations", "Program"), apps.get_model("donations", "Item"))


class Migration(migrations.Migration):
    dependencies = [("donations", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
