"""Deliveries and handover reports (BAST).

Lists are narrowed to what the caller may see (another organisation's record by id is 404);
transitions are actions that call distribution.services, whose refusals come back as 400
keyed by field name, or 403 when the caller may not act.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from ksbb.accounts.models import Organization
from ksbb.allocation.models import Allocation
from ksbb.api.errors import require_perm
from ksbb.api.fields import IdField, IntegerField
from ksbb.api.parsers import JSONParser
from ksbb.api.permissions import RulePermission
from ksbb.areas.models import Area
from ksbb.distribution import services
from ksbb.distribution.models import (
    Delivery,
    DeliveryLine,
    Handover,
    HandoverLine,
    HandoverPhoto,
)
from ksbb.distribution.pdf import BastPdfRenderer, verify_url
from ksbb.distribution.selectors import (
    deliveries_visible_to,
    handover_parties,
    handovers_visible_to,
)
from ksbb.web.files import file_response

# Deliveries.

class DeliveryLineSerializer(serializers.ModelSerializer[DeliveryLine]):
    item = serializers.CharField(source="allocation.item.code", read_only=True)
    item_name = serializers.CharField(source="allocation.item.name", read_only=True)

    class Meta:
        model = DeliveryLine
        fields = ["id", "allocation", "item", "item_name", "quantity", "returned_quantity"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer[Delivery]):
    lines = DeliveryLineSerializer(many=True, read_only=True)
    recipient_name = serializers.CharField(source="recipient.name", read_only=True)
    executor_name = serializers.CharField(source="executor.name", read_only=True)
    program = serializers.CharField(source="program.code", read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "recipient", "recipient_name", "executor", "executor_name", "program",
                  "state", "scheduled_for", "reason", "created_at", "dispatched_at",
                  "delivered_at", "handed_over_at", "verified_at", "closed_at", "lines"]
        read_only_fields = fields


class DeliveryCreateSerializer(serializers.Serializer[Any]):
    allocations = serializers.ListField(child=IdField(), min_length=1,
                                        help_text="ids of approved allocations, one recipient")
    executor = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=Organization.Kind.EXECUTOR))
    scheduled_for = serializers.DateField()


class DeliveryReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class DeliveryViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Delivery]):
    """Deliveries the caller may see: the government all, an executor its own, an aggregator
    those carrying its supplies, a kelurahan officer those to its villages, a recipient's
    representative those to its recipient. Another's delivery by id is 404."""

    permission_classes = [IsAuthenticated, RulePermission]
    object_permission = "distribution.view_delivery"
    filterset_fields = ["state", "recipient", "executor", "scheduled_for"]

    def get_queryset(self) -> QuerySet[Delivery]:
        return deliveries_visible_to(self.request.user).prefetch_related(
            "lines__allocation__item").order_by("-scheduled_for", "-pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return {"create": DeliveryCreateSerializer, "cancel": DeliveryReasonSerializer,
                "fail": DeliveryReasonSerializer}.get(self.action, DeliverySerializer)

    @extend_schema(request=DeliveryCreateSerializer, responses={201: DeliverySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Schedule approved allocations for ONE recipient as one delivery (the assessor, or
        staff of the supplies' aggregator)."""
        require_perm(request.user, "distribution.schedule_delivery", None)
        ser = DeliveryCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        ids = ser.validated_data["allocations"]
        found = {a.pk: a for a in Allocation.objects.filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise ApiValidationError({"allocations": [
                _("unknown allocation %(id)s") % {"id": missing[0]}]})
        delivery = services.delivery_schedule(
            allocations=[found[i] for i in ids], executor=ser.validated_data["executor"],
            scheduled_for=ser.validated_data["scheduled_for"], by=request.user)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)

    def _step(self, fn: Any, delivery: Delivery | None = None, **kwargs: Any) -> Response:
        delivery = fn(delivery=delivery or self.get_object(),
                      by=self.request.user, **kwargs)
        return Response(DeliverySerializer(self.get_queryset().get(pk=delivery.pk)).data)

    def _reason(self, request: Request, perm: str) -> tuple[Delivery, str]:
        """The delivery, once the caller may act on it, and the reason given."""
        delivery = self.get_object()
        require_perm(request.user, perm, delivery)
        ser = DeliveryReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return delivery, str(ser.validated_data["reason"])

    @extend_schema(request=None, responses={200: DeliverySerializer})
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_delivery(self, request: Request, pk: str | None = None) -> Response:
        """Staff of the executor: scheduled -> dispatched."""
        return self._step(services.delivery_dispatch)

    @extend_schema(request=None, responses={200: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def deliver(self, request: Request, pk: str | None = None) -> Response:
        """Staff of the executor: dispatched -> delivered."""
        return self._step(services.delivery_deliver)

    @extend_schema(request=DeliveryReasonSerializer, responses={200: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Before it arrives; the quantity returns to the supplies."""
        delivery, reason = self._reason(request, "distribution.cancel_delivery")
        return self._step(services.delivery_cancel, delivery, reason=reason)

    @extend_schema(request=DeliveryReasonSerializer, responses={200: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def fail(self, request: Request, pk: str | None = None) -> Response:
        """Staff of the executor, before a BAST exists; the quantity returns."""
        delivery, reason = self._reason(request, "distribution.operate_delivery")
        return self._step(services.delivery_fail, delivery, reason=reason)

    @extend_schema(request=None, responses={200: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        """The assessor or the village's kelurahan officer: handed_over -> verified."""
        return self._step(services.delivery_verify)


# Handover reports.

class HandoverLineSerializer(serializers.ModelSerializer[HandoverLine]):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = HandoverLine
        fields = ["delivery_line", "item", "item_code", "item_name", "quantity"]
        read_only_fields = fields


class HandoverPartySerializer(serializers.Serializer[Any]):
    role = serializers.CharField()
    name = serializers.CharField()
    confirmed_at = serializers.DateTimeField(allow_null=True)


class HandoverSerializer(serializers.ModelSerializer[Handover]):
    lines = HandoverLineSerializer(many=True, read_only=True)
    program = serializers.CharField(source="program.code", read_only=True)
    verify_url = serializers.SerializerMethodField()
    parties = serializers.SerializerMethodField()
    superseded_by = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    photo_urls = serializers.SerializerMethodField(
        help_text="each photo, served to whoever may see the report")
    has_paper_scan = serializers.SerializerMethodField()
    paper_scan_url = serializers.SerializerMethodField(
        help_text="the uploaded paper BAST, to read before accepting it")

    class Meta:
        model = Handover
        fields = ["id", "number", "code", "verify_url", "state", "delivery", "program", "date",
                  "area", "address", "latitude", "longitude", "lines", "parties",
                  "supersedes", "superseded_by", "correction_reason", "fingerprint",
                  "signed_at", "photos", "photo_urls", "has_paper_scan", "paper_scan_url",
                  "paper_accepted_at", "created_at"]
        read_only_fields = fields

    def get_verify_url(self, obj: Handover) -> str:
        return verify_url(obj.code)

    @extend_schema_field(HandoverPartySerializer(many=True))
    def get_parties(self, obj: Handover) -> list[dict[str, Any]]:
        return handover_parties(obj)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_superseded_by(self, obj: Handover) -> int | None:
        nxt = Handover.objects.filter(supersedes=obj).values_list("pk", flat=True).first()
        return nxt

    def get_photos(self, obj: Handover) -> int:
        return obj.photos.count()

    def get_has_paper_scan(self, obj: Handover) -> bool:
        return bool(obj.paper_scan)

    def get_photo_urls(self, obj: Handover) -> list[str]:
        return [reverse("handover-photo-file", args=[obj.pk, pk])
                for pk in obj.photos.order_by("pk").values_list("pk", flat=True)]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_paper_scan_url(self, obj: Handover) -> str | None:
        return reverse("handover-paper-scan", args=[obj.pk]) if obj.paper_scan else None


class HandoverLineInput(serializers.Serializer[Any]):
    delivery_line = IdField()
    quantity = IntegerField(min_value=0)


class HandoverCreateSerializer(serializers.Serializer[Any]):
    delivery = IdField()
    date = serializers.DateField()
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    area = serializers.CharField(required=False, help_text="area code; default: the "
                                 "recipient's area")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False,
                                        allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False,
                                         allow_null=True)
    lines = HandoverLineInput(many=True)
    supersedes = IdField(required=False, allow_null=True,
                                          help_text="a correction: id of the signed BAST")
    correction_reason = serializers.CharField(required=False, allow_blank=True)


class HandoverConfirmSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=Handover.Party.choices)


class HandoverPhotoUploadSerializer(serializers.Serializer[Any]):
    photo = serializers.FileField(help_text="JPEG, PNG or WebP, at most 5 MB")


class HandoverPaperUploadSerializer(serializers.Serializer[Any]):
    paper = serializers.FileField(help_text="the signed paper BAST: PDF or image")
    receiver_name = serializers.CharField(max_length=200)
    witness_name = serializers.CharField(max_length=200)


class HandoverViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Handover]):
    """Handover reports (BAST) of the deliveries the caller may see."""

    permission_classes = [IsAuthenticated, RulePermission]
    object_permission = "distribution.view_handover"
    filterset_fields = ["state", "delivery", "program"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Handover]:
        return handovers_visible_to(self.request.user).prefetch_related(
            "lines__item").order_by("-date", "-pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return {"create": HandoverCreateSerializer, "confirm": HandoverConfirmSerializer,
                "photos": HandoverPhotoUploadSerializer,
                "paper": HandoverPaperUploadSerializer}.get(self.action, HandoverSerializer)

    def _fresh(self, handover: Handover) -> Response:
        return Response(HandoverSerializer(self.get_queryset().get(pk=handover.pk)).data)

    @extend_schema(request=HandoverCreateSerializer, responses={201: HandoverSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Staff of the executor write the BAST of a delivered delivery (or a correction of
        a signed one, with ``supersedes`` and ``correction_reason``)."""
        ser = HandoverCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        delivery = deliveries_visible_to(request.user).filter(pk=data["delivery"]).first()
        if delivery is None:
            raise ApiValidationError({"delivery": [_("unknown delivery")]})
        supersedes = None
        if data.get("supersedes"):
            supersedes = self.get_queryset().filter(pk=data["supersedes"]).first()
            if supersedes is None:
                raise ApiValidationError({"supersedes": [_("unknown handover report")]})
        area = None
        if data.get("area"):
            area = Area.objects.filter(code=data["area"]).first()
            if area is None:
                raise ApiValidationError({"area": [_("unknown area")]})
        handover = services.handover_create(
            delivery=delivery, date=data["date"],
            lines={row["delivery_line"]: row["quantity"] for row in data["lines"]},
            address=data.get("address", ""), area=area, latitude=data.get("latitude"),
            longitude=data.get("longitude"), supersedes=supersedes,
            correction_reason=data.get("correction_reason", ""), by=request.user)
        return Response(HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HandoverConfirmSerializer, responses={200: HandoverSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """One party confirms: ``giver`` (executor staff), ``receiver`` (the recipient's
        representative) or ``witness`` (the village's kelurahan officer)."""
        handover = self.get_object()
        ser = HandoverConfirmSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        handover = services.handover_confirm(handover=handover,
                                             role=ser.validated_data["role"], by=request.user)
        return self._fresh(handover)

    @extend_schema(request={"multipart/form-data": HandoverPhotoUploadSerializer},
                   responses={201: HandoverSerializer})
    @action(detail=True, methods=["post"])
    def photos(self, request: Request, pk: str | None = None) -> Response:
        """Add a photo as evidence (draft only)."""
        handover = self.get_object()
        services.handover_photo_add(handover=handover,
                                    upload=request.FILES.get("photo"), by=request.user)
        return Response(self._fresh(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": HandoverPaperUploadSerializer},
                   responses={200: HandoverSerializer})
    @action(detail=True, methods=["post"])
    def paper(self, request: Request, pk: str | None = None) -> Response:
        """Upload the scanned signed paper BAST instead of confirming in the app."""
        handover = self.get_object()
        data: Any = request.data
        handover = services.handover_paper_upload(
            handover=handover, upload=request.FILES.get("paper"),
            receiver_name=str(data.get("receiver_name", "")),
            witness_name=str(data.get("witness_name", "")), by=request.user)
        return self._fresh(handover)

    @extend_schema(request=None, responses={200: HandoverSerializer})
    @action(detail=True, methods=["post"])
    def accept_paper(self, request: Request, pk: str | None = None) -> Response:
        """The assessor or the village's kelurahan officer accepts the paper BAST: signed."""
        handover = services.handover_paper_accept(handover=self.get_object(),
                                                  by=request.user)
        return self._fresh(handover)

    def _file(self, field: Any, content_type: str) -> FileResponse:
        return file_response(field.open("rb"), attachment=False, content_type=content_type,
                             cache_control="private, no-store")

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="paper_scan", url_name="paper-scan")
    def paper_scan(self, request: Request, pk: str | None = None) -> FileResponse:
        """The uploaded paper BAST (PDF or image), for whoever may see the report: the
        officer reads it before accepting."""
        handover = self.get_object()
        if not handover.paper_scan:
            raise Http404
        ext = handover.paper_scan.name.rsplit(".", 1)[-1].lower()
        return self._file(handover.paper_scan, {
            "pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png",
            "webp": "image/webp"}.get(ext, "application/octet-stream"))

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_id>[0-9]+)",
            url_name="photo-file")
    def photo_file(self, request: Request, pk: str | None = None,
                   photo_id: str | None = None) -> FileResponse:
        """One evidence photo of the report."""
        handover = self.get_object()
        photo = get_object_or_404(HandoverPhoto, pk=photo_id, handover=handover)
        return self._file(photo.file, photo.content_type)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The BAST as a PDF (Indonesian) with a QR code to its verification page."""
        handover = self.get_object()
        return file_response(BastPdfRenderer(handover).render(), content_type="application/pdf",
                             filename=f"{handover.number.replace('/', '-')}.pdf")
