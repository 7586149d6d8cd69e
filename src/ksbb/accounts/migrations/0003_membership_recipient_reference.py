"""A representative's recipient becomes a plain reference (its id) instead of a foreign key
to ``needs.Recipient``: accounts is a base app and depends on no domain app. The ids are
copied over, so every representative keeps the recipient it speaks for."""

from django.db import migrations, models


def copy_forward(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    for pk, recipient in Membership.objects.exclude(recipient=None).values_list(
            "pk", "recipient_id"):
        Membership.objects.filter(pk=pk).update(recipient_ref=recipient)


def copy_back(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    for pk, recipient in Membership.objects.exclude(recipient_ref=None).values_list(
            "pk", "recipient_ref"):
        Membership.objects.filter(pk=pk).update(recipient_id=recipient)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_user_confirmed_at"),
        ("needs", "0001_initial"),  # the foreign key this undoes, for migrating backwards
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="membership",
            name="membership_representative_has_recipient",
        ),
        migrations.AddField(
            model_name="membership",
            name="recipient_ref",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(copy_forward, copy_back),
        migrations.RemoveField(
            model_name="membership",
            name="recipient",
        ),
        migrations.RenameField(
            model_name="membership",
            old_name="recipient_ref",
            new_name="recipient_id",
        ),
        migrations.AlterField(
            model_name="membership",
            name="recipient_id",
            field=models.PositiveBigIntegerField(blank=True, db_index=True, null=True,
                                                 verbose_name="recipient"),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("role", "recipient_representative"),
                                            _negated=True),
                                   ("recipient_id__isnull", False), _connector="OR"),
                name="membership_representative_has_recipient"),
        ),
    ]
