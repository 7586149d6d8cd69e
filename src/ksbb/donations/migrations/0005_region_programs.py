"""The programmes a region runs move from ``Region.programs`` (regions) to
``RegionProgram`` (donations), with a name of the region's own: every programme a region
had adopted is carried over, under its own name (``ksbb.regions`` then drops the field)."""

import django.db.models.deletion
from django.db import migrations, models


def carry_over(apps, schema_editor):  # type: ignore[no-untyped-def]
    Region = apps.get_model("regions", "Region")
    RegionProgram = apps.get_model("donations", "RegionProgram")
    rows = [RegionProgram(region_id=region_id, program_id=program_id)
            for region_id, program_id in Region.programs.through.objects.values_list(
                "region_id", "program_id")]
    RegionProgram.objects.bulk_create(rows, ignore_conflicts=True)


def carry_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    Region = apps.get_model("regions", "Region")
    RegionProgram = apps.get_model("donations", "RegionProgram")
    Region.programs.through.objects.bulk_create([
        Region.programs.through(region_id=region_id, program_id=program_id)
        for region_id, program_id in RegionProgram.objects.filter(is_active=True)
        .values_list("region_id", "program_id")], ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('donations', '0004_pledge_region'),
        ('regions', '0002_default_region'),
    ]

    operations = [
        migrations.CreateModel(
            name='RegionProgram',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('local_name', models.CharField(blank=True, help_text="empty: the programme's own name", max_length=200, verbose_name='name in the region')),
                ('is_active', models.BooleanField(default=True, verbose_name='run by the region')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='adopted')),
                ('program', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='region_programs', to='donations.program', verbose_name='programme')),
                ('region', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='region_programs', to='regions.region', verbose_name='region')),
            ],
            options={
                'verbose_name': 'programme of a region',
                'verbose_name_plural': 'programmes of the regions',
                'ordering': ['region', 'program__code'],
                'constraints': [models.UniqueConstraint(fields=('region', 'program'), name='regionprogram_once_per_region')],
            },
        ),
        migrations.RunPython(carry_over, carry_back),
    ]
