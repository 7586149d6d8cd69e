"""Masking of personal data in templates: ``{{ profile.contact_phone|mask_phone }}``.
Pages show the full value only where a rule allows it (see docs/privacy.md)."""

from __future__ import annotations

from django import template

from ksbb.core import privacy

register = template.Library()

register.filter("mask_phone", privacy.mask_phone)
register.filter("mask_email", privacy.mask_email)
register.filter("mask_nik", privacy.mask_nik)
register.filter("mask_name", privacy.mask_name)
register.filter("public_name", privacy.public_name)
