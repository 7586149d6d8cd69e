"""Programmes, items, verified aggregators, pledges and purchases.

Serializers are thin: reads are model fields, writes call donations.services, whose
refusals come back as 400 keyed by field name (403 when the caller may not act).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from ksbb.accounts.models import Organization, Role
from ksbb.accounts.selectors import scope_of
from ksbb.api.errors import require_perm
from ksbb.api.fields import NO_AREA, NO_REGION, CodeRelatedField, RegionField
from ksbb.api.permissions import RulePermission
from ksbb.areas.models import Area
from ksbb.donations import services
from ksbb.donations.models import Item, Pledge, Program, Purchase
from ksbb.donations.pdf import has_receipt
from ksbb.donations.selectors import (
    pledges_visible_to,
    program_names,
    programs_of_region,
    purchases_visible_to,
    units_bought,
    verified_aggregators,
)
from ksbb.needs.models import Recipient
from ksbb.regions.models import Region
from ksbb.web.donations.pledges import pledge_receipt_response


def _own_org(user: Any, role: str, given: Organization | None, field: str) -> Organization:
    if given is not None:
        return given
    own = [org for org, r in scope_of(user).org_roles if r == role]
    if len(own) != 1:
        raise ApiValidationError({field: [_("This field is required.")]})
    return Organization.objects.get(pk=own[0])


class PdfRenderer(BaseRenderer):
    """Lets ``?format=pdf`` / ``Accept: application/pdf`` reach views that answer PDF;
    errors from those views come back as JSON text."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: Any = None) -> bytes:
        import json

        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()


# Programmes, items, aggregators: public reference data.

class ProgramSerializer(serializers.ModelSerializer[Program]):
    name = serializers.SerializerMethodField(
        help_text="the programme's name; with ?region=, the name that region gives it")
    standard_name = serializers.CharField(
        source="name", read_only=True, help_text="the programme's name in the template")
    region = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True,
        help_text="the region whose own programme it is (area code); null: a standard "
                  "programme every region can adopt")

    class Meta:
        model = Program
        fields = ["id", "code", "name", "standard_name", "description", "is_active", "region"]

    def get_name(self, program: Program) -> str:
        return str(self.context.get("local_names", {}).get(program.code, program.name))


class ProgramQuerySerializer(serializers.Serializer[Any]):
    region = RegionField(
        required=False, allow_null=True,
        help_text="a region's short name or area code, e.g. kota-bandung or 32.73: only the "
                  "programmes it runs, under its own names")


@extend_schema(parameters=[ProgramQuerySerializer])
class ProgramViewSet(viewsets.ReadOnlyModelViewSet[Program]):
    """KSBB programmes (Pangan, Pendidikan, ...). Public: no sign-in needed. A region runs
    the standard programmes it adopted (all of them while it adopted none) and its own."""

    serializer_class = ProgramSerializer
    permission_classes = [AllowAny]
    filterset_fields = ["is_active", "code"]

    def _region(self) -> Region | None:
        query = ProgramQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        region: Region | None = query.validated_data.get("region")
        return region

    def get_queryset(self) -> QuerySet[Program]:
        region = self._region()
        programs = Program.objects.all() if region is None else programs_of_region(region)
        return programs.select_related("region").order_by("code")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        region = self._region() if getattr(self, "request", None) is not None else None
        context["local_names"] = program_names(region) if region is not None else {}
        return context


class ItemSerializer(serializers.ModelSerializer[Item]):
    program_code = serializers.CharField(source="program.code", read_only=True)

    class Meta:
        model = Item
        fields = ["id", "code", "program", "program_code", "name", "unit", "value_rupiah",
                  "is_active"]


class ItemViewSet(viewsets.ReadOnlyModelViewSet[Item]):
    """Aid items with their unit and value in rupiah. Public: no sign-in needed."""

    queryset = Item.objects.select_related("program").order_by("program__code", "name")
    serializer_class = ItemSerializer
    permission_classes = [AllowAny]
    filterset_fields = ["program", "code", "unit", "is_active"]


class AggregatorSerializer(serializers.ModelSerializer[Organization]):
    licence_number = serializers.CharField(source="aggregator_profile.licence_number")
    licence_valid_until = serializers.DateField(source="aggregator_profile.licence_valid_until")
    verified_at = serializers.DateTimeField(source="aggregator_profile.verified_at")

    class Meta:
        model = Organization
        fields = ["id", "name", "area", "licence_number", "licence_valid_until", "verified_at"]
        read_only_fields = fields


