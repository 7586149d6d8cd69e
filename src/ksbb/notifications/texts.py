"""The words of each kind of notification: a title and a sentence, filled with the values
the notification stored. Rendered when read (inbox: the reader's language; e-mail: the
recipient's chosen one), so one row reads right in Indonesian and in English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ksbb.notifications.models import Kind

TEXTS: dict[str, tuple[Promise, Promise]] = {
    Kind.PLEDGE_NEW: (
        _("New pledge from %(collaborator)s"),
        _("%(collaborator)s pledged %(what)s through %(aggregator)s. Confirm what arrives, "
          "or reject it with a reason.")),
    Kind.PLEDGE_RECEIVED: (
        _("Your pledge was received by %(aggregator)s"),
        _("%(aggregator)s confirmed that %(what)s of your pledge arrived. It will be "
          "allocated to the recipients who need it.")),
    Kind.PLEDGE_ALLOCATED: (
        _("Your donation was allocated"),
        _("Your pledge of %(what)s through %(aggregator)s was allocated to recipients; "
          "deliveries follow.")),
    Kind.PLEDGE_DELIVERED: (
        _("Your donation reached %(recipient)s"),
        _("Delivery #%(delivery)s carrying your donation arrived at %(recipient)s. The "
          "handover report (BAST) will be signed there.")),
    Kind.PLEDGE_SIGNED: (
        _("BAST %(number)s signed for your donation"),
        _("The handover of your donation to %(recipient)s was signed (BAST %(number)s). "
          "Anyone can check it with the verification link.")),
    Kind.DELIVERY_ASSIGNED: (
        _("New delivery to %(recipient)s"),
        _("Delivery #%(delivery)s of %(program)s to %(recipient)s is assigned to "
          "%(executor)s, planned for %(date)s.")),
    Kind.DELIVERY_DISPATCHED: (
        _("Aid on its way to %(recipient)s"),
        _("%(executor)s has dispatched delivery #%(delivery)s of %(program)s to "
          "%(recipient)s.")),
    Kind.HANDOVER_WAITING: (
        _("BAST %(number)s waits for your confirmation"),
        _("The handover report (BAST) %(number)s for %(recipient)s is waiting for the "
          "receiver's and the witness's confirmation.")),
    Kind.REPORT_ASSIGNED: (
        _("Misuse report %(code)s assigned to you"),
        _("Misuse report %(code)s was assigned to you; it is due on %(due)s.")),
    Kind.REPORT_DUE: (
        _("Misuse report %(code)s is due on %(due)s"),
        _("Misuse report %(code)s assigned to you is due on %(due)s and is not resolved "
          "yet.")),
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


class _Params(dict[str, Any]):
    """A value the text names but the row lacks (an older row) reads as empty, not as an
    error in someone's inbox."""

    def __missing__(self, key: str) -> str:
        return ""


def render(kind: str, params: dict[str, Any], language: str | None = None) -> Rendered:
    subject, body = TEXTS[kind]
    values = _Params(params or {})
    if language is None:
        return Rendered(str(subject) % values, str(body) % values)
    with translation.override(language):
        return Rendered(str(subject) % values, str(body) % values)
