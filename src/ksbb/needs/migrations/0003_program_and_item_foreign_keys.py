"""Rounds point at a donations programme, needs and poverty imports at an aid item.

The old columns held codes. Rows are carried over by code (the programme's code compared
without case, the item's code exactly); a row whose code names nothing cannot be kept and
stops the migration with a message naming it.
"""

import django.db.models.deletion
from django.db import migrations, models


def _carry_over(apps, schema_editor):  # type: ignore[no-untyped-def]
    Program = apps.get_model("donations", "Program")
    Item = apps.get_model("donations", "Item")
    AssessmentRound = apps.get_model("needs", "AssessmentRound")
    Need = apps.get_model("needs", "Need")
    NeedsImport = apps.get_model("needs", "NeedsImport")
    for rnd in AssessmentRound.objects.all():
        program = Program.objects.filter(code__iexact=rnd.program_code).first()
        if program is None:
            raise RuntimeError(f"round #{rnd.pk}: no programme has the code {rnd.program_code!r}")
        rnd.program = program
        rnd.save(update_fields=["program"])
    items = {i.code: i for i in Item.objects.all()}
    for need in Need.objects.all():
        if need.item_code not in items:
            raise RuntimeError(f"need #{need.pk}: no aid item has the code {need.item_code!r}")
        need.item = items[need.item_code]
        need.save(update_fields=["item"])
    for job in NeedsImport.objects.exclude(item_code=""):
        job.item = items.get(job.item_code)
        job.save(update_fields=["item"])


class Migration(migrations.Migration):

    dependencies = [
        ("donations", "0002_seed_programs"),
        ("needs", "0002_rounds_needs_imports"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="need",
                                    name="need_unique_per_round_recipient_item"),
        migrations.RenameField(model_name="assessmentround", old_name="program",
                               new_name="program_code"),
        migrations.RenameField(model_name="need", old_name="item", new_name="item_code"),
        migrations.RenameField(model_name="needsimport", old_name="item", new_name="item_code"),
        migrations.AddField(
            model_name="assessmentround", name="program",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="rounds", to="donations.program",
                                    verbose_name="programme"),
        ),
        migrations.AddField(
            model_name="need", name="item",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="needs", to="donations.item",
                                    verbose_name="aid item"),
        ),
        migrations.AddField(
            model_name="needsimport", name="item",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="donations.item",
                                    verbose_name="aid item"),
        ),
        migrations.RunPython(_carry_over, migrations.RunPython.noop),
        migrations.RemoveField(model_name="assessmentround", name="program_code"),
        migrations.RemoveField(model_name="need", name="item_code"),
        migrations.RemoveField(model_name="needsimport", name="item_code"),
        migrations.AlterField(
            model_name="assessmentround", name="program",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="rounds", to="donations.program",
                                    verbose_name="programme"),
        ),
        migrations.AlterField(
            model_name="need", name="item",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="needs", to="donations.item",
                                    verbose_name="aid item"),
        ),
        migrations.AlterModelOptions(
            name="need",
            options={"ordering": ["round_id", "recipient__area_id", "recipient_id", "item_id"],
                     "verbose_name": "need", "verbose_name_plural": "needs"},
        ),
        migrations.AddConstraint(
            model_name="need",
            constraint=models.UniqueConstraint(fields=("round", "recipient", "item"),
                                               name="need_unique_per_round_recipient_item"),
        ),
    ]
