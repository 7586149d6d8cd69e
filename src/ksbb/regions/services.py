"""Writes about regions: adding one (its areas, its government organisation, its first
administrator) and linking organisations to the regions they work in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ksbb.accounts.models import Membership, Organization, Role, User
from ksbb.accounts.services import membership_grant, organization_create, public_url, user_create
from ksbb.areas.models import Area
from ksbb.areas.services import areas_load_reference, reference_rows
from ksbb.core import areacodes
from ksbb.core.audit import audit_log
from ksbb.core.domain import Actor, Invalid, NotAllowed, is_user, require
from ksbb.regions.models import Region
from ksbb.regions.selectors import actor_region_keys


def _check_code(code: str) -> tuple[str, str]:
    """The code, stripped, and the name of its area in the shipped data."""
    code = (code or "").strip()
    if not areacodes.is_valid(code) or areacodes.level_of(code) > areacodes.Level.REGENCY:
        raise Invalid(_("%(code)s is not the code of a province (32) or a regency/city "
                        "(32.73)") % {"code": code}, field="code")
    place = next((r.name for r in reference_rows([areacodes.province_of(code)])
                  if r.code == code), None)
    if place is None:
        raise Invalid(_("there is no area with the code %(code)s") % {"code": code},
                      field="code")
    if Region.objects.filter(code=code).exists():
        raise Invalid(_("the region %(code)s exists already") % {"code": code}, field="code")
    return code, place


def region_add(*, code: str, by: Actor, name: str = "", admin_email: str = "", slug: str = "",
               is_default: bool = False) -> Region:
    """A new region for area ``code``: loads its areas when they are missing, creates its
    government organisation and, given ``admin_email``, invites its first administrator.
    The name defaults to "KSBB <area>", the short name (``slug``) to the area's name."""
    require(by, "regions.add_region", system=True,
            message=_("only the installation's administrator can add regions"))
    code, place = _check_code(code)
    name = (name or "").strip() or f"KSBB {place}"
    slug = slugify(slug or place)[:60]
    if not slug:
        raise Invalid(_("the short name must hold letters or digits"), field="slug")
    if Region.objects.filter(slug=slug).exists():
        raise Invalid(_("another region has the short name %(slug)s") % {"slug": slug},
                      field="slug")
    if not Area.objects.filter(code=code).exists():
        # The whole province: a regency's areas hang under its province's row.
        areas_load_reference(by=by, provinces=[areacodes.province_of(code)])
    with transaction.atomic():
        if is_default:
            for old in Region.objects.select_for_update().filter(is_default=True):
                old.is_default = False
                old.save(update_fields=["is_default"])
                audit_log(actor=by, action="region.default_changed", obj=old,
                          before={"default": True}, after={"default": False})
        region = Region.objects.create(code=code, name=name, slug=slug, is_default=is_default)
        government = organization_create(kind=Organization.Kind.GOVERNMENT, name=name,
                                         area=Area.objects.get(code=code), by=by)
        region.organizations.add(government)
        audit_log(actor=by, action="region.added", obj=region,
                  after={"code": code, "name": name, "slug": slug, "default": is_default,
                         "government": government.pk})
        if admin_email:
            region_admin_invite(region=region, email=admin_email, by=by)
    return region


def region_to_act_in(*, by: Actor, region: Region | None = None) -> Region | None:
    """The region a record that ``by`` creates (a round) belongs to: ``region`` when given
    (one of theirs), else their one region. None: the default region, not stored yet."""
    keys = actor_region_keys(by) if is_user(by) else frozenset()
    if region is not None:
        if is_user(by) and region.pk not in keys:
            raise NotAllowed(_("you do not work in the region %(region)s")
                             % {"region": region.name}, field="region")
        return region
    if len(keys) > 1:
        raise Invalid(_("choose the region"), field="region")
    key = next(iter(keys)) if keys else None
    if key is not None:
        return Region.objects.get(pk=key)
    return Region.objects.filter(is_default=True).first()


def region_government(region: Region) -> Organization | None:
    return region.organizations.filter(kind=Organization.Kind.GOVERNMENT).order_by("pk").first()


def region_admin_invite(*, region: Region, email: str, by: Actor) -> Membership:
    """Make the person with ``email`` (a new account when there is none) an administrator
    of ``region`` (platform administrator of its government organisation) and mail them a
    link to set their password."""
    require(by, "regions.add_region", system=True,
            message=_("only the installation's administrator can invite a region's "
                      "administrator"))
    email = (email or "").strip().lower()
    if "@" not in email:
        raise Invalid(_("enter a valid e-mail address"), field="admin_email")
    government = region_government(region)
    if government is None:
        raise Invalid(_("the region has no government organisation"), field="region")
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        if user is None:
            user = user_create(username=email, password=None, email=email, by=by)
        membership = Membership.objects.filter(user=user, role=Role.PLATFORM_ADMIN,
                                               organization=government).first()
        if membership is None:
            membership = membership_grant(user=user, role=Role.PLATFORM_ADMIN,
                                          organization=government, by=by)
        audit_log(actor=by, action="region.admin_invited", obj=region,
                  after={"user": user.pk, "organization": government.pk})
        transaction.on_commit(lambda: _send_admin_invitation(user, region))
    return membership


def _send_admin_invitation(user: User, region: Region) -> None:
    from django.urls import reverse

    link = public_url(reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user)}))
    send_mail(
        subject=_("KSBB: you administer %(region)s") % {"region": region.name},
        message=_("You were made an administrator of %(region)s on KSBB. Set your password "
                  "at %(link)s, then sign in with the username %(username)s.")
        % {"region": region.name, "link": link, "username": user.username},
        from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[user.email])


def region_link_organization(*, region: Region, organization: Organization,
                             by: Actor) -> Region:
    """``organization`` works in ``region``: a government organisation belongs to it (and
    to no other region), an aggregator serves it (besides any others)."""
    require(by, "regions.add_region", system=True,
            message=_("only the installation's administrator can link organisations to "
                      "regions"))
    if organization.kind not in (Organization.Kind.GOVERNMENT, Organization.Kind.AGGREGATOR):
        raise Invalid(_("only government organisations and aggregators work in regions"),
                      field="organization")
    with transaction.atomic():
        if organization.kind == Organization.Kind.GOVERNMENT:
            others = list(organization.regions.exclude(pk=region.pk))
            if others:
                raise Invalid(_("%(org)s belongs to the region %(region)s already")
                              % {"org": organization.name, "region": others[0].name},
                              field="organization")
        elif not organization.regions.exists():
            # An aggregator linked to no region serves the default one: it keeps serving
            # it when it declares another.
            default = Region.objects.filter(is_default=True).first()
            if default is not None and default != region:
                default.organizations.add(organization)
        if not region.organizations.filter(pk=organization.pk).exists():
            region.organizations.add(organization)
            audit_log(actor=by, action="region.organization_linked", obj=region,
                      after={"organization": organization.pk, "kind": organization.kind})
    return region


def region_unlink_organization(*, region: Region, organization: Organization,
                               by: Actor) -> Region:
    require(by, "regions.add_region", system=True,
            message=_("only the installation's administrator can link organisations to "
                      "regions"))
    with transaction.atomic():
        if region.organizations.filter(pk=organization.pk).exists():
            region.organizations.remove(organization)
            audit_log(actor=by, action="region.organization_unlinked", obj=region,
                      before={"organization": organization.pk})
    return region


__all__ = ["region_add", "region_admin_invite", "region_government",
           "region_link_organization", "region_to_act_in", "region_unlink_organization"]
