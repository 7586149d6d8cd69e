"""The public proofs (issue 17): keys, signed checkpoints, the audit log's entry digests,
consistency and inclusion proofs (RFC 9162), and a BAST's signature with its audit entry.

Read-only and anonymous; every answer is public by design (digests only, never an entry's
content, except the sealing entries of signed BASTs, which hold the public statement).
Anyone may fetch them from anywhere, hence ``Access-Control-Allow-Origin: *``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ksbb.proofs import selectors, tree
from ksbb.verify.merkle import ProofError

_MAX = 2**62


def _public(response: Any) -> Any:
    response["Access-Control-Allow-Origin"] = "*"
    return response


def keys_json(request: HttpRequest) -> JsonResponse:
    """``/.well-known/ksbb-keys.json``."""
    response = JsonResponse(selectors.keys_document(), json_dumps_params={"indent": 1})
    response["Cache-Control"] = "public, max-age=300"
    return _public(response)


def _int(request: Request, name: str, *, default: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        if default is not None:
            return default
        raise ApiValidationError({name: [_("this parameter is required")]})
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18 or int(raw) > _MAX:
        raise ApiValidationError({name: [_("enter a whole number, zero or more")]})
    return int(raw)


def _size_at_most_log(name: str, value: int, size: int) -> None:
    if value > size:
        raise ApiValidationError({name: [
            _("the log has only %(size)s entries") % {"size": size}]})


class KeySerializer(serializers.Serializer[Any]):
    key_id = serializers.CharField()
    algorithm = serializers.CharField()
    public_key = serializers.CharField(help_text="raw 32-byte Ed25519 public key, base64url")
    created = serializers.DateTimeField()
    retired = serializers.DateTimeField(allow_null=True)


class KeysSerializer(serializers.Serializer[Any]):
    origin = serializers.CharField()
    keys = KeySerializer(many=True)


class CheckpointSerializer(serializers.Serializer[Any]):
    size = serializers.IntegerField(help_text="entries in the log (leaves of the tree)")
    root = serializers.CharField(help_text="Merkle tree hash (RFC 9162), hex")
    time = serializers.DateTimeField()
    key_id = serializers.CharField()
    body = serializers.CharField(help_text="the signed text: canonical JSON")
    signature = serializers.CharField(help_text="Ed25519 signature of body, base64url")


class CheckpointPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    results = CheckpointSerializer(many=True)


class LeavesSerializer(serializers.Serializer[Any]):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    digests = serializers.ListField(
        child=serializers.CharField(),
        help_text="audit entry hashes (hex) of leaves start..end-1; leaf i is entry #i+1, "
                  "its leaf hash SHA-256(0x00 || digest)")


class ConsistencySerializer(serializers.Serializer[Any]):
    first = serializers.IntegerField()
    second = serializers.IntegerField()
    proof = serializers.ListField(child=serializers.CharField())


class InclusionSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField()
    size = serializers.IntegerField()
    digest = serializers.CharField(help_text="the leaf's audit entry hash (hex)")
    proof = serializers.ListField(child=serializers.CharField())


class SuccessorSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    code = serializers.CharField()


class HandoverProofSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    number = serializers.CharField()
    statement = serializers.CharField(help_text="the signed statement (canonical JSON)")
    signature = serializers.CharField()
    key_id = serializers.CharField()
    fingerprint = serializers.CharField()
    content = serializers.DictField(help_text="the BAST's frozen content")
    superseded_by = SuccessorSerializer(allow_null=True)
    entry = serializers.DictField(allow_null=True,
                                  help_text="the audit entry that recorded the signature, "
                                            "every field its hash covers")


class _PublicView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        return _public(super().finalize_response(request, response, *args, **kwargs))


class KeysView(_PublicView):
    @extend_schema(summary="Public signing keys (also at /.well-known/ksbb-keys.json)",
                   responses=KeysSerializer, tags=["proofs"])
    def get(self, request: Request) -> Response:
        return Response(selectors.keys_document())


class CheckpointsView(_PublicView):
    @extend_schema(
        summary="Signed checkpoints, newest first",
        parameters=[OpenApiParameter("limit", OpenApiTypes.INT, description="at most 1000"),
                    OpenApiParameter("offset", OpenApiTypes.INT)],
        responses=CheckpointPageSerializer, tags=["proofs"])
    def get(self, request: Request) -> Response:
        limit = min(_int(request, "limit", default=100), 1000)
        offset = _int(request, "offset", default=0)
        qs = selectors.checkpoints()
        page = qs[offset:offset + limit] if limit else []
        return Response({"count": qs.count(),
                         "results": [selectors.checkpoint_as_dict(c) for c in page]})


class LatestCheckpointView(_PublicView):
    @extend_schema(summary="The latest signed checkpoint", responses=CheckpointSerializer,
                   tags=["proofs"])
    def get(self, request: Request) -> Response:
        latest = selectors.checkpoint_latest()
        if latest is None:
            raise NotFound(_("no checkpoint has been made yet"))
        return Response(selectors.checkpoint_as_dict(latest))


class LeavesView(_PublicView):
    @extend_schema(
        summary="Audit entry digests (the tree's leaves), in order",
        parameters=[OpenApiParameter("start", OpenApiTypes.INT, required=True,
                                     description="first leaf (0 is entry #1)"),
                    OpenApiParameter("end", OpenApiTypes.INT, required=True,
                                     description="after the last leaf; at most start + 5000")],
        responses=LeavesSerializer, tags=["proofs"])
    def get(self, request: Request) -> Response:
        start, end = _int(request, "start"), _int(request, "end")
        if end < start:
            raise ApiValidationError({"end": [_("the end is before the start")]})
        if end - start > selectors.MAX_LEAVES:
            raise ApiValidationError({"end": [
                _("at most %(n)s leaves per request") % {"n": selectors.MAX_LEAVES}]})
        _size_at_most_log("end", end, tree.log_size())
        try:
            digests = selectors.leaves(start, end)
        except ProofError as exc:
            raise ApiValidationError({"start": [str(exc)]}) from exc
        return Response({"start": start, "end": end, "digests": digests})


class ConsistencyView(_PublicView):
    @extend_schema(
        summary="Consistency proof between two tree sizes (RFC 9162 2.1.4)",
        parameters=[OpenApiParameter("first", OpenApiTypes.INT, required=True),
                    OpenApiParameter("second", OpenApiTypes.INT, required=True)],
        responses=ConsistencySerializer, tags=["proofs"])
    def get(self, request: Request) -> Response:
        first, second = _int(request, "first"), _int(request, "second")
        if first > second:
            raise ApiValidationError({"first": [_("the first size exceeds the second")]})
        _size_at_most_log("second", second, tree.log_size())
        try:
            proof = selectors.consistency(first, second)
        except ProofError as exc:
            raise ApiValidationError({"second": [str(exc)]}) from exc
        return Response({"first": first, "second": second, "proof": proof})


class InclusionView(_PublicView):
    @extend_schema(
        summary="Inclusion proof of one leaf in a tree size (RFC 9162 2.1.3)",
        parameters=[OpenApiParameter("index", OpenApiTypes.INT, required=True,
                                     description="leaf index (entry #index+1)"),
                    OpenApiParameter("size", OpenApiTypes.INT, required=True)],
        responses=InclusionSerializer, tags=["proofs"])
    def get(self, request: Request) -> Response:
        index, size = _int(request, "index"), _int(request, "size")
        if index >= size:
            raise ApiValidationError({"index": [_("the index must be below the size")]})
        _size_at_most_log("size", size, tree.log_size())
        try:
            proof = selectors.inclusion(index, size)
            digest = selectors.leaves(index, index + 1)[0]
        except ProofError as exc:
            raise ApiValidationError({"index": [str(exc)]}) from exc
        return Response({"index": index, "size": size, "digest": digest, "proof": proof})


class HandoverProofView(_PublicView):
    @extend_schema(summary="A signed BAST's signature and the audit entry that recorded it",
                   responses=HandoverProofSerializer, tags=["proofs"])
    def get(self, request: Request, code: str) -> Response:
        found = selectors.handover_proof(code)
        if found is None:
            raise NotFound(_("no signed handover report with this code"))
        return Response(found)
