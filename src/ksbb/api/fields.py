"""Serializer fields shared by the API's resources."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

NO_AREA = _("no area has the code %(code)s")
NO_PROGRAM = _("no programme has the code %(code)s")


class CodeRelatedField(serializers.SlugRelatedField):
    """A record named by its code (an area, a programme). An unknown code is refused with
    a translated message that repeats it (DRF's own "Object with code=... does not exist"
    has no Indonesian translation)."""

    def __init__(self, *, unknown: Promise, **kwargs: Any) -> None:
        self.unknown = unknown
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        try:
            queryset: Any = self.get_queryset()
            return queryset.get(code=str(data))
        except ObjectDoesNotExist:
            raise serializers.ValidationError(str(self.unknown) % {"code": data}) from None
        except (TypeError, ValueError):
            self.fail("invalid")
