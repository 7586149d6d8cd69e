"""Household lists on a phone: the ketua RW's list (add, correct, moved/deceased), the
handout checklist of a signed BAST (one tap, one small htmx POST per household), and
printable household cards whose QR code opens the household's row.

Permissions use ``may`` (ksbb.core.domain; the rules are in ksbb.households.rules): names
are for the ketua RW, the kelurahan officer of the village and the assessor only, not for a
platform administrator.
"""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from ksbb.areas.models import Area
from ksbb.core.domain import may
from ksbb.distribution.models import Handover
from ksbb.donations.models import Item
from ksbb.households.models import Handout, Household
from ksbb.households.rules import _represented_rw_codes
from ksbb.households.selectors import rws_visible_to, signed_basts_for_rw
from ksbb.households.services import (
    bast_given,
    bast_items,
    handout_photo_set,
    handout_record,
    handout_undo,
    household_add,
    household_correct,
    household_set_status,
)
from ksbb.web.errors import add_error_messages, add_form_errors
from ksbb.web.files import file_response
from ksbb.web.redirects import redirect_next

PAGE = 100


class StrictPermissionView(View):
    """Checks ``permission`` with ``may`` (no superuser shortcut) against
    ``get_permission_object()``: anonymous visitors go to sign in, others without the right
    get 403."""

    permission = ""

    def get_permission_object(self) -> Any:
        return None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        self.kwargs = kwargs
        self.obj = self.get_permission_object()
        if not may(request.user, self.permission, self.obj):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class HouseholdForm(forms.Form):
    rt = forms.IntegerField(label=gettext_lazy("RT"), min_value=1, max_value=999)
    name = forms.CharField(label=gettext_lazy("Head of household"), max_length=200)
    members = forms.IntegerField(label=gettext_lazy("Members"), min_value=1, max_value=99)
    decile = forms.IntegerField(label=gettext_lazy("Welfare decile (if known)"), min_value=1,
                                max_value=10, required=False)
    kk = forms.CharField(label=gettext_lazy("Family card number (KK)"), max_length=24,
                         widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                       "autocomplete": "off"}))
    nik = forms.CharField(label=gettext_lazy("NIK of the head of household"), max_length=24,
                          widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                        "autocomplete": "off"}))


class CorrectForm(HouseholdForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Not stored in clear, so never shown: typed again only to change them.
        for name in ("kk", "nik"):
            self.fields[name].required = False
            self.fields[name].help_text = _("leave empty to keep the current number")


# The RW lists ----------------------------------------------------------------------------

class RwListView(StrictPermissionView):
    permission = "households.access_lists"

    def get(self, request: HttpRequest) -> HttpResponse:
        listed = list(rws_visible_to(request.user)[:500])
        mine = _represented_rw_codes(request.user)
        extra = Area.objects.filter(code__in=mine - {a.code for a in listed})
        return render(request, "field/household_rws.html", {"rws": [*extra, *listed]})


class RwView(StrictPermissionView):
    permission = "households.view_household"

    def get_permission_object(self) -> Area:
        return get_object_or_404(Area.objects.select_related("parent"), code=self.kwargs["code"],
                                 level=Area.Level.RW)

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        rw: Area = self.obj
        qs = Household.objects.filter(rw=rw).order_by("rt", "head_name", "pk")
        rt, q = request.GET.get("rt", "").strip(), request.GET.get("q", "").strip()
        if rt.isdigit():
            qs = qs.filter(rt=int(rt))
        if q:
            qs = qs.filter(head_name__icontains=q)
        page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
        return render(request, "field/household_rw.html", {
            "rw": rw, "page": page, "rt": rt, "q": q,
            "rts": Household.objects.filter(rw=rw).values_list("rt", flat=True).distinct()
            .order_by("rt"),
            "basts": signed_basts_for_rw(rw.code)[:10],
            "may_edit": may(request.user, "households.edit_household", rw),
            "may_record": may(request.user, "households.record_handout", rw),
        })


class AddView(StrictPermissionView):
    permission = "households.edit_household"

    def get_permission_object(self) -> Area:
        return get_object_or_404(Area, code=self.kwargs["code"], level=Area.Level.RW)

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        return render(request, "field/household_form.html", {"rw": self.obj,
                                                             "form": HouseholdForm()})

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        form = HouseholdForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                household = household_add(rw=self.obj, by=request.user, rt=data["rt"],
                                          kk=data["kk"], nik=data["nik"], name=data["name"],
                                          members=data["members"], decile=data["decile"])
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("The household is added to the list."))
                return HttpResponseRedirect(reverse("field:household", args=[household.pk]))
        return render(request, "field/household_form.html", {"rw": self.obj, "form": form},
                      status=400)


