"""API-side use of the one permission API (django-rules, see accounts/rules.py)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


class RulePermission(BasePermission):
    """Checks ``view.object_permission`` (e.g. "accounts.view_organization") on each object.

    Lists are narrowed by the view's selector, so this guards retrieval by id.
    """

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        perm = getattr(view, "object_permission", None)
        return perm is None or request.user.has_perm(perm, obj)


class HasPerm(BasePermission):
    """The view-level rule in ``view.perms``: by action name, else ``read`` or ``write``."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        perms = getattr(view, "perms", {})
        kind = "read" if request.method in SAFE_METHODS else "write"
        perm = perms.get(getattr(view, "action", None) or "", perms.get(kind))
        return perm is None or request.user.has_perm(perm)
