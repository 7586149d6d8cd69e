"""Misuse reports (pengaduan).

- ``POST /api/v1/reports/`` is open to anyone (multipart for photos, field ``photos``
  repeated up to 3 times). Anonymous callers must answer the anti-spam question from
  ``GET /api/v1/reports/challenge/`` (``challenge_token`` + ``challenge_answer``);
  signed-in callers are accountable and skip it. Every caller is rate-limited per IP
  address (5 accepted reports per hour by default): over the limit answers 429.
- ``GET /api/v1/reports/track/{code}/`` is public and shows what the tracking page shows:
  nothing about the reporter and not the description.
- Lists, details and the ``triage`` / ``investigate`` / ``resolve`` actions are for
  officers (assessor, platform administrator; kelurahan officers for their villages);
  another village's report is 404. The reporter's contact is masked except for the
  officer the report is assigned to.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from ksbb.accounts.models import Organization, User
from ksbb.api.fields import NO_AREA, CodeRelatedField, IdField
from ksbb.api.parsers import JSONParser
from ksbb.api.permissions import RulePermission
from ksbb.areas.models import Area
from ksbb.core.clientip import client_ip
from ksbb.core.privacy import personal_data_viewed
from ksbb.donations.models import Pledge
from ksbb.reports import services
from ksbb.reports.antispam import challenge_check, challenge_new, rate_limited, rate_take
from ksbb.reports.models import Category, MisuseReport
from ksbb.reports.photos import MAX_PHOTOS
from ksbb.reports.selectors import (
    report_by_code,
    report_history,
    reporter_for,
    reports_visible_to,
)


class HistoryStepSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    state = serializers.CharField()
    state_label = serializers.CharField()


class PublicReportSerializer(serializers.ModelSerializer[MisuseReport]):
    """What anyone with the tracking code may see."""

    area_name = serializers.CharField(source="area.name", read_only=True)
    # Empty until resolved: declared so the schema lists "" besides the outcomes.
    outcome = serializers.ChoiceField(choices=[("", ""), *MisuseReport.Outcome.choices],
                                      read_only=True)
    history = serializers.SerializerMethodField()

    class Meta:
        model = MisuseReport
        fields = ["code", "category", "area", "area_name", "state", "outcome",
                  "public_outcome", "received_at", "due_date", "resolved_at", "history"]
        read_only_fields = fields

    @extend_schema_field(HistoryStepSerializer(many=True))
    def get_history(self, obj: MisuseReport) -> list[dict[str, Any]]:
        return [{"at": s.at, "state": s.state, "state_label": s.state_label}
                for s in report_history(obj)]


class ReportSerializer(serializers.ModelSerializer[MisuseReport]):
    """The officers' view; the reporter's contact is masked unless assigned."""

    area_name = serializers.CharField(source="area.name", read_only=True)
    # Empty until resolved: declared so the schema lists "" besides the outcomes.
    outcome = serializers.ChoiceField(choices=[("", ""), *MisuseReport.Outcome.choices],
                                      read_only=True)
    reporter_name = serializers.SerializerMethodField()
    reporter_email = serializers.SerializerMethodField()
    reporter_phone = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = MisuseReport
        fields = ["id", "code", "category", "bast_number", "area", "area_name",
                  "organization", "pledge", "description", "reporter_name", "reporter_email",
                  "reporter_phone", "state", "priority", "assigned_to", "due_date",
                  "investigation_notes", "outcome", "public_outcome", "received_at",
                  "triaged_at", "investigation_started_at", "resolved_at", "photos"]
        read_only_fields = fields

    def _reporter(self, obj: MisuseReport) -> Any:
        # Lists are masked for everyone; the record itself shows the assigned officer the
        # contact in full, and that access is audited (to_representation).
        view = self.context.get("view")
        listing = getattr(view, "action", None) == "list"
        return reporter_for(obj, self.context["request"].user, listing=listing)

    def to_representation(self, instance: MisuseReport) -> dict[str, Any]:
        data = super().to_representation(instance)
        personal_data_viewed(by=self.context["request"].user, obj=instance,
                             fields=self._reporter(instance).shown_in_full)
        return data

    def get_reporter_name(self, obj: MisuseReport) -> str:
        return str(self._reporter(obj).name)

    def get_reporter_email(self, obj: MisuseReport) -> str:
        return str(self._reporter(obj).email)

    def get_reporter_phone(self, obj: MisuseReport) -> str:
        return str(self._reporter(obj).phone)

    def get_photos(self, obj: MisuseReport) -> list[str]:
        return [reverse("backoffice:report_photo", args=[p.pk]) for p in obj.photos.all()]


class ReportCreateSerializer(serializers.Serializer[Any]):
    category = serializers.ChoiceField(choices=Category.choices)
    area = CodeRelatedField(unknown=NO_AREA, queryset=Area.objects.all(),
                            help_text="Kemendagri code of the village or RW")
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind__in=services.REPORTABLE_ORGANIZATION_KINDS),
        required=False, allow_null=True)
    pledge = IdField(required=False, allow_null=True,
                                      help_text="kept only when the caller owns the pledge")
    bast_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000)
    photos = serializers.ListField(child=serializers.FileField(), required=False,
                                   max_length=MAX_PHOTOS,
                                   help_text="JPEG, PNG or WebP, 5 MB each, at most 3")
    reporter_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reporter_email = serializers.EmailField(required=False, allow_blank=True)
    reporter_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    challenge_token = serializers.CharField(required=False, allow_blank=True,
                                            help_text="anonymous callers: from challenge/")
    challenge_answer = serializers.CharField(required=False, allow_blank=True)
    website = serializers.CharField(required=False, allow_blank=True,
                                    help_text="honeypot: leave empty")


class ReceiptSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    state = serializers.CharField()
    due_date = serializers.DateField()
    track_url = serializers.CharField()


class ChallengeSerializer(serializers.Serializer[Any]):
    question = serializers.CharField()
    token = serializers.CharField()


class TriageSerializer(serializers.Serializer[Any]):
    assigned_to = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    priority = serializers.ChoiceField(choices=MisuseReport.Priority.choices)


class InvestigateSerializer(serializers.Serializer[Any]):
    notes = serializers.CharField(max_length=5000)


class ResolveSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=MisuseReport.Outcome.choices)
    public_outcome = serializers.CharField(max_length=5000)


class MayAccessReports(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user.has_perm("reports.access_reports"))


PUBLIC_ACTIONS = {"create", "track", "challenge"}


class ReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[MisuseReport]):
    """Misuse reports: anyone submits and follows by code; officers list and handle."""

    object_permission = "reports.view_report"
    filterset_fields = ["state", "category", "priority", "area"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_permissions(self) -> list[BasePermission]:
        if self.action in PUBLIC_ACTIONS:
            return [AllowAny()]
        return [IsAuthenticated(), MayAccessReports(), RulePermission()]

    def get_queryset(self) -> QuerySet[MisuseReport]:
        return reports_visible_to(self.request.user).prefetch_related("photos").order_by(
            "-received_at", "-pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        classes: dict[str, type[serializers.BaseSerializer[Any]]] = {
            "create": ReportCreateSerializer, "track": PublicReportSerializer,
            "challenge": ChallengeSerializer, "triage": TriageSerializer,
            "investigate": InvestigateSerializer, "resolve": ResolveSerializer}
        return classes.get(self.action, ReportSerializer)

    @extend_schema(request=ReportCreateSerializer, responses={201: ReceiptSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Submit a report; the answer holds the tracking code."""
        ip = client_ip(request) or ""
        if rate_limited(ip):  # cheap early answer; the count itself is taken below
            raise Throttled(detail=_("too many reports from your connection; try again in "
                                     "an hour"))
        ser = ReportCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        v = dict(ser.validated_data)
        if v.pop("website", ""):
            raise ApiValidationError({"website": [_("this submission looks automated")]})
        token, answer = v.pop("challenge_token", ""), v.pop("challenge_answer", "")
        user = request.user if request.user.is_authenticated else None
        if user is None and not challenge_check(token, answer):
            raise ApiValidationError({"challenge_answer": [
                _("wrong or expired answer to the anti-spam question")]})
        if not rate_take(ip):
            raise Throttled(detail=_("too many reports from your connection; try again in "
                                     "an hour"))
        pledge_id = v.pop("pledge", None)
        pledge = Pledge.objects.filter(pk=pledge_id).first() if pledge_id else None
        report = services.report_submit(by=user, pledge=pledge,
                                        base_url=settings.KSBB_PUBLIC_URL.rstrip("/"), **v)
        return Response({"code": report.code, "state": report.state,
                         "due_date": report.due_date,
                         "track_url": reverse("web:report_track", args=[report.code])},
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ChallengeSerializer})
    @action(detail=False, methods=["get"])
    def challenge(self, request: Request) -> Response:
        """An anti-spam question for anonymous submissions (valid one hour, once)."""
        c = challenge_new()
        return Response({"question": c.question, "token": c.token})

    @extend_schema(responses={200: PublicReportSerializer})
    @action(detail=False, methods=["get"], url_path=r"track/(?P<code>[^/]+)")
    def track(self, request: Request, code: str = "") -> Response:
        """Public: category, area, status with its history and the public outcome."""
        report = report_by_code(code)
        if report is None:
            raise Http404
        return Response(PublicReportSerializer(report).data)

    def _act(self, ser_class: Any, fn: Any, **extra: Any) -> Response:
        report = self.get_object()
        ser = ser_class(data=self.request.data)
        ser.is_valid(raise_exception=True)
        report = fn(report=report, by=self.request.user, **extra,
                    **ser.validated_data)
        return Response(ReportSerializer(report, context={"request": self.request}).data)

    @extend_schema(request=TriageSerializer, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, pk: str | None = None) -> Response:
        """Assessor or administrator: assign an officer and a priority (received > triaged)."""
        return self._act(TriageSerializer, services.report_triage)

    @extend_schema(request=InvestigateSerializer, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"])
    def investigate(self, request: Request, pk: str | None = None) -> Response:
        """Assigned officer or government: triaged > under investigation, with notes."""
        return self._act(InvestigateSerializer, services.report_investigate)

    @extend_schema(request=ResolveSerializer, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """Assigned officer or government: founded or unfounded, with a public text."""
        return self._act(ResolveSerializer, services.report_resolve,
                         base_url=settings.KSBB_PUBLIC_URL.rstrip("/"))
