"""A region's programmes (issue 18): its administrator adopts the standard programmes it
runs, names them as the region does, withdraws them, or adds one of the region's own
(ksbb.donations.services)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from ksbb.donations import services
from ksbb.donations.models import Program
from ksbb.donations.selectors import region_program_rows
from ksbb.regions.models import Region
from ksbb.regions.selectors import regions_administered
from ksbb.web.errors import add_error_messages
from ksbb.web.permissions import PermissionRequiredMixin

ACTIONS = {"adopt", "rename", "withdraw", "create"}


class RegionProgramsView(PermissionRequiredMixin, View):
    permission_required = "donations.access_region_programs"

    def get(self, request: HttpRequest) -> HttpResponse:
        regions = [(region, region_program_rows(region))
                   for region in regions_administered(request.user)]
        return render(request, "backoffice/region_programs.html", {"regions": regions})

    def post(self, request: HttpRequest) -> HttpResponse:
        # Only among the user's own regions: another region's slug names none of them.
        region = next((r for r in regions_administered(request.user)
                       if r.slug == request.POST.get("region")), None)
        action = request.POST.get("action", "")
        program = Program.objects.filter(code=request.POST.get("program", "")).first()
        if region is None or action not in ACTIONS or (program is None and action != "create"):
            messages.error(request, _("choose one of your regions, a programme and what to "
                                      "do with it"))
            return redirect("backoffice:region_programs")
        try:
            _act(action, region, program, request.POST, request.user)
        except ValidationError as exc:
            add_error_messages(request, exc)
        else:
            messages.success(request, _("The programmes of %(region)s are saved.")
                             % {"region": region.name})
        return redirect(reverse("backoffice:region_programs") + f"#region-{region.slug}")


def _act(action: str, region: Region, program: Program | None, form: Any, by: Any) -> None:
    if action == "create":
        services.region_program_create(region=region, code=form.get("code", ""),
                                       name=form.get("name", ""), by=by)
        return
    assert program is not None  # checked by the caller for every other action
    local_name = form.get("local_name", "")
    if action == "adopt":
        services.region_program_adopt(region=region, program=program, local_name=local_name,
                                      by=by)
    elif action == "rename":
        services.region_program_rename(region=region, program=program,
                                       local_name=local_name, by=by)
    else:
        services.region_program_withdraw(region=region, program=program, by=by)
