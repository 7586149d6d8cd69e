from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from ksbb.areas.models import Area


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # When the person proved they read the account's e-mail (the link sent at sign-up), or
    # when an administrator or the system created the account (they vouch for it). Votes in
    # the forum count only from confirmed accounts.
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("platform administrator")
    ASSESSOR = "assessor", _("assessor")
    AGGREGATOR_STAFF = "aggregator_staff", _("aggregator staff")
    EXECUTOR_STAFF = "executor_staff", _("executor staff")
    KELURAHAN_OFFICER = "kelurahan_officer", _("kelurahan officer")
    RECIPIENT_REPRESENTATIVE = "recipient_representative", _("recipient representative")
    COLLABORATOR = "collaborator", _("collaborator")


class Organization(models.Model):
    class Kind(models.TextChoices):
        COLLABORATOR = "collaborator", _("collaborator")
        AGGREGATOR = "aggregator", _("aggregator (humanitarian organisation)")
        EXECUTOR = "executor", _("executor")
        GOVERNMENT = "government", _("government")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    area = models.ForeignKey(Area, verbose_name=_("area"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Which organisation kind each role belongs to; None means the role stands alone.
ROLE_ORGANIZATION_KIND: dict[str, str | None] = {
    Role.PLATFORM_ADMIN: None,
    Role.ASSESSOR: Organization.Kind.GOVERNMENT,
    Role.AGGREGATOR_STAFF: Organization.Kind.AGGREGATOR,
    Role.EXECUTOR_STAFF: Organization.Kind.EXECUTOR,
    Role.KELURAHAN_OFFICER: Organization.Kind.GOVERNMENT,
    Role.RECIPIENT_REPRESENTATIVE: None,
    Role.COLLABORATOR: Organization.Kind.COLLABORATOR,
}


class Membership(models.Model):
    """A user's role, in an organisation and/or over a scope (villages, a recipient)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organization = models.ForeignKey(Organization, verbose_name=_("organisation"), null=True,
                                     blank=True, on_delete=models.PROTECT,
                                     related_name="memberships")
    villages = models.ManyToManyField(Area, verbose_name=_("villages"), blank=True,
                                      related_name="+",
                                      limit_choices_to={"level": Area.Level.VILLAGE})
    # The recipient a representative speaks for, by its id in ``needs.Recipient``: a plain
    # reference, because accounts is a base app and depends on no domain app (the needs app
    # resolves it; scope_of() reads it as ``recipient_ids``).
    recipient_id = models.PositiveBigIntegerField(_("recipient"), null=True, blank=True,
                                                  db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organization"],
                                    name="membership_unique_role_per_org"),
            models.CheckConstraint(
                condition=~models.Q(role="recipient_representative") | models.Q(
                    recipient_id__isnull=False),
                name="membership_representative_has_recipient",
            ),
        ]

    def __str__(self) -> str:
        where = self.organization or (f"#{self.recipient_id}" if self.recipient_id else "")
        return f"{self.user} - {self.get_role_display()} {where}".strip()
