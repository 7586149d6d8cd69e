"""Public statistics: exactly the figures the dashboard at ``/`` shows (one source of
truth: ksbb.stats.selectors.dashboard)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from ksbb.api.fields import NO_AREA, NO_PROGRAM, CodeRelatedField, RegionField
from ksbb.areas.models import Area
from ksbb.donations.models import Program
from ksbb.regions.models import Region
from ksbb.regions.selectors import default_region
from ksbb.stats.coverage import coverage
from ksbb.stats.pagecache import cached_value
from ksbb.stats.regional import national
from ksbb.stats.selectors import Filters, dashboard


def _region_or_default(region: Region | None) -> Region | None:
    """The region asked for; without one, the default region once there are several (what
    ``/`` shows), and no region filter while the installation serves one region."""
    if region is not None:
        return region
    return default_region() if Region.objects.count() > 1 else None


class DashboardFilterSerializer(serializers.Serializer[Any]):
    program = CodeRelatedField(
        unknown=NO_PROGRAM, queryset=Program.objects.all(), required=False, allow_null=True,
        help_text="programme code, e.g. PANGAN")
    start = serializers.DateField(required=False, allow_null=True,
                                  help_text="received on or after this date (Asia/Jakarta)")
    end = serializers.DateField(required=False, allow_null=True,
                                help_text="received on or before this date (Asia/Jakarta)")
    regency = CodeRelatedField(
        unknown=NO_AREA, queryset=Area.objects.filter(level=Area.Level.REGENCY),
        required=False, allow_null=True, help_text="regency/city code, e.g. 31.71")
    region = RegionField(
        required=False, allow_null=True,
        help_text="a region's short name or area code, e.g. kota-bandung or 32.73: only "
                  "that region's figures (default: the default region, what / shows; the "
                  "whole installation: /api/v1/stats/national/)")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and start > end:
            raise serializers.ValidationError({"end": [_("the end is before the start")]})
        return attrs

    def to_filters(self) -> Filters:
        data = self.validated_data
        program, regency = data.get("program"), data.get("regency")
        region = _region_or_default(data.get("region"))
        return Filters(program=program.code if program else None, start=data.get("start"),
                       end=data.get("end"), regency=regency.code if regency else None,
                       region=region.code if region else None)


class FiltersOutSerializer(serializers.Serializer[Any]):
    program = serializers.CharField(allow_null=True)
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    regency = serializers.CharField(allow_null=True)
    region = serializers.CharField(
        required=False, help_text="the region's area code; absent while the installation "
                                  "serves one region")

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if data.get("region") is None:
            # One region: the answer stays what it was before regions existed.
            data.pop("region", None)
        return data


class ShareSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="code of the slice ('unknown' when not known)")
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    value = serializers.IntegerField(help_text="rupiah")
    percent = serializers.FloatField(help_text="percent of the total, one decimal")


class WeekTotalSerializer(serializers.Serializer[Any]):
    week_start = serializers.DateField(help_text="Monday of the ISO week (Asia/Jakarta)")
    value = serializers.IntegerField(help_text="rupiah received that week")


class DashboardSerializer(serializers.Serializer[Any]):
    filters = FiltersOutSerializer()
    total_collected = serializers.IntegerField(
        help_text="rupiah: received money plus received goods at their item's value")
    collaborators = serializers.IntegerField(
        help_text="distinct collaborator organisations with a received pledge")
    pledges = serializers.IntegerField(help_text="received pledges counted")
    deliveries = serializers.IntegerField()
    packages_delivered = serializers.IntegerField()
    recipients_reached = serializers.IntegerField()
    by_regency = ShareSerializer(many=True)
    by_collaborator_kind = ShareSerializer(many=True)
    by_program = ShareSerializer(many=True)
    by_item = ShareSerializer(many=True)
    by_recipient_kind = ShareSerializer(many=True)
    weekly = WeekTotalSerializer(many=True)
    delivered_value = serializers.IntegerField(
        help_text="rupiah: goods handed over by the BASTs in force, at their item's value")
    delivered_by_regency = ShareSerializer(
        many=True, help_text="where aid went: delivered, by the recipient's regency/city")
    delivered_by_district = ShareSerializer(many=True,
                                            help_text="delivered, by the recipient's district")
    delivered_by_village = ShareSerializer(many=True,
                                           help_text="delivered, by the recipient's village")
    delivered_by_item = ShareSerializer(many=True, help_text="delivered, by aid item")
    collaborators_by_kind = ShareSerializer(
        many=True, help_text="distinct collaborators per kind; value is a count, not rupiah")
    weekly_delivered = WeekTotalSerializer(
        many=True, help_text="packages handed over per week of the BAST (value is a count)")


class CoverageFilterSerializer(serializers.Serializer[Any]):
    area = CodeRelatedField(
        unknown=NO_AREA, queryset=Area.objects.all(), required=False, allow_null=True,
        help_text="area code (rows are its children); regencies/cities when empty")
    program = CodeRelatedField(
        unknown=NO_PROGRAM, queryset=Program.objects.all(), required=False, allow_null=True,
        help_text="programme code, e.g. PANGAN")
    region = RegionField(
        required=False, allow_null=True,
        help_text="a region's short name or area code: without an area, the rows are the "
                  "children of the region's area")


class CoverageRowSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()
    need = serializers.IntegerField(help_text="assessed quantity in each item's current round")
    covered = serializers.IntegerField(
        help_text="received for the place and not yet allocated + allocated (net of returns)")
    ratio = serializers.FloatField(allow_null=True, help_text="covered / need, 0..1")
    percent = serializers.FloatField(allow_null=True, help_text="covered / need in percent")
    has_children = serializers.BooleanField()
    delivered = serializers.IntegerField(help_text="on the signed BASTs in force")
    promised = serializers.IntegerField(
        help_text="submitted, not yet received (never counted as covered)")


class CrumbSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class CoverageSerializer(serializers.Serializer[Any]):
    area = serializers.CharField(allow_null=True)
    area_name = serializers.CharField()
    program = serializers.CharField(allow_null=True)
    child_level = serializers.IntegerField(allow_null=True)
    need = serializers.IntegerField()
    covered = serializers.IntegerField()
    ratio = serializers.FloatField(allow_null=True)
    percent = serializers.FloatField(allow_null=True)
    breadcrumbs = CrumbSerializer(many=True)
    rows = CoverageRowSerializer(many=True)
    delivered = serializers.IntegerField()
    promised = serializers.IntegerField()


class NationalFilterSerializer(serializers.Serializer[Any]):
    program = CodeRelatedField(
        unknown=NO_PROGRAM, queryset=Program.objects.all(), required=False, allow_null=True,
        help_text="programme code, e.g. PANGAN")
    province = CodeRelatedField(
        unknown=NO_AREA, queryset=Area.objects.filter(level=Area.Level.PROVINCE),
        required=False, allow_null=True,
        help_text="province code: the map's places are its regencies/cities (default: the "
                  "provinces)")


class RegionTotalsSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="the region's area code")
    name = serializers.CharField()
    slug = serializers.CharField(help_text="short name; its page is /r/<slug>/ (the "
                                           "default region's is /)")
    is_default = serializers.BooleanField()
    total_collected = serializers.IntegerField(help_text="rupiah")
    pledges = serializers.IntegerField()
    deliveries = serializers.IntegerField()
    packages_delivered = serializers.IntegerField()
    delivered_value = serializers.IntegerField(help_text="rupiah")


class ProgramTotalsSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    total_collected = serializers.IntegerField(help_text="rupiah")
    delivered_value = serializers.IntegerField(help_text="rupiah")


class PlaceRowSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    need = serializers.IntegerField(help_text="assessed need, items' units")
    delivered = serializers.IntegerField(help_text="on the BASTs in force, items' units")
    percent = serializers.FloatField(allow_null=True)
    region = serializers.CharField(help_text="code of the region the place belongs to, or "
                                             "of a region inside it ('' for none)")


class NationalSerializer(serializers.Serializer[Any]):
    program = serializers.CharField(allow_null=True)
    total_collected = serializers.IntegerField(help_text="rupiah: the sum of the regions")
    pledges = serializers.IntegerField()
    deliveries = serializers.IntegerField()
    packages_delivered = serializers.IntegerField()
    delivered_value = serializers.IntegerField(help_text="rupiah")
    regions = RegionTotalsSerializer(many=True)
    programs = ProgramTotalsSerializer(many=True)
    province = serializers.CharField(allow_null=True)
    places = PlaceRowSerializer(many=True)


class StatsViewSet(viewsets.ViewSet):
    """Public statistics. No sign-in needed."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[DashboardFilterSerializer],
                   responses={200: DashboardSerializer})
    @action(detail=False, methods=["get"])
    def dashboard(self, request: Request) -> Response:
        """The public dashboard's figures (what ``/`` shows), filtered by programme code,
        period of receipt and regency/city code. Shares are in rupiah of what was
        collected; deliveries, packages and recipients come from distribution."""
        params = DashboardFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(cached_value(request, "api-dashboard", lambda: DashboardSerializer(
            dashboard(params.to_filters(), in_request=True).as_dict()).data))

    @extend_schema(parameters=[CoverageFilterSerializer], responses={200: CoverageSerializer})
    @action(detail=False, methods=["get"])
    def coverage(self, request: Request) -> Response:
        """Need against coverage per child area of ``area`` (what ``/coverage/`` shows):
        assessed need in open rounds and what active allocations cover of it."""
        params = CoverageFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        area, program = params.validated_data.get("area"), params.validated_data.get("program")
        region = params.validated_data.get("region")
        if area is None and region is not None:
            area = Area.objects.filter(code=region.code).first()
        return Response(cached_value(request, "api-coverage", lambda: CoverageSerializer(
            coverage(area, program=program.code if program else None).as_dict()).data))

    @extend_schema(parameters=[NationalFilterSerializer], responses={200: NationalSerializer})
    @action(detail=False, methods=["get"])
    def national(self, request: Request) -> Response:
        """Every region's figures and their sum (what ``/nasional/`` shows): collected and
        delivered per region and per programme, and need against delivered per province
        (or per regency/city of ``province``). The totals are the sum of the regions, each
        region's the same as its ``dashboard?region=``."""
        params = NationalFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        program = params.validated_data.get("program")
        province = params.validated_data.get("province")
        return Response(cached_value(request, "api-national", lambda: NationalSerializer(
            national(program.code if program else None,
                     province=province.code if province else None).as_dict()).data))
