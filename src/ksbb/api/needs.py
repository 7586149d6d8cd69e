"""Recipients, assessment rounds and needs.

Recipients are public (RWs and verified institutions), without institutions' contact
details unless the caller is the government. Rounds and needs are government data.
Every write goes through ksbb.needs.services, which checks the caller's right again.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from ksbb.api.fields import NO_REGION, CodeRelatedField, IntegerField
from ksbb.api.permissions import HasPerm
from ksbb.core.privacy import mask_phone
from ksbb.needs.models import AssessmentRound, Need, Recipient
from ksbb.needs.selectors import needs_visible_to, recipients_visible_to, rounds_visible_to
from ksbb.needs.services import (
    institution_register,
    institution_verify,
    need_set,
    round_close,
    round_open,
)
from ksbb.regions.models import Region

CONTACT_FIELDS = ("address", "contact_name", "contact_phone")



# Recipients -----------------------------------------------------------------------------

class RecipientSerializer(serializers.ModelSerializer[Recipient]):
    class Meta:
        model = Recipient
        fields = ["id", "kind", "name", "area", "residents", *CONTACT_FIELDS, "is_verified",
                  "created_at"]
        read_only_fields = ["is_verified", "created_at"]

    def to_representation(self, instance: Recipient) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        may_see = request is not None and request.user.has_perm("needs.view_recipient_contact")
        if not may_see and instance.kind != Recipient.Kind.RW:
            for name in CONTACT_FIELDS:
                data.pop(name, None)
        elif not may_see:
            # A ketua RW's name is public in their office; their phone is theirs (UU PDP).
            data["contact_phone"] = mask_phone(data.get("contact_phone") or "")
        return data


class RecipientFilter(django_filters.FilterSet):
    within = django_filters.CharFilter(method="filter_within",
                                       help_text="recipients in this area code or inside it")
    verified = django_filters.BooleanFilter(field_name="is_verified")

    class Meta:
        model = Recipient
        fields = ["kind", "area", "within", "verified"]

    def filter_within(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(Q(area_id=value) | Q(area__code__startswith=f"{value}."))


class RecipientViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Recipient]):
    """Who receives aid: every RW and registered institutions.

    Public. Institutions' address and contact are shown to the government only. The
    government registers institutions (POST) and verifies them (POST ``verify``).
    """

    serializer_class = RecipientSerializer
    permission_classes = [HasPerm]
    perms = {"write": "needs.register_institution", "verify": "needs.verify_recipient"}
    filterset_class = RecipientFilter

    def get_queryset(self) -> QuerySet[Recipient]:
        return recipients_visible_to(self.request.user).order_by("area_id", "kind", "name")

    def perform_create(self, serializer: serializers.BaseSerializer[Recipient]) -> None:
        data = serializer.validated_data
        serializer.instance = institution_register(
            kind=data["kind"], name=data["name"], area=data["area"],
            residents=data.get("residents"), address=data.get("address", ""),
            contact_name=data.get("contact_name", ""),
            contact_phone=data.get("contact_phone", ""), by=self.request.user)

    @extend_schema(request=None, responses=RecipientSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        recipient = institution_verify(recipient=self.get_object(), by=request.user)
        return Response(self.get_serializer(recipient).data)


# Rounds ---------------------------------------------------------------------------------

class CodeField(serializers.CharField):
    """A programme or an aid item, read and written as its code (e.g. PANGAN, sembako);
    the service resolves the code and refuses an unknown one with a translated message."""

    def to_representation(self, value: Any) -> str:
        return str(getattr(value, "code", value))


class RoundSerializer(serializers.ModelSerializer[AssessmentRound]):
    program = CodeField(max_length=32, help_text="the programme's code, e.g. PANGAN")
    region = CodeRelatedField(
        unknown=NO_REGION, queryset=Region.objects.all(), required=False, allow_null=True,
        help_text="the region's area code (e.g. 32.73); default: the caller's region")

    class Meta:
        model = AssessmentRound
        fields = ["id", "name", "program", "region", "period_start", "period_end", "state",
                  "created_by", "created_at"]
        read_only_fields = ["state", "created_by", "created_at"]


class RoundViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[AssessmentRound]):
    """Assessment rounds. Government only; the assessor opens (POST) and closes them."""

    serializer_class = RoundSerializer
    permission_classes = [IsAuthenticated, HasPerm]
    perms = {"read": "needs.view_round", "write": "needs.manage_round"}
    filterset_fields = ["state"]

    def get_queryset(self) -> QuerySet[AssessmentRound]:
        qs = rounds_visible_to(self.request.user).select_related("program")
        program = self.request.query_params.get("program", "").strip()
        if program:
            qs = qs.filter(program__code__iexact=program)
        return qs.order_by("-period_start", "-id")

    def perform_create(self, serializer: serializers.BaseSerializer[AssessmentRound]) -> None:
        data = serializer.validated_data
        serializer.instance = round_open(
            name=data["name"], program=data["program"], period_start=data["period_start"],
            period_end=data["period_end"], region=data.get("region"), by=self.request.user)

    @extend_schema(request=None, responses=RoundSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        rnd = round_close(round=self.get_object(), by=request.user)
        return Response(self.get_serializer(rnd).data)


# Needs ----------------------------------------------------------------------------------

class NeedSerializer(serializers.ModelSerializer[Need]):
    round = serializers.PrimaryKeyRelatedField(queryset=AssessmentRound.objects.all())
    recipient = serializers.PrimaryKeyRelatedField(queryset=Recipient.objects.all())
    item = CodeField(max_length=40, help_text="the aid item's code, e.g. sembako; an item "
                     "of the round's programme")
    quantity = IntegerField()
    priority = IntegerField()

    class Meta:
        model = Need
        fields = ["id", "round", "recipient", "item", "quantity", "priority", "source",
                  "note", "updated_at"]
        read_only_fields = ["source", "updated_at"]

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            # Which need it is stays fixed; send a new one for another recipient or item.
            for name in ("round", "recipient", "item"):
                fields[name].read_only = True
        return fields


class NeedFilter(django_filters.FilterSet):
    item = django_filters.CharFilter(field_name="item__code", help_text="aid item code")
    within = django_filters.CharFilter(method="filter_within",
                                       help_text="needs of recipients inside this area code")

    class Meta:
        model = Need
        fields = ["round", "recipient", "item", "priority", "source", "within"]

    def filter_within(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(Q(recipient__area_id=value)
                               | Q(recipient__area__code__startswith=f"{value}."))


class NeedViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin,
                  viewsets.ReadOnlyModelViewSet[Need]):
    """Assessed needs: per round, recipient and aid item, a quantity and a priority 1-3.

    Government data: only the government reads them; only the assessor writes them.
    POST creates or replaces the need for (round, recipient, item).
    """

    serializer_class = NeedSerializer
    permission_classes = [IsAuthenticated, HasPerm]
    perms = {"read": "needs.view_need", "write": "needs.set_need"}
    filterset_class = NeedFilter

    def get_queryset(self) -> QuerySet[Need]:
        return needs_visible_to(self.request.user).order_by("round_id", "recipient_id",
                                                            "item__code")

    def _save(self, serializer: serializers.BaseSerializer[Need], **known: Any) -> None:
        data = {**known, **serializer.validated_data}
        note = data.get("note", serializer.instance.note if serializer.instance else "")
        serializer.instance = need_set(
            round=data["round"], recipient=data["recipient"], item=data["item"],
            quantity=data["quantity"], priority=data["priority"], note=note,
            by=self.request.user)

    def perform_create(self, serializer: serializers.BaseSerializer[Need]) -> None:
        self._save(serializer)

    def perform_update(self, serializer: serializers.BaseSerializer[Need]) -> None:
        need = serializer.instance
        assert need is not None
        self._save(serializer, round=need.round, recipient=need.recipient, item=need.item,
                   quantity=need.quantity, priority=need.priority)

