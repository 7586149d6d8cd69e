"""The ideas forum (JDCN Forum): citizens propose ideas for collaboration programmes,
others support them, the government answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Idea(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        UNDER_REVIEW = "under_review", _("under review")
        ADOPTED = "adopted", _("adopted")
        DECLINED = "declined", _("declined")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("idea"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="ideas")
    program = models.ForeignKey("donations.Program", verbose_name=_("programme"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="ideas")
    # The region whose government answers it (None: the default region, see ksbb.regions).
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="ideas")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.OPEN, db_index=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Support(models.Model):
    """One account's vote for an idea; an account votes once per idea."""

    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE,
                             related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.CASCADE, related_name="idea_supports")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["idea", "user"],
                                               name="support_one_vote_per_account")]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.idea_id}"
