"""Who may see and change household lists (django-rules).

Names, RTs and masked numbers are shown only to the ketua RW of the household's RW, the
kelurahan officer of its village and the assessor (issue 16; docs/privacy.md). The platform
administrator is deliberately not among them: services and pages check these with
``rules.has_perm``, which a superuser does not pass by default.

Object-level rules take a Household, an RW (areas.Area), or a BAST (distribution.Handover)
for recording handouts.
"""

from __future__ import annotations

from typing import Any

import rules

from ksbb.accounts.rules import is_assessor, is_kelurahan_officer, is_recipient_representative
from ksbb.accounts.selectors import area_in_officer_scope, scope_of
from ksbb.needs.models import Recipient


def _rw_code(obj: Any) -> str | None:
    """The RW code of a household, an RW area or a BAST (its delivery's recipient)."""
    if obj is None:
        return None
    if hasattr(obj, "rw_id"):
        return str(obj.rw_id)
    if hasattr(obj, "delivery"):
        return str(obj.delivery.recipient.area_id)
    code = getattr(obj, "code", None)
    return str(code) if code else None


def _represented_rw_codes(user: Any) -> set[str]:
    cached = getattr(user, "_ksbb_household_rws", None)
    if cached is None:
        ids = scope_of(user).recipient_ids
        cached = set(Recipient.objects.filter(pk__in=ids, kind=Recipient.Kind.RW)
                     .values_list("area_id", flat=True)) if ids else set()
        if getattr(user, "is_authenticated", False):
            user._ksbb_household_rws = cached
    return cached


@rules.predicate
def is_ketua_of_rw(user: Any, obj: Any) -> bool:
    code = _rw_code(obj)
    return code is not None and code in _represented_rw_codes(user)


@rules.predicate
def is_officer_of_rw_village(user: Any, obj: Any) -> bool:
    code = _rw_code(obj)
    return code is not None and is_kelurahan_officer(user) and area_in_officer_scope(user, code)


@rules.predicate
def represents_an_rw(user: Any) -> bool:
    return bool(_represented_rw_codes(user))


# Pages (no object): the household workspace and the reports.
rules.add_perm("households.access_lists",
               is_assessor | is_kelurahan_officer | (is_recipient_representative
                                                     & represents_an_rw))
rules.add_perm("households.view_reports", is_assessor | is_kelurahan_officer)
rules.add_perm("households.import_list", is_assessor)
rules.add_perm("households.resolve_flags", is_assessor)

# Records.
rules.add_perm("households.view_household",
               is_assessor | is_officer_of_rw_village | is_ketua_of_rw)
rules.add_perm("households.edit_household", is_ketua_of_rw)
rules.add_perm("households.record_handout", is_ketua_of_rw)