class AggregatorViewSet(viewsets.ReadOnlyModelViewSet[Organization]):
    """Humanitarian organisations verified by the platform, whose Kemensos licence is valid
    today: the ones a collaborator can pledge through. Public."""

    serializer_class = AggregatorSerializer
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[Organization]:
        return verified_aggregators()


# Pledges.

class PledgeSerializer(serializers.ModelSerializer[Pledge]):
    collaborator_name = serializers.CharField(source="collaborator.name", read_only=True)
    aggregator_name = serializers.CharField(source="aggregator.name", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True,
                                          help_text="the region it is given to (area code); "
                                          "null: the default region")

    class Meta:
        model = Pledge
        fields = ["id", "collaborator", "collaborator_name", "aggregator", "aggregator_name",
                  "kind", "program", "item", "quantity", "amount_rupiah", "received_quantity",
                  "received_amount", "preferred_area", "recipient", "region", "state",
                  "reason", "created_at", "received_at", "updated_at"]
        read_only_fields = fields


class PledgeCreateSerializer(serializers.Serializer[Any]):
    collaborator = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=Organization.Kind.COLLABORATOR),
        required=False, help_text="the donor organisation; default: the caller's only one")
    aggregator = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=Organization.Kind.AGGREGATOR))
    item = serializers.PrimaryKeyRelatedField(queryset=Item.objects.all(), required=False,
                                              help_text="goods: the aid item")
    quantity = serializers.IntegerField(required=False, help_text="goods: units of the item")
    program = serializers.PrimaryKeyRelatedField(queryset=Program.objects.all(),
                                                 required=False, help_text="money: programme")
    amount_rupiah = serializers.IntegerField(required=False, help_text="money: rupiah")
    preferred_area = CodeRelatedField(unknown=NO_AREA, queryset=Area.objects.all(),
                                      required=False, allow_null=True)
    recipient = serializers.PrimaryKeyRelatedField(queryset=Recipient.objects.all(),
                                                   required=False, allow_null=True)
    region = CodeRelatedField(
        unknown=NO_REGION, queryset=Region.objects.all(), required=False, allow_null=True,
        help_text="the region given to (its area code, e.g. 32.73); default: the region of "
                  "the recipient or preferred area, else the default region")


class PledgeReceiveSerializer(serializers.Serializer[Any]):
    received_quantity = serializers.IntegerField(required=False, help_text="goods pledges")
    received_amount = serializers.IntegerField(required=False, help_text="money pledges")


