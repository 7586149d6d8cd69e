"""Household lists, handouts and the reach reports (issue 16).

Personal data by design (docs/privacy.md): the lists are read only by the ketua RW of the
household's RW, the kelurahan officer of its village and the assessor, each narrowed to
what they may see; numbers only masked (the keyed hashes never leave the server). Rights
are checked with ``may`` (no superuser shortcut: a platform administrator is not among
them). Writes go through ksbb.households.services, which check again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ksbb.api.errors import require_perm
from ksbb.api.fields import BIGINT_MAX, IntegerField
from ksbb.core.domain import Invalid, Invisible, may
from ksbb.distribution.models import Handover
from ksbb.donations.models import Item
from ksbb.households.models import Handout, Household
from ksbb.households.rules import represents_an_rw
from ksbb.households.selectors import (
    households_visible_to,
    reach_by_rw,
    report_rounds,
    twice_received,
)
from ksbb.households.services import handout_record


class MayPerm(BasePermission):
    """``view.perm`` checked with ``may`` (no superuser shortcut)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        perm = getattr(view, "perm", None)
        return perm is None or may(request.user, perm)


# Households -----------------------------------------------------------------------------

class HouseholdSerializer(serializers.ModelSerializer[Household]):
    flagged = serializers.BooleanField(source="is_flagged", read_only=True)

    class Meta:
        model = Household
        fields = ["id", "rw", "rt", "kk_masked", "nik_masked", "head_name", "members",
                  "decile", "status", "source", "flagged", "duplicate_kk", "duplicate_nik",
                  "wrong_rw", "updated_at"]
        read_only_fields = fields


class HouseholdFilter(django_filters.FilterSet):
    rw = django_filters.CharFilter(method="filter_rw", help_text="an RW code")
    within = django_filters.CharFilter(method="filter_within",
                                       help_text="households in this RW or inside this area")
    flagged = django_filters.BooleanFilter(method="filter_flagged",
                                           help_text="flagged for the assessor, unresolved")

    class Meta:
        model = Household
        fields = ["rw", "rt", "status", "within", "flagged"]

    def filter_rw(self, queryset, name, value):  # type: ignore[no-untyped-def]
        if "\x00" in value:  # PostgreSQL cannot compare text holding NUL
            return queryset.none()
        return queryset.filter(rw_id=value)

    def filter_within(self, queryset, name, value):  # type: ignore[no-untyped-def]
        if "\x00" in value:
            return queryset.none()
        return queryset.filter(Q(rw_id=value) | Q(rw__code__startswith=f"{value}."))

    def filter_flagged(self, queryset, name, value):  # type: ignore[no-untyped-def]
        flagged = (Q(duplicate_kk=True) | Q(duplicate_nik=True) | Q(wrong_rw=True)) & Q(
            flags_resolved_at__isnull=True)
        return queryset.filter(flagged) if value else queryset.exclude(flagged)


class HouseholdViewSet(viewsets.ReadOnlyModelViewSet[Household]):
    """Households on the RW lists: for the ketua RW of the RW, the kelurahan officer of its
    village and the assessor, each seeing only those. The KK and NIK only masked."""

    serializer_class = HouseholdSerializer
    permission_classes = [IsAuthenticated, MayPerm]
    perm = "households.access_lists"
    filterset_class = HouseholdFilter

    def get_queryset(self) -> QuerySet[Household]:
        return households_visible_to(self.request.user).order_by("rw_id", "rt", "pk")

    def get_object(self) -> Household:
        household = get_object_or_404(Household, pk=self.kwargs["pk"])
        if not may(self.request.user, "households.view_household", household):
            raise Invisible(_("No such household."))
        return household


# Handouts -------------------------------------------------------------------------------

class HandoutSerializer(serializers.ModelSerializer[Handout]):
    handover = serializers.PrimaryKeyRelatedField(
        queryset=Handover.objects.all(), help_text="the signed BAST to the household's RW")
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.all())
    item = serializers.SlugRelatedField(
        slug_field="code", queryset=Item.objects.all(), required=False, allow_null=True,
        help_text="the aid item's code; may be left out when the BAST has one item")
    quantity = IntegerField(min_value=1, required=False, default=1)

    class Meta:
        model = Handout
        fields = ["id", "handover", "household", "item", "quantity", "given_on", "round",
                  "rw", "recorded_at"]
        read_only_fields = ["given_on", "round", "rw", "recorded_at"]
        # Once per household, BAST and item: the service checks it (with the item it
        # picks when the BAST has one) and names the field; DRF's validator would make
        # the item required.
        validators: list[Any] = []


class HandoutViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet[Handout]):
    """The ketua RW records that a household received a BAST's item (one tap: POST). The
    sum never exceeds what the BAST delivered; one handout per household, BAST and item."""

    serializer_class = HandoutSerializer
    permission_classes = [IsAuthenticated]
    queryset = Handout.objects.none()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The right first (403 for whoever may not record on that BAST, or on any), then
        # the body (400 naming the field).
        body: Any = request.data
        handover_id = _int(body.get("handover") if hasattr(body, "get") else None)
        handover = Handover.objects.filter(pk=handover_id).first() if handover_id else None
        if handover is not None:
            require_perm(request.user, "households.record_handout", handover)
        elif not represents_an_rw(request.user):
            raise PermissionDenied
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer[Handout]) -> None:
        data = serializer.validated_data
        serializer.instance = handout_record(
            handover=data["handover"], household=data["household"],
            quantity=data.get("quantity", 1), item=data.get("item"), by=self.request.user)