class CardsView(RwView):
    """Printable cards, eight to an A4 page; the QR code opens the household's row."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        rw: Area = self.obj
        households = Household.objects.filter(rw=rw, status=Household.Status.ACTIVE).order_by(
            "rt", "head_name", "pk")
        rt = request.GET.get("rt", "").strip()
        if rt.isdigit():
            households = households.filter(rt=int(rt))
        cards = []
        for h in households[:1000]:
            url = request.build_absolute_uri(reverse("field:household", args=[h.pk]))
            cards.append((h, segno.make(url, error="m").svg_inline(scale=3)))
        return render(request, "field/household_cards.html", {"rw": rw, "cards": cards})


# One household ---------------------------------------------------------------------------

class HouseholdView(StrictPermissionView):
    """The row a household card's QR code opens: details, and for the ketua RW one button
    per signed BAST of the RW."""

    permission = "households.view_household"

    def get_permission_object(self) -> Household:
        return get_object_or_404(Household.objects.select_related("rw__parent"),
                                 pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: int, status: int = 200,
            form: forms.Form | None = None) -> HttpResponse:
        h: Household = self.obj
        may_edit = may(request.user, "households.edit_household", h)
        basts = []
        if may(request.user, "households.record_handout", h):
            for bast in signed_basts_for_rw(h.rw_id)[:5]:
                items, rows = _bast_state(bast, [h])
                basts.append({"bast": bast, "items": items, "row": rows[0]})
        return render(request, "field/household.html", {
            "h": h, "may_edit": may_edit, "basts": basts,
            "handouts": h.handouts.select_related("item", "handover").order_by("-given_on"),
            "form": form or (CorrectForm(initial={
                "rt": h.rt, "name": h.head_name, "members": h.members, "decile": h.decile})
                if may_edit else None),
            "statuses": Household.Status.choices,
        }, status=status)


class EditView(HouseholdView):
    permission = "households.edit_household"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = CorrectForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                household_correct(household=self.obj, by=request.user, rt=data["rt"],
                                  name=data["name"], members=data["members"],
                                  decile=data["decile"], kk=data["kk"], nik=data["nik"])
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("The household is corrected."))
                return HttpResponseRedirect(reverse("field:household", args=[pk]))
        return self.get(request, pk, status=400, form=form)


class StatusView(HouseholdView):
    permission = "households.edit_household"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            household_set_status(household=self.obj, status=request.POST.get("status", ""),
                                 reason=request.POST.get("reason", ""), by=request.user)
        except ValidationError as exc:
            add_error_messages(request, exc)
            return self.get(request, pk, status=400)
        messages.success(request, _("The household's status is changed."))
        return HttpResponseRedirect(reverse("field:household", args=[pk]))


# Handing out -----------------------------------------------------------------------------

def _bast_state(bast: Handover, households: list[Household]
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What is left per item, and per household what it got from this BAST."""
    delivered, given = bast_items(bast), bast_given(bast)

    names = {i.pk: i for i in Item.objects.filter(pk__in=delivered)}
    items = [{"item": names[i], "delivered": q, "given": given.get(i, 0),
              "left": q - given.get(i, 0)} for i, q in sorted(delivered.items())]
    got: dict[int, Handout] = {h.household_id: h for h in Handout.objects.filter(
        handover=bast, household__in=households).select_related("item")}
    single = items[0] if len(items) == 1 else None
    rows = [{"h": h, "handout": got.get(h.pk), "left": single["left"] if single else None}
            for h in households]
    return items, rows


