"""Personal data (Law 27/2022, UU PDP): masking for display, redaction for logs, and an
audit entry whenever someone is shown a person's contact in full.

Imported by settings.LOGGING before the apps are ready: nothing here may import models at
module level. See docs/privacy.md for what is stored where and who sees it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# Masking for display -----------------------------------------------------------------------


def mask_name(name: str) -> str:
    """``Siti Rahayu`` -> ``S*** R***``."""
    return " ".join(part[0] + "***" for part in (name or "").split() if part)


def mask_email(email: str) -> str:
    """``siti.rahayu@example.com`` -> ``s***@e***.com``."""
    if "@" not in (email or ""):
        return ""
    local, domain = email.rsplit("@", 1)
    tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
    return f"{local[:1]}***@{domain[:1]}***" + (f".{tld}" if tld else "")


def mask_phone(phone: str) -> str:
    """Keep the last three digits, enough for a person to recognise their own number."""
    digits = "".join(c for c in (phone or "") if c.isdigit())
    if not digits:
        return ""
    return "*" * max(len(digits) - 3, 3) + digits[-3:]


def mask_nik(nik: str) -> str:
    """Keep the regency code and the last two digits: ``3171**********23``."""
    if not nik:
        return ""
    return nik[:4] + "*" * (len(nik) - 6) + nik[-2:]


def public_name(user: Any) -> str:
    """How a person is named to the public (ideas forum): the user name they chose, unless
    it is an e-mail address or a phone number (donors sign in with their e-mail), else the
    first name and the initial of the last; a closed account is anonymous."""
    from django.utils.translation import gettext

    if user is None or not getattr(user, "is_active", True):
        return gettext("Anonymous")
    username = getattr(user, "username", "") or ""
    if username and redact(username) == username:
        return username
    parts = (getattr(user, "full_name", "") or "").split()
    if not parts:
        return gettext("Anonymous")
    return parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0]}."


# Redaction for logs ------------------------------------------------------------------------

# A NIK is 16 digits; other long digit runs (card, account numbers) are redacted too.
_NIK_RE = re.compile(r"(?<![\d])\d{16}(?![\d])")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Indonesian mobile and land lines (08.., +62.., 62..., 021-...) and any +country number,
# with spaces, dots or dashes between the digits.
_PHONE_RE = re.compile(
    r"(?<![\w+./-])(?:\+\d{1,3}[\s.-]?|\b62[\s.-]?|\b0)\d{1,4}(?:[\s.-]?\d{2,5}){1,4}(?![\w])")
_PHONE_MIN_DIGITS = 9

REDACTED_NIK = "[NIK]"
REDACTED_EMAIL = "[email]"
REDACTED_PHONE = "[phone]"


def _phone_or_keep(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    # Short numbers (quantities, years, ids) are not phone numbers.
    return REDACTED_PHONE if digits >= _PHONE_MIN_DIGITS else text


def redact(text: str) -> str:
    """``text`` without e-mail addresses, NIK-like 16-digit numbers and phone numbers."""
    if not text:
        return text
    text = _EMAIL_RE.sub(REDACTED_EMAIL, text)
    text = _NIK_RE.sub(REDACTED_NIK, text)
    return _PHONE_RE.sub(_phone_or_keep, text)


class RedactPersonalDataFilter(logging.Filter):
    """Installed on the log handlers (settings.LOGGING): rewrites each record's message and
    traceback so that no handler writes personal data, whoever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call must still be logged, as it was given
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# Auditing who saw what ---------------------------------------------------------------------

VIEW_ACTION = "privacy.personal_data_viewed"


def personal_data_viewed(*, by: Any, obj: Any, fields: list[str] | tuple[str, ...]) -> bool:
    """Write an audit entry that ``by`` was shown ``fields`` of ``obj`` in full, at most
    once per user, object and day (Asia/Jakarta) so that reloading a page does not flood
    the log. Returns True when an entry was written."""
    from django.utils import timezone

    # Django app loading: settings.LOGGING imports this module before models exist.
    from ksbb.core.audit import audit_log
    from ksbb.core.models import AuditEntry

    if not fields or not getattr(by, "is_authenticated", False):
        return False
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    object_type, object_id = obj._meta.label_lower, str(obj.pk)
    if AuditEntry.objects.filter(action=VIEW_ACTION, object_type=object_type,
                                 object_id=object_id, actor=by, at__gte=today).exists():
        return False
    # No object_repr: the log is immutable, and a person's name would outlive its erasure.
    audit_log(actor=by, action=VIEW_ACTION, object_type=object_type, object_id=object_id,
              after={"fields": sorted(fields)})
    return True
