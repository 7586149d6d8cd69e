from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ksbb.areas.models import Area


class Recipient(models.Model):
    """Who receives aid: every RW, and registered institutions."""

    class Kind(models.TextChoices):
        RW = "rw", _("RW")
        ORPHANAGE = "orphanage", _("orphanage (panti asuhan)")
        PESANTREN = "pesantren", _("Islamic boarding school (pesantren)")
        ELDERLY_HOME = "elderly_home", _("elderly home (panti jompo)")
        DISABILITY_FOUNDATION = "disability_foundation", _("disability foundation")
        OTHER = "other", _("other institution")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="recipients")
    residents = models.PositiveIntegerField(_("residents"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    # RWs are recipients by definition; institutions wait for the assessor's check.
    is_verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        ordering = ["area_id", "kind", "name"]
        constraints = [
            # One recipient per RW; institutions may share an area.
            models.UniqueConstraint(fields=["area"], condition=models.Q(kind="rw"),
                                    name="one_recipient_per_rw"),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.RW:
            return f"{self.name} ({self.area_id})"
        return self.name
