"""Page-side use of the one permission API (django-rules predicates in accounts/rules.py)."""

from typing import Any

from django.http import Http404
from rules.contrib.views import PermissionRequiredMixin as _RulesPermissionRequiredMixin

from ksbb.regions.rules import in_actors_region
from ksbb.regions.selectors import actor_region_keys


class PermissionRequiredMixin(_RulesPermissionRequiredMixin):
    """Anonymous visitors are sent to sign in; signed-in users without the right get 403.

    Object views check the permission against ``get_object()``, so an id typed into the
    address bar gets no further than the list would have let the user go. A government
    user asking for another region's record gets 404: it is invisible to them, as in the
    API (ksbb.regions).
    """

    _checked_object: Any = None

    def get_permission_object(self) -> Any:
        self._checked_object = super().get_permission_object()
        return self._checked_object

    def has_permission(self) -> bool:
        allowed = super().has_permission()
        user, obj = self.request.user, self._checked_object
        if (obj is not None and user.is_authenticated and actor_region_keys(user)
                and not in_actors_region(user, obj)):
            # Also for a superuser, whom ``has_perm`` lets through everything.
            raise Http404
        return bool(allowed)