def _int(value: Any) -> int | None:
    """A record id, or None for anything that cannot be one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= BIGINT_MAX else None


def _text(request: Request, name: str) -> str:
    value = request.query_params.get(name, "").strip()
    if "\x00" in value:
        # PostgreSQL cannot compare text holding NUL: refused here, not a 500.
        raise Invalid(_("%(value)r is not valid here") % {"value": value}, field=name)
    return value


# Reports --------------------------------------------------------------------------------

REACH_ROW = inline_serializer("HouseholdReachRow", {
    "rw": serializers.CharField(), "name": serializers.CharField(),
    "listed": serializers.IntegerField(), "reached": serializers.IntegerField(),
    "not_reached": serializers.IntegerField(), "share": serializers.IntegerField()},
    many=True)
TWICE_HANDOUT = inline_serializer("HouseholdTwiceHandout", {
    "handout": serializers.IntegerField(), "household": serializers.IntegerField(),
    "rw": serializers.CharField(), "given_on": serializers.DateField(),
    "quantity": serializers.IntegerField(), "program": serializers.CharField(),
    "executor": serializers.CharField(),
    "head_name": serializers.CharField(
        help_text="only where the caller may see that household; else empty")}, many=True)
TWICE = inline_serializer("HouseholdTwiceReport", {
    "total": serializers.IntegerField(help_text="households in all, of which the first "
                                                "``limit`` are listed"),
    "groups": inline_serializer("HouseholdTwiceGroup", {
        "item": serializers.CharField(), "match": serializers.CharField(),
        "masked": serializers.CharField(), "handouts": TWICE_HANDOUT},
        many=True)})


def _date(request: Request, name: str, default: dt.date) -> dt.date:
    value = _text(request, name)
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(_("%(value)r is not a date (YYYY-MM-DD)") % {"value": value},
                      field=name) from None


class HouseholdReportViewSet(viewsets.ViewSet):
    """The assessor's and kelurahan officer's reports, narrowed to what each may see."""

    permission_classes = [IsAuthenticated, MayPerm]
    perm = "households.view_reports"

    @extend_schema(parameters=[
        OpenApiParameter("round", OpenApiTypes.INT,
                         description="an assessment round's id; the latest when left out"),
        OpenApiParameter("within", OpenApiTypes.STR, description="an area code")],
        responses=REACH_ROW)
    @action(detail=False, methods=["get"])
    def reach(self, request: Request) -> Response:
        """Per RW: households listed, reached in the round, not reached."""
        given = _text(request, "round")
        if given:
            round_id = _int(given)
            if round_id is None:
                raise Invalid(_("%(value)r is not an assessment round") % {"value": given},
                              field="round")
            rnd = get_object_or_404(report_rounds(request.user), pk=round_id)
        else:
            latest = report_rounds(request.user).first()
            if latest is None:
                return Response([])
            rnd = latest
        rows = reach_by_rw(round=rnd, user=request.user, within=_text(request, "within"))
        return Response([{"rw": r.rw, "name": r.name, "listed": r.listed,
                          "reached": r.reached, "not_reached": r.not_reached,
                          "share": r.share} for r in rows])

    @extend_schema(parameters=[
        OpenApiParameter("date_from", OpenApiTypes.DATE),
        OpenApiParameter("date_to", OpenApiTypes.DATE),
        OpenApiParameter("item", OpenApiTypes.STR, description="an aid item's code")],
        responses=TWICE)
    @action(detail=False, methods=["get"])
    def twice(self, request: Request) -> Response:
        """Households (matched by the keyed hash of the KK or the head's NIK, across RWs,
        programmes and aggregators) that received the same item more than once in the
        period (default: the last 30 days)."""
        today = timezone.localdate()
        date_to = _date(request, "date_to", today)
        date_from = _date(request, "date_from", date_to - dt.timedelta(days=30))
        item = None
        code = _text(request, "item")
        if code:
            item = Item.objects.filter(code=code).first()
            if item is None:
                raise Invalid(_("%(value)r is not an aid item code") % {"value": code},
                              field="item")
        groups, total = twice_received(date_from=date_from, date_to=date_to,
                                       user=request.user, item=item)
        user = request.user
        return Response({"total": total, "groups": [{
            "item": g.item.code, "match": g.match, "masked": g.masked,
            "handouts": [{
                "handout": h.pk, "household": h.household_id, "rw": h.rw_id,
                "given_on": h.given_on.isoformat(), "quantity": h.quantity,
                "program": h.handover.program.code if h.handover.program_id else "",
                "executor": h.handover.delivery.executor.name,
                # A repeat in another village is shown to the officer of the first one:
                # the name only where the caller may see that household.
                "head_name": h.household.head_name
                if may(user, "households.view_household", h.household) else ""}
                for h in g.handouts]} for g in groups]})
