"""Donation pages anyone may open: a donor's or an aggregator's registration, the e-mail
confirmation and the verified aggregators."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.generic import ListView

from ksbb.accounts.models import Organization
from ksbb.donations import services
from ksbb.donations.selectors import verified_aggregators
from ksbb.web.donations.forms import AggregatorRegisterForm, CollaboratorRegisterForm
from ksbb.web.errors import add_form_errors


def collaborator_register_view(request: HttpRequest) -> HttpResponse:
    form = CollaboratorRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.collaborator_register(**form.cleaned_data)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _(
                "Welcome, %(name)s. We sent a confirmation link to %(email)s; you can sign "
                "in now.") % {"name": profile.organization.name, "email": profile.contact_email})
            return redirect("login")
    return render(request, "donations/register.html", {"form": form})


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.collaborator_verify_email(token=token)
    except ValidationError:
        return render(request, "donations/verify_email.html", {"ok": False}, status=400)
    return render(request, "donations/verify_email.html", {"ok": True})


def aggregator_register_view(request: HttpRequest) -> HttpResponse:
    form = AggregatorRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.aggregator_register(**form.cleaned_data)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("Thank you. A platform administrator will check your "
                                        "licence before donors can choose you."))
            return redirect("login")
    return render(request, "donations/aggregator_register.html", {"form": form})


class AggregatorListView(ListView[Organization]):
    template_name = "donations/aggregators.html"
    context_object_name = "aggregators"

    def get_queryset(self) -> QuerySet[Organization]:
        return verified_aggregators()