class ChecklistView(StrictPermissionView):
    """The RW's households for one signed BAST, filtered by RT and search; a tap records."""

    permission = "households.record_handout"

    def get_permission_object(self) -> Handover:
        return get_object_or_404(Handover.objects.select_related(
            "delivery__recipient__area", "program"), pk=self.kwargs["pk"])

    def households(self) -> QuerySet[Household]:
        bast: Handover = self.obj
        qs = Household.objects.filter(rw_id=bast.delivery.recipient.area_id,
                                      status=Household.Status.ACTIVE)
        rt = self.request.GET.get("rt", "").strip()
        q = self.request.GET.get("q", "").strip()
        if rt.isdigit():
            qs = qs.filter(rt=int(rt))
        if q:
            # A number is a household's card number (its id), as printed under the QR code.
            qs = qs.filter(Q(pk=int(q)) if q.isdigit() else Q(head_name__icontains=q))
        if self.request.GET.get("open") == "1":
            qs = qs.exclude(handouts__handover=bast)
        return qs.order_by("rt", "head_name", "pk")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        bast: Handover = self.obj
        page = Paginator(self.households(), PAGE).get_page(request.GET.get("page"))
        items, rows = _bast_state(bast, list(page.object_list))
        return render(request, "field/handout_checklist.html", {
            "bast": bast, "items": items, "rows": rows, "page": page,
            "rt": request.GET.get("rt", ""), "q": request.GET.get("q", ""),
            "open": request.GET.get("open") == "1",
            "signed": bast.is_signed and not bast.is_superseded,
            "rts": Household.objects.filter(rw_id=bast.delivery.recipient.area_id)
            .values_list("rt", flat=True).distinct().order_by("rt"),
        })


class TapView(ChecklistView):
    """One tap: a small POST; htmx swaps the household's row and the 'left' counter."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, household: int) -> HttpResponse:
        bast: Handover = self.obj
        h = get_object_or_404(Household, pk=household)
        text = request.POST.get("quantity", "1").strip() or "1"
        error = ""
        try:
            if request.POST.get("undo"):
                handout = Handout.objects.filter(handover=bast, household=h).first()
                if handout:
                    handout_undo(handout=handout, by=request.user)
            else:
                if not text.isdigit():
                    raise ValidationError({"quantity": _(
                        "the quantity must be a whole number above 0")})
                item_id = request.POST.get("item", "")
                item = None
                if item_id.isdigit():
                    item = Item.objects.filter(pk=int(item_id)).first()
                handout_record(handover=bast, household=h, quantity=int(text), item=item,
                               by=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        if not request.headers.get("HX-Request"):
            if error:
                messages.error(request, error)
            return redirect_next(request, "field:handout_checklist", pk=bast.pk)
        items, rows = _bast_state(bast, [h])
        return render(request, "field/_handout_row.html", {
            "bast": bast, "row": rows[0], "items": items, "error": error, "oob": True,
            "signed": True}, status=400 if error else 200)


# Evidence of a handout: a photo of the receipt or of the household's signature -----------

class HandoutPhotoForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("The photo shows"),
                             choices=Handout.PhotoKind.choices, widget=forms.RadioSelect,
                             initial=Handout.PhotoKind.RECEIPT)
    # accept + capture: a phone opens its camera; the server checks the content anyway.
    photo = forms.FileField(label=gettext_lazy("Photo"), widget=forms.ClearableFileInput(
        attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}))


class HandoutPhotoView(StrictPermissionView):
    """One small page and one request: the ketua RW photographs the receipt or the
    household's signature for a recorded handout (the photo is shrunk on the phone by
    site.js when it can be, and checked and stripped of EXIF on the server)."""

    permission = "households.record_handout"

    def get_permission_object(self) -> Handover:
        self.handout = get_object_or_404(
            Handout.objects.select_related("household", "item", "handover"),
            pk=self.kwargs["pk"])
        return self.handout.handover

    def get(self, request: HttpRequest, pk: int, form: HandoutPhotoForm | None = None,
            status: int = 200) -> HttpResponse:
        return render(request, "field/handout_photo.html", {
            "handout": self.handout, "form": form or HandoutPhotoForm()}, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = HandoutPhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                handout_photo_set(handout=self.handout, upload=form.cleaned_data["photo"],
                                  kind=form.cleaned_data["kind"], by=request.user)
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("The photo was saved."))
                return HttpResponseRedirect(reverse("field:handout_photo", args=[pk]))
        return self.get(request, pk, form=form, status=400)


_PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


class HandoutPhotoFileView(StrictPermissionView):
    """The photo itself, to whoever may see the household (not under MEDIA_URL), never
    cached."""

    permission = "households.view_household"

    def get_permission_object(self) -> Household:
        self.handout = get_object_or_404(Handout.objects.select_related("household"),
                                         pk=self.kwargs["pk"])
        return self.handout.household

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        if not self.handout.photo:
            raise Http404
        name = self.handout.photo.name or ""
        return file_response(self.handout.photo.open("rb"), attachment=False,
                             content_type=_PHOTO_TYPES.get(name.rsplit(".", 1)[-1].lower(),
                                                           "application/octet-stream"),
                             cache_control="private, no-store")