@extend_schema_serializer(component_name="PledgeReason")
class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class PledgeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Pledge]):
    """Pledges the caller may see: a collaborator its organisation's, aggregator staff those
    made to their aggregator, the government all. Another organisation's pledge is 404."""

    permission_classes = [IsAuthenticated, RulePermission]
    object_permission = "donations.view_pledge"
    filterset_fields = ["state", "kind", "collaborator", "aggregator", "program", "item"]

    def get_queryset(self) -> QuerySet[Pledge]:
        return pledges_visible_to(self.request.user).order_by("-created_at", "-pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return {"create": PledgeCreateSerializer, "receive": PledgeReceiveSerializer,
                "reject": ReasonSerializer, "cancel": ReasonSerializer}.get(
                    self.action, PledgeSerializer)

    @extend_schema(request=PledgeCreateSerializer, responses={201: PledgeSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Pledge goods (``item`` + ``quantity``) or money (``program`` + ``amount_rupiah``)
        through a verified aggregator."""
        require_perm(request.user, "donations.add_pledge", None)
        ser = PledgeCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        collaborator = _own_org(request.user, Role.COLLABORATOR, data.pop("collaborator", None),
                                "collaborator")
        pledge = services.pledge_submit(collaborator=collaborator,
                                        amount=data.pop("amount_rupiah", None),
                                        by=request.user, **data)
        return Response(PledgeSerializer(pledge).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PledgeReceiveSerializer, responses={200: PledgeSerializer})
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: str | None = None) -> Response:
        """Staff of the pledge's aggregator confirm what arrived (at most what was pledged)."""
        pledge = self.get_object()
        require_perm(request.user, "donations.receive_pledge", pledge)
        ser = PledgeReceiveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        pledge = services.pledge_receive(pledge=pledge, by=request.user,
                                         **ser.validated_data)
        return Response(PledgeSerializer(pledge).data)

    @extend_schema(request=ReasonSerializer, responses={200: PledgeSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Staff of the pledge's aggregator refuse a submitted pledge, with a reason."""
        pledge = self.get_object()
        require_perm(request.user, "donations.receive_pledge", pledge)
        ser = ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        pledge = services.pledge_reject(pledge=pledge, by=request.user,
                                        reason=ser.validated_data["reason"])
        return Response(PledgeSerializer(pledge).data)

    @extend_schema(request=None, responses={
        (200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def receipt(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The donation receipt (PDF, Indonesian) of a received pledge, for its collaborator
        and its aggregator's staff."""
        pledge = self.get_object()
        if not request.user.has_perm("donations.download_receipt", pledge):
            raise PermissionDenied(_("only the donor and the aggregator get the receipt"))
        if not has_receipt(pledge):
            raise ApiValidationError({api_settings.NON_FIELD_ERRORS_KEY: [
                _("a receipt exists once the aggregator confirms receipt")]})
        return pledge_receipt_response(pledge, request)

    @extend_schema(request=ReasonSerializer, responses={200: PledgeSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """The collaborator withdraws a pledge that was not received yet."""
        pledge = self.get_object()
        require_perm(request.user, "donations.cancel_pledge", pledge)
        ser = ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        pledge = services.pledge_cancel(pledge=pledge, by=request.user,
                                        reason=ser.validated_data["reason"])
        return Response(PledgeSerializer(pledge).data)


# Purchases.

class FundingSerializer(serializers.Serializer[Any]):
    pledge = serializers.IntegerField(help_text="id of a received money pledge")
    amount_rupiah = serializers.IntegerField()
    units = serializers.IntegerField(read_only=True,
                                     help_text="units of the item this money bought, pro rata")


class PurchaseSerializer(serializers.ModelSerializer[Purchase]):
    fundings = serializers.SerializerMethodField()

    class Meta:
        model = Purchase
        fields = ["id", "aggregator", "item", "quantity", "cost_rupiah", "supplier", "receipt",
                  "purchased_at", "created_at", "fundings"]
        read_only_fields = fields

    @extend_schema_field(FundingSerializer(many=True))
    def get_fundings(self, obj: Purchase) -> list[dict[str, int]]:
        shares = units_bought(Purchase.objects.filter(pk=obj.pk))
        return [{"pledge": pledge_id, "amount_rupiah": u.amount_rupiah, "units": u.units}
                for pledge_id, rows in sorted(shares.items()) for u in rows]


class PurchaseCreateSerializer(serializers.Serializer[Any]):
    aggregator = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=Organization.Kind.AGGREGATOR),
        required=False, help_text="default: the caller's only aggregator")
    item = serializers.PrimaryKeyRelatedField(queryset=Item.objects.all())
    quantity = serializers.IntegerField()
    cost_rupiah = serializers.IntegerField()
    supplier = serializers.CharField(max_length=200)
    purchased_at = serializers.DateField(required=False)
    funding = FundingSerializer(many=True)


class PurchaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Purchase]):
    """Goods an aggregator bought with received money pledges, each pledge's share traced in
    units. Visible to the aggregator's staff, the donors whose money paid, the government."""

    permission_classes = [IsAuthenticated, RulePermission]
    object_permission = "donations.view_purchase"
    filterset_fields = ["aggregator", "item"]

    def get_queryset(self) -> QuerySet[Purchase]:
        return purchases_visible_to(self.request.user).order_by("-purchased_at", "-pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return PurchaseCreateSerializer if self.action == "create" else PurchaseSerializer

    @extend_schema(request=PurchaseCreateSerializer, responses={201: PurchaseSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_perm(request.user, "donations.access_purchases", None)
        ser = PurchaseCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        aggregator = _own_org(request.user, Role.AGGREGATOR_STAFF, data.pop("aggregator", None),
                              "aggregator")
        rows = data.pop("funding")
        visible = pledges_visible_to(request.user).in_bulk([r["pledge"] for r in rows])
        unknown = [r["pledge"] for r in rows if r["pledge"] not in visible]
        if unknown:
            raise ApiValidationError({"funding": [
                _("unknown pledge %(id)s") % {"id": pk} for pk in unknown]})
        funding = [(visible[r["pledge"]], r["amount_rupiah"]) for r in rows]
        purchase = services.purchase_record(aggregator=aggregator,
                                            funding=funding, by=request.user, **data)
        return Response(PurchaseSerializer(purchase).data, status=status.HTTP_201_CREATED)
