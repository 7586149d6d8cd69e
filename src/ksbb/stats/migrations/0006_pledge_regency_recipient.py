from django.db import migrations


def mark_stale(apps, schema_editor):  # type: ignore[no-untyped-def]
    """A pledge meant for a recipient (and no area) now counts at the recipient's regency,
    so in the recipient's region (issue 18): the next computation rebuilds the rollups."""
    Pledge = apps.get_model("donations", "Pledge")
    if not Pledge.objects.filter(recipient__isnull=False, preferred_area__isnull=True).exists():
        return
    Generation = apps.get_model("stats", "Generation")
    if not Generation.objects.filter(pk=1).update(rollups_stale=True):
        Generation.objects.create(pk=1, value=1, rollups_stale=True)


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0005_delivered_area"),
        ("donations", "0004_pledge_region"),
    ]

    operations = [migrations.RunPython(mark_stale, migrations.RunPython.noop)]
