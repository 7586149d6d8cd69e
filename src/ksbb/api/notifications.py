"""A person's own notifications (the in-app inbox): read them, mark them read. Each
account sees only its own; another's notification is a 404. Texts come in the request's
language (Accept-Language)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from ksbb.notifications import services
from ksbb.notifications.models import Notification
from ksbb.notifications.selectors import notifications_of
from ksbb.notifications.texts import render


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    subject = serializers.SerializerMethodField(help_text="title, in the request's language")
    body = serializers.SerializerMethodField(help_text="text, in the request's language")
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "link", "params", "created_at", "read_at",
                  "is_read", "email_state"]
        read_only_fields = fields

    def get_subject(self, obj: Notification) -> str:
        return render(obj.kind, obj.params).subject

    def get_body(self, obj: Notification) -> str:
        return render(obj.kind, obj.params).body


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("unread", OpenApiTypes.BOOL, description="only the unread ones")]))
class NotificationViewSet(viewsets.ReadOnlyModelViewSet[Notification]):
    """The caller's own notifications, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        qs = notifications_of(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true", "True"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        """Mark the notification read (again: no change)."""
        n = services.notification_mark_read(notification=self.get_object(), by=request.user)
        return Response(NotificationSerializer(n).data)

    @extend_schema(request=None, responses={200: inline_serializer(
        "NotificationsMarked", {"marked": serializers.IntegerField()})})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Mark all the caller's notifications read; answers how many were unread."""
        return Response({"marked": services.notifications_mark_all_read(by=request.user)})
