from __future__ import annotations

import django_filters
from django.db.models import Case, IntegerField, Value, When
from rest_framework import serializers, viewsets
from rest_framework.filters import SearchFilter
from rest_framework.permissions import AllowAny

from ksbb.areas.models import Area
from ksbb.areas.selectors import area_search


class AreaSerializer(serializers.ModelSerializer[Area]):
    level_name = serializers.SerializerMethodField()

    class Meta:
        model = Area
        fields = ["code", "name", "level", "level_name", "parent", "households", "population",
                  "poor_households", "is_demo"]

    def get_level_name(self, obj: Area) -> str:
        return Area.Level(obj.level).name.lower()


class AreaFilter(django_filters.FilterSet):
    level = django_filters.TypedChoiceFilter(
        choices=[*Area.Level.choices, *[(lv.name.lower(), lv.label) for lv in Area.Level]],
        method="filter_level", help_text="1-5 or province, regency, district, village, rw",
    )
    parent = django_filters.CharFilter(field_name="parent_id", help_text="parent area code")
    within = django_filters.CharFilter(method="filter_within",
                                       help_text="areas inside this code, at any depth")
    q = django_filters.CharFilter(
        method="filter_q", help_text="a place as people type it, best matches first (at most "
        "20): the start of a name ('gamb'), a name with its parents ('Gambir - Jakarta "
        "Pusat'), an RW ('Gambir RW 3'), or a code; a village named exactly lists its RWs")

    class Meta:
        model = Area
        fields = ["level", "parent", "within", "q"]

    def filter_level(self, queryset, name, value):  # type: ignore[no-untyped-def]
        level = int(value) if str(value).isdigit() else Area.Level[str(value).upper()].value
        return queryset.filter(level=level)

    def filter_within(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(code__startswith=f"{value}.")

    def filter_q(self, queryset, name, value):  # type: ignore[no-untyped-def]
        # The same suggestions as the pages' area picker (ksbb.areas.selectors).
        codes = [a.code for a in area_search(value, limit=20)]
        rank = Case(*[When(code=code, then=Value(n)) for n, code in enumerate(codes)],
                    default=Value(len(codes)), output_field=IntegerField())
        return queryset.filter(code__in=codes).order_by(rank, "code")


class AreaViewSet(viewsets.ReadOnlyModelViewSet[Area]):
    """The Kemendagri area tree (province > regency/city > district > village > RW).

    Public reference data: no sign-in needed. Retrieve by code, e.g. ``/api/v1/areas/31.71/``.
    """

    queryset = Area.objects.all().order_by("code")
    serializer_class = AreaSerializer
    permission_classes = [AllowAny]
    filterset_class = AreaFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, SearchFilter]
    search_fields = ["name"]
    lookup_field = "code"
    lookup_value_regex = r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4}(\.\d{3})?)?)?)?"
