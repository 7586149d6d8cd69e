from django.db import migrations, models
from django.db.models import Q


def confirm_existing(apps, schema_editor):
    """Accounts made before confirmation existed: staff (memberships other than a donor's)
    and administrators were created by someone who vouched for them; donors count once they
    confirmed their e-mail address; citizens confirm from now on."""
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    staff = Membership.objects.exclude(role="collaborator").values("user_id")
    User.objects.filter(Q(is_superuser=True) | Q(is_staff=True) | Q(pk__in=staff)).update(
        confirmed_at=models.F("date_joined"))
    Profile = apps.get_model("donations", "CollaboratorProfile")
    for user_id, verified in (Profile.objects.exclude(email_verified_at=None)
                              .values_list("organization__memberships__user_id",
                                           "email_verified_at")):
        if user_id:
            User.objects.filter(pk=user_id, confirmed_at=None).update(confirmed_at=verified)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("donations", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user", name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="confirmed"),
        ),
        migrations.RunPython(confirm_existing, migrations.RunPython.noop),
    ]
