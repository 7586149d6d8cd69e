"""What the statistics layer stores: only the generation counter of its cache."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Generation(models.Model):
    """One row, bumped whenever the data the statistics come from changes.

    Cached dashboards are keyed by this number. It lives in the database rather than in
    the cache because the default cache is per process (LocMemCache) and ``ksbb up`` runs
    several web workers and a task worker: a bump in one process must reach them all, and
    it commits (or rolls back) together with the change that caused it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(_("generation"), default=0)

    class Meta:
        verbose_name = _("statistics generation")
        verbose_name_plural = _("statistics generation")

    def __str__(self) -> str:
        return str(self.value)
