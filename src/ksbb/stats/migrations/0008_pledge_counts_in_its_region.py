from django.db import migrations


def mark_stale(apps, schema_editor):  # type: ignore[no-untyped-def]
    """A pledge given to a region without a place (no area, no recipient) now counts in
    that region, not where its donor lives (issue 18): when such a pledge was given to a
    region other than the default one, the next computation rebuilds the rollups."""
    Pledge = apps.get_model("donations", "Pledge")
    if not Pledge.objects.filter(recipient__isnull=True, preferred_area__isnull=True,
                                 region__isnull=False, region__is_default=False).exists():
        return
    Generation = apps.get_model("stats", "Generation")
    if not Generation.objects.filter(pk=1).update(rollups_stale=True):
        Generation.objects.create(pk=1, value=1, rollups_stale=True)


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0007_regency_indexes"),
        ("regions", "0002_default_region"),
    ]

    operations = [migrations.RunPython(mark_stale, migrations.RunPython.noop)]
