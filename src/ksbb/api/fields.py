"""Serializer fields shared by the API's resources."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ksbb.regions.models import Region

NO_AREA = _("no area has the code %(code)s")
NO_REGION = _("no region has the code %(code)s")
NO_PROGRAM = _("no programme has the code %(code)s")


class CodeRelatedField(serializers.SlugRelatedField):
    """A record named by its code (an area, a programme). An unknown code is refused with
    a translated message that repeats it (DRF's own "Object with code=... does not exist"
    has no Indonesian translation)."""

    def __init__(self, *, unknown: Promise, **kwargs: Any) -> None:
        self.unknown = unknown
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if "\x00" in str(data):
            # PostgreSQL cannot even compare text holding NUL: the lookup would be a 500.
            raise serializers.ValidationError(str(self.unknown) % {"code": repr(data)})
        try:
            queryset: Any = self.get_queryset()
            return queryset.get(code=str(data))
        except ObjectDoesNotExist:
            raise serializers.ValidationError(str(self.unknown) % {"code": data}) from None
        except (TypeError, ValueError):
            self.fail("invalid")


# The largest values the columns behind the API hold: PostgreSQL ``integer`` (quantities,
# priorities) and ``bigint`` (ids, rupiah). Beyond them the database refused the write and
# the caller got a 500; bounded here, they get a 400 naming the field.
INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1


class IntegerField(serializers.IntegerField):
    """An integer input bounded by its column (``INT_MAX`` unless told otherwise)."""

    def __init__(self, *, max_value: int | None = INT_MAX, min_value: int | None = None,
                 **kwargs: Any) -> None:
        if min_value is None:
            min_value = -(max_value or INT_MAX) - 1
        super().__init__(max_value=max_value, min_value=min_value, **kwargs)


def IdField(**kwargs: Any) -> IntegerField:
    """A record's id (BigAutoField): a positive number up to ``BIGINT_MAX``."""
    return IntegerField(min_value=1, max_value=BIGINT_MAX, **kwargs)


class RegionField(serializers.CharField):
    """A region by its short name (``kota-bandung``) or its area code (``32.73``)."""

    def to_internal_value(self, data: Any) -> Any:
        text = super().to_internal_value(data)
        if "\x00" in text:
            raise serializers.ValidationError(_("there is no region %(region)s")
                                              % {"region": repr(text)})
        region = Region.objects.filter(Q(slug=text) | Q(code=text)).first()
        if region is None:
            raise serializers.ValidationError(_("there is no region %(region)s")
                                              % {"region": text})
        return region
