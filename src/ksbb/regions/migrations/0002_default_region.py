"""The installation's one region so far becomes the default region (the province of
KSBB_DEFAULT_PROVINCE, Jakarta unless configured), and what belongs to a region is
attached to it: government organisations, aggregators, assessment rounds, pledges, ideas."""

from django.conf import settings
from django.db import migrations


def _area_name(code):
    from ksbb.areas.services import reference_rows

    for row in reference_rows([code.split(".", 1)[0]]):
        if row.code == code:
            return row.name
    return code


def forwards(apps, schema_editor):
    from django.utils.text import slugify

    Region = apps.get_model("regions", "Region")
    if Region.objects.filter(is_default=True).exists():
        return
    code = settings.KSBB_DEFAULT_PROVINCE
    place = "Jakarta" if code == "31" else _area_name(code)
    region, _created = Region.objects.get_or_create(
        code=code, defaults={"name": f"KSBB {place}", "slug": slugify(place)[:60] or code})
    region.is_default = True
    region.save(update_fields=["is_default"])
    Organization = apps.get_model("accounts", "Organization")
    region.organizations.add(*Organization.objects.filter(
        kind__in=["government", "aggregator"]).values_list("pk", flat=True))
    for model in (("needs", "AssessmentRound"), ("donations", "Pledge"), ("forum", "Idea")):
        apps.get_model(*model).objects.filter(region__isnull=True).update(region=region)


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0001_initial"),
        ("needs", "0004_assessmentround_region"),
        ("donations", "0004_pledge_region"),
        ("forum", "0002_idea_region"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
