"""Field pages for deliveries and handover reports (BAST), made for phones: one list, one
detail page with the buttons the signed-in person may press, plain POST forms.

Executors see their deliveries, kelurahan officers those to their villages, recipient
representatives those to their recipient (ksbb.distribution.selectors). Every write goes
through ksbb.distribution.services; a refusal comes back as a message on the same page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import rules
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView
from django_permissions_policy.decorators import permissions_policy_override

from ksbb.distribution import services
from ksbb.distribution.models import Delivery, Handover, HandoverPhoto
from ksbb.distribution.pdf import BastPdfRenderer, verify_url
from ksbb.distribution.selectors import (
    deliveries_visible_to,
    handover_parties,
    handover_successor,
)
from ksbb.web.errors import add_error_messages
from ksbb.web.files import file_response
from ksbb.web.permissions import PermissionRequiredMixin


def _can(user: Any, perm: str, obj: Any = None) -> bool:
    return bool(user.is_authenticated and rules.has_perm(perm, user, obj))


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


class DeliveryListView(PermissionRequiredMixin, ListView[Delivery]):
    permission_required = "distribution.access_deliveries"
    template_name = "field/deliveries.html"
    context_object_name = "deliveries"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Delivery]:
        qs = deliveries_visible_to(self.request.user)
        state = self.request.GET.get("state")
        if state in Delivery.State.values:
            qs = qs.filter(state=state)
        return qs.order_by("-scheduled_for", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["states"] = Delivery.State.choices
        context["state"] = self.request.GET.get("state", "")
        return context


# The delivery page may ask for the phone's position (the BAST's place, issue 15); every
# other page keeps geolocation off (settings.PERMISSIONS_POLICY).
_GEOLOCATION_POLICY = {**settings.PERMISSIONS_POLICY, "geolocation": ["self"]}


@method_decorator(permissions_policy_override(_GEOLOCATION_POLICY), name="dispatch")
class DeliveryDetailView(PermissionRequiredMixin, DetailView[Delivery]):
    permission_required = "distribution.view_delivery"
    template_name = "field/delivery.html"
    context_object_name = "delivery"
    queryset = Delivery.objects.select_related("recipient__area", "executor", "program")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        d, user = self.object, self.request.user
        S = Delivery.State
        operate = _can(user, "distribution.operate_delivery", d)
        handovers = list(d.handovers.order_by("pk"))
        context.update({
            "lines": d.lines.select_related("allocation__item").order_by("pk"),
            "handovers": handovers,
            "can_dispatch": operate and d.state == S.SCHEDULED,
            "can_deliver": operate and d.state == S.DISPATCHED,
            "can_fail": operate and d.state in (S.DISPATCHED, S.DELIVERED) and not handovers,
            "can_cancel": _can(user, "distribution.cancel_delivery", d)
            and d.state in (S.SCHEDULED, S.DISPATCHED),
            "can_verify": _can(user, "distribution.verify_delivery", d)
            and d.state == S.HANDED_OVER,
            "can_write_bast": _can(user, "distribution.create_handover", d)
            and d.state == S.DELIVERED and not handovers,
            "today": timezone.localdate(),
        })
        return context


class _DeliveryPost(PermissionRequiredMixin, View):
    permission_required = "distribution.view_delivery"

    def get_object(self) -> Delivery:
        return get_object_or_404(Delivery, pk=self.kwargs["pk"])

    def act(self, request: HttpRequest, delivery: Delivery) -> str | None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        delivery = self.get_object()
        target = reverse("field:delivery", args=[delivery.pk])
        try:
            target = self.act(request, delivery) or target
        except services.NotAllowed as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        except ValidationError as exc:
            add_error_messages(request, exc)
        return HttpResponseRedirect(target)


class DeliveryStepView(_DeliveryPost):
    steps = {"dispatch": services.delivery_dispatch, "deliver": services.delivery_deliver,
             "verify": services.delivery_verify}
    reasoned = {"cancel": services.delivery_cancel, "fail": services.delivery_fail}

    def act(self, request: HttpRequest, delivery: Delivery) -> str | None:
        step = self.kwargs["step"]
        if step in self.steps:
            self.steps[step](delivery=delivery, by=request.user)
        elif step in self.reasoned:
            self.reasoned[step](delivery=delivery, by=request.user,
                                reason=request.POST.get("reason", ""))
        else:
            raise Http404
        messages.success(request, _("Saved."))
        return None


def _lines_from_post(request: HttpRequest, delivery: Delivery) -> dict[int, int]:
    lines = {}
    for line in delivery.lines.all():
        value = _int(request.POST.get(f"line-{line.pk}", ""))
        lines[line.pk] = value if value is not None else -1
    return lines


def _place_from_post(request: HttpRequest) -> dict[str, Any]:
    return {"address": request.POST.get("address", ""),
            "latitude": request.POST.get("latitude") or None,
            "longitude": request.POST.get("longitude") or None}


class HandoverCreateView(_DeliveryPost):
    def act(self, request: HttpRequest, delivery: Delivery) -> str | None:
        date = _date(request.POST.get("date"))
        if date is None:
            raise ValidationError({"date": [_("enter a date")]})
        handover = services.handover_create(
            delivery=delivery, date=date, lines=_lines_from_post(request, delivery),
            by=request.user, **_place_from_post(request))
        return reverse("field:handover", args=[handover.pk])


class HandoverDetailView(PermissionRequiredMixin, DetailView[Handover]):
    permission_required = "distribution.view_handover"
    template_name = "field/handover.html"
    context_object_name = "handover"
    queryset = Handover.objects.select_related("delivery__recipient__area",
                                               "delivery__executor", "program", "area",
                                               "supersedes")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        h, user = self.object, self.request.user
        draft = not h.is_signed
        parties = []
        for p in handover_parties(h):
            p["can_confirm"] = (draft and not h.paper_scan and not p["confirmed_at"]
                                and _can(user, f"distribution.confirm_handover_{p['role']}", h))
            parties.append(p)
        executor = _can(user, "distribution.create_handover", h)
        successor = Handover.objects.filter(supersedes=h).first()
        lines = list(h.lines.select_related("item").order_by("pk"))
        context.update({
            "lines": lines,
            # One item often comes in several lines (one per pledge or purchase): the
            # receiver checks the total against what arrived.
            "lines_total": sum(line.quantity for line in lines) if len(lines) > 1 else None,
            "parties": parties,
            "photos": h.photos.all(),
            "can_add_photo": draft and executor,
            "can_upload_paper": draft and executor and not h.paper_scan
            and not (h.receiver_confirmed_at or h.witness_confirmed_at),
            "can_accept_paper": draft and bool(h.paper_scan)
            and _can(user, "distribution.accept_handover_paper", h),
            "can_correct": h.is_signed and executor and successor is None,
            "successor": successor,
            "valid_successor": handover_successor(h),
            "verify_url": verify_url(h.code),
            "today": timezone.localdate(),
        })
        return context


class _HandoverPost(PermissionRequiredMixin, View):
    permission_required = "distribution.view_handover"

    def get_object(self) -> Handover:
        return get_object_or_404(Handover.objects.select_related("delivery"),
                                 pk=self.kwargs["pk"])

    def act(self, request: HttpRequest, handover: Handover) -> str | None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        handover = self.get_object()
        target = reverse("field:handover", args=[handover.pk])
        try:
            target = self.act(request, handover) or target
        except services.NotAllowed as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        except ValidationError as exc:
            add_error_messages(request, exc)
        return HttpResponseRedirect(target)


class HandoverConfirmView(_HandoverPost):
    def act(self, request: HttpRequest, handover: Handover) -> str | None:
        services.handover_confirm(handover=handover, role=request.POST.get("role", ""),
                                  by=request.user)
        messages.success(request, _("Your confirmation was recorded."))
        return None


class HandoverPhotoView(_HandoverPost):
    def act(self, request: HttpRequest, handover: Handover) -> str | None:
        services.handover_photo_add(handover=handover, upload=request.FILES.get("photo"),
                                    by=request.user)
        messages.success(request, _("Photo added."))
        return None


class HandoverPaperView(_HandoverPost):
    def act(self, request: HttpRequest, handover: Handover) -> str | None:
        services.handover_paper_upload(
            handover=handover, upload=request.FILES.get("paper"),
            receiver_name=request.POST.get("receiver_name", ""),
            witness_name=request.POST.get("witness_name", ""), by=request.user)
        messages.success(request, _("The paper BAST was uploaded; it waits for acceptance."))
        return None


class HandoverAcceptPaperView(_HandoverPost):
    def act(self, request: HttpRequest, handover: Handover) -> str | None:
        services.handover_paper_accept(handover=handover, by=request.user)
        messages.success(request, _("The paper BAST was accepted."))
        return None


class _HandoverFile(PermissionRequiredMixin, View):
    """Evidence files are not under MEDIA_URL: they are served here, to whoever may see
    the handover report (the officer accepting a paper BAST reads it first), with the
    content type checked at upload and never cached."""

    permission_required = "distribution.view_handover"

    def get_permission_object(self) -> Handover:
        return get_object_or_404(Handover.objects.select_related("delivery__recipient"),
                                 pk=self.kwargs["pk"])

    def serve(self, field: Any, content_type: str) -> FileResponse:
        response = FileResponse(field.open("rb"), content_type=content_type)
        response["Cache-Control"] = "private, no-store"
        response["Content-Disposition"] = "inline"
        return response


class HandoverPaperFileView(_HandoverFile):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        handover = self.get_permission_object()
        if not handover.paper_scan:
            raise Http404
        name = handover.paper_scan.name.lower()
        content_type = ("application/pdf" if name.endswith(".pdf") else
                        {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(
                            name.rsplit(".", 1)[-1], "application/octet-stream"))
        return self.serve(handover.paper_scan, content_type)


class HandoverPhotoFileView(_HandoverFile):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        photo = get_object_or_404(HandoverPhoto, pk=self.kwargs["photo"],
                                  handover_id=self.kwargs["pk"])
        return self.serve(photo.file, photo.content_type)


class HandoverCorrectView(_HandoverPost):
    def act(self, request: HttpRequest, handover: Handover) -> str | None:
        date = _date(request.POST.get("date"))
        if date is None:
            raise ValidationError({"date": [_("enter a date")]})
        new = services.handover_create(
            delivery=handover.delivery, date=date, supersedes=handover,
            correction_reason=request.POST.get("correction_reason", ""),
            lines=_lines_from_post(request, handover.delivery), by=request.user,
            **_place_from_post(request))
        return reverse("field:handover", args=[new.pk])


class HandoverPdfView(PermissionRequiredMixin, View):
    permission_required = "distribution.view_handover"

    def get_object(self) -> Handover:
        return get_object_or_404(Handover, pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        handover = self.get_object()
        return file_response(BastPdfRenderer(handover).render(), content_type="application/pdf",
                             filename=f"{handover.number.replace('/', '-')}.pdf",
                             attachment=False)
