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


class AreaBoundary(models.Model):
    """The outline of one area (GeoJSON geometry, WGS 84), loaded by ``ksbb load_boundaries``
    to draw the coverage map. Optional: without boundaries the page shows bars and a table."""

    area = models.OneToOneField("areas.Area", verbose_name=_("area"), primary_key=True,
                                on_delete=models.CASCADE, related_name="boundary")
    level = models.PositiveSmallIntegerField(_("level"), db_index=True)
    geometry = models.TextField(_("geometry (GeoJSON)"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("area boundary")
        verbose_name_plural = _("area boundaries")
        ordering = ["area_id"]

    def __str__(self) -> str:
        return str(self.area_id)
