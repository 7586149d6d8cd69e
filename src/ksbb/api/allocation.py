"""Allocation runs and allocations.

Runs are government data: the government reads them; the assessor starts one (POST),
approves or discards it, and reads its proposed lines (``lines``). Allocations are read
by the government, by the staff of the aggregator holding the supply and by the
collaborator whose pledge it came from; the assessor allocates by hand (POST). Every
write goes through ksbb.allocation.services, which checks the caller's right again.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from ksbb.allocation.models import Allocation, AllocationRun, AllocationRunPart, ProposedLine
from ksbb.allocation.selectors import allocations_visible_to, run_summary, runs_visible_to
from ksbb.allocation.services import (
    allocation_create_manual,
    run_approve,
    run_discard,
    run_start,
)
from ksbb.api.fields import IntegerField
from ksbb.api.permissions import HasPerm, RulePermission
from ksbb.donations.models import Pledge, Purchase
from ksbb.needs.models import AssessmentRound, Need


class ProposedLineSerializer(serializers.ModelSerializer[ProposedLine]):
    recipient = serializers.IntegerField(source="need.recipient_id", read_only=True)
    item = serializers.CharField(source="need.item.code", read_only=True)

    class Meta:
        model = ProposedLine
        fields = ["id", "run", "pledge", "purchase", "need", "recipient", "item", "quantity",
                  "proposed_quantity", "locality", "cost", "reason", "edited_by"]
        read_only_fields = fields


class AllocationRunPartSerializer(serializers.ModelSerializer[AllocationRunPart]):
    class Meta:
        model = AllocationRunPart
        fields = ["index", "item", "area", "needs", "pledges", "state", "worker", "seconds",
                  "started_at", "finished_at"]
        read_only_fields = fields


class AllocationRunSerializer(serializers.ModelSerializer[AllocationRun]):
    round = serializers.PrimaryKeyRelatedField(queryset=AssessmentRound.objects.all())
    parts = AllocationRunPartSerializer(
        many=True, read_only=True,
        help_text="a big run is solved part by part by the task workers (empty otherwise)")
    summary = serializers.SerializerMethodField(
        help_text="the engine's summary, with the proposed quantities summed from the lines "
                  "as they are now")

    def get_summary(self, run: AllocationRun) -> dict[str, Any] | None:
        return run_summary(run)

    class Meta:
        model = AllocationRun
        fields = ["id", "round", "state", "progress", "progress_note", "summary", "error",
                  "created_by", "created_at", "finished_at", "approved_by", "approved_at",
                  "parts"]
        read_only_fields = [f for f in fields if f != "round"]


class AllocationRunViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[AllocationRun]):
    """Runs of the allocation engine on a round. POST ``{"round": id}`` starts one in the
    background; poll it until ``state`` is ``proposed`` (or ``failed``)."""

    serializer_class = AllocationRunSerializer
    permission_classes = [IsAuthenticated, HasPerm, RulePermission]
    perms = {"read": "allocation.view_run", "write": "allocation.run"}
    object_permission = "allocation.view_run"
    filterset_fields = ["round", "state"]

    def get_queryset(self) -> Any:
        return runs_visible_to(self.request.user).order_by("-created_at", "-pk")

    def perform_create(self, serializer: serializers.BaseSerializer[AllocationRun]) -> None:
        serializer.instance = run_start(round=serializer.validated_data["round"],
                                        by=self.request.user)

    def _act(self, fn: Any) -> Response:
        run = fn(run=self.get_object(), by=self.request.user)
        return Response(self.get_serializer(run).data)

    @extend_schema(request=None, responses=AllocationRunSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._act(run_approve)

    @extend_schema(request=None, responses=AllocationRunSerializer)
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, pk: str | None = None) -> Response:
        return self._act(run_discard)

    @extend_schema(responses=ProposedLineSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=ProposedLineSerializer,
            filterset_fields=[])
    def lines(self, request: Request, pk: str | None = None) -> Response:
        run = self.get_object()
        qs = run.lines.select_related("need__item").order_by("pk")
        page = self.paginate_queryset(qs)  # type: ignore[arg-type]
        if page is not None:
            return self.get_paginated_response(
                ProposedLineSerializer(page, many=True).data)  # type: ignore[arg-type]
        return Response(ProposedLineSerializer(qs, many=True).data)


class AllocationSerializer(serializers.ModelSerializer[Allocation]):
    item = serializers.CharField(source="item.code", read_only=True)
    supply = serializers.CharField(write_only=True, required=True,
                                   help_text="P-<id> for a pledge, B-<id> for a purchase")
    need = serializers.PrimaryKeyRelatedField(queryset=Need.objects.all())
    quantity = IntegerField()

    class Meta:
        model = Allocation
        fields = ["id", "supply", "pledge", "purchase", "need", "recipient", "item",
                  "quantity", "returned_quantity", "locality", "run", "state", "created_by",
                  "created_at"]
        read_only_fields = ["pledge", "purchase", "recipient", "returned_quantity",
                            "locality", "run", "state", "created_by", "created_at"]

    def validate_supply(self, value: str) -> Pledge | Purchase:
        text = value.strip().upper().replace("-", "")
        model: Any = Pledge if text[:1] == "P" else Purchase if text[:1] == "B" else None
        found = (model.objects.filter(pk=int(text[1:])).first()
                 if model is not None and text[1:].isdigit() else None)
        if found is None:
            raise serializers.ValidationError(
                _("name a pledge as P-<id> or a purchase as B-<id>"))
        return found


class AllocationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Allocation]):
    """Approved allocations: so many units from one pledge or purchase to one need.

    The government sees all; aggregator staff those of their pledges and purchases;
    collaborators those of their pledges. POST is a manual allocation (assessor only).
    """

    serializer_class = AllocationSerializer
    permission_classes = [IsAuthenticated, HasPerm, RulePermission]
    perms = {"write": "allocation.allocate"}
    object_permission = "allocation.view_allocation"
    filterset_fields = ["run", "need", "recipient", "pledge", "purchase", "state"]

    def get_queryset(self) -> Any:
        return allocations_visible_to(self.request.user).order_by("-created_at", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        allocation = allocation_create_manual(supply=data["supply"], need=data["need"],
                                              quantity=data["quantity"], by=request.user)
        allocation = get_object_or_404(self.get_queryset(), pk=allocation.pk)
        return Response(self.get_serializer(allocation).data, status=status.HTTP_201_CREATED)
