"""Regions: the provinces and regencies/cities that each run their own KSBB in one
installation.

A region is an area (a province ``32`` or a regency/city ``32.73``) with its own government
organisation, assessment rounds, allocation runs and public page. Everything else knows
its region in one of two ways:

* by **where** it is: a recipient, a need, a delivery, a BAST, a misuse report lies in an
  area, and belongs to the most specific region containing that area
  (:func:`ksbb.regions.selectors.region_of_area`);
* by a **region** foreign key where there is no place to go by: an assessment round (and
  its allocation runs), a pledge, an idea.

The programmes a region runs, under its own names, are kept on the donations side
(``ksbb.donations.models.RegionProgram``): regions know only areas and organisations, so
they stay a base app every domain may build on.

An organisation works in the regions it is linked to (:attr:`Region.organizations`): a
government organisation in its one region, an aggregator in every region it serves. A
missing link, and a missing ``region`` on a record, mean the **default region**: an
installation that never added a second region behaves exactly as before regions existed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ksbb.core import areacodes


def validate_region_code(code: str) -> None:
    if not areacodes.is_valid(code) or areacodes.level_of(code) > areacodes.Level.REGENCY:
        raise ValidationError(_("%(code)s is not the code of a province or a regency/city")
                              % {"code": code})


class Region(models.Model):
    code = models.CharField(_("area code"), max_length=5, unique=True,
                            validators=[validate_region_code],
                            help_text=_("a province (32) or a regency/city (32.73)"))
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name (in addresses)"), max_length=60, unique=True)
    is_default = models.BooleanField(
        _("default region"), default=False,
        help_text=_("records and organisations not linked to a region belong to it"))
    organizations = models.ManyToManyField(
        "accounts.Organization", verbose_name=_("organisations"), blank=True,
        related_name="regions",
        help_text=_("its government organisation(s) and the aggregators that serve it"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                    name="region_one_default"),
        ]

    def __str__(self) -> str:
        return self.name

    def contains(self, code: str) -> bool:
        """Whether area ``code`` lies in this region's area (ignoring regions nested in it)."""
        return areacodes.is_within(code, self.code)
