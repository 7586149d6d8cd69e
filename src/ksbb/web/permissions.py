"""Page-side use of the one permission API (django-rules predicates in accounts/rules.py)."""

from rules.contrib.views import PermissionRequiredMixin as _RulesPermissionRequiredMixin


class PermissionRequiredMixin(_RulesPermissionRequiredMixin):
    """Anonymous visitors are sent to sign in; signed-in users without the right get 403.

    Object views check the permission against ``get_object()``, so an id typed into the
    address bar gets no further than the list would have let the user go.
    """
