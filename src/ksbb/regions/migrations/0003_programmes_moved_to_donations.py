"""A region's programmes are kept by donations now (``donations.RegionProgram``, which
carried them over): regions depend on base apps only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("regions", "0002_default_region"),
        ("donations", "0005_region_programs"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="region",
            name="programs",
        ),
    ]
