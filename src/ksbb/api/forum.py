"""The ideas forum (JDCN Forum). Reading is public; any signed-in account may propose and
support ideas (one vote per account); officers answer. Writes go through forum.services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ksbb.api.errors import require_perm
from ksbb.api.fields import NO_PROGRAM, CodeRelatedField
from ksbb.core.privacy import public_name
from ksbb.donations.models import Program
from ksbb.forum import services
from ksbb.forum.models import Idea
from ksbb.forum.selectors import ideas_list


class IdeaSerializer(serializers.ModelSerializer[Idea]):
    author_name = serializers.SerializerMethodField(
        help_text="the author's chosen user name, or first name and initial; never an "
                  "e-mail address or phone number")
    program_code = serializers.CharField(source="program.code", read_only=True,
                                         allow_null=True, default=None)
    support_count = serializers.IntegerField(read_only=True)
    supported = serializers.BooleanField(read_only=True,
                                         help_text="whether the caller supports it")

    class Meta:
        model = Idea
        fields = ["id", "title", "body", "author_name", "program", "program_code", "status",
                  "answer", "answered_at", "created_at", "support_count", "supported"]
        read_only_fields = fields

    def get_author_name(self, obj: Idea) -> str:
        return public_name(obj.author)


class IdeaCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=services.TITLE_MAX)
    body = serializers.CharField(max_length=services.BODY_MAX)
    program = CodeRelatedField(unknown=NO_PROGRAM, queryset=Program.objects.all(),
                               required=False, allow_null=True,
                               help_text="programme code, optional")


class IdeaAnswerSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Idea.Status.choices)
    answer = serializers.CharField(max_length=services.BODY_MAX, allow_blank=True,
                                   required=False, default="")


class ReadOrSignedIn(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in SAFE_METHODS or IsAuthenticated().has_permission(request,
                                                                                  view)


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("sort", OpenApiTypes.STR, enum=["support", "date"],
                     description="most supported first (default) or newest first"),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Idea.Status.values)]))
class IdeaViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Idea]):
    """Ideas for collaboration programmes, with their support and the government's answer.
    Public to read."""

    permission_classes = [ReadOrSignedIn]
    serializer_class = IdeaSerializer

    def get_queryset(self) -> QuerySet[Idea]:
        status_ = self.request.query_params.get("status")
        return ideas_list(sort=self.request.query_params.get("sort", "support"),
                          status=status_ if status_ in Idea.Status.values else None,
                          user=self.request.user)

    def _fresh(self, idea: Idea) -> dict[str, Any]:
        return IdeaSerializer(ideas_list(user=self.request.user).get(pk=idea.pk)).data

    @extend_schema(request=IdeaCreateSerializer, responses={201: IdeaSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Propose an idea (any signed-in account)."""
        ser = IdeaCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        idea = services.idea_post(by=request.user, **ser.validated_data)
        return Response(self._fresh(idea), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: IdeaSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def support(self, request: Request, pk: str | None = None) -> Response:
        """Support the idea; one vote per account (supporting again changes nothing)."""
        idea = services.idea_support(idea=self.get_object(), by=request.user)
        return Response(self._fresh(idea))

    @extend_schema(request=None, responses={200: IdeaSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def unsupport(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw the caller's support."""
        idea = services.idea_unsupport(idea=self.get_object(), by=request.user)
        return Response(self._fresh(idea))

    @extend_schema(request=IdeaAnswerSerializer, responses={200: IdeaSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """Officers (assessor, platform administrator) set the status and answer."""
        idea = self.get_object()
        require_perm(request.user, "forum.answer_idea", idea)
        ser = IdeaAnswerSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        idea = services.idea_answer(idea=idea, by=request.user,
                                    **ser.validated_data)
        return Response(self._fresh(idea))


