"""Issue 14, finding 3: the admin site went around the services (a citizen's misuse report
deleted without an audit entry, a role granted through the user admin's inline without
``membership.granted``, needs, rounds, recipients, areas, organisations and aggregator
profiles editable without the services' checks)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage

from ksbb.accounts.models import Membership, Organization, Role, User
from ksbb.areas.models import Area
from ksbb.core.models import AuditEntry
from ksbb.needs.models import Recipient

pytestmark = pytest.mark.django_db


def test_a_misuse_report_can_never_be_deleted(cast, client_for):
    from ksbb.reports.models import MisuseReport
    from ksbb.reports.services import report_submit

    report = report_submit(category="aid_sold", area=Area.objects.get(code="31.71.01.1001.001"),
                           description="Paket dijual", by=None)
    admin_client = client_for(cast.admin)
    url = f"/admin/reports/misusereport/{report.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    response = admin_client.post("/admin/reports/misusereport/", {
        "action": "delete_selected", "_selected_action": [report.pk], "post": "yes"})
    assert MisuseReport.objects.filter(pk=report.pk).exists()
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(("model", "path"), [
    (Recipient, "needs/recipient"), (Area, "areas/area"),
    (Organization, "accounts/organization"),
])
def test_domain_records_are_read_only_in_the_admin(cast, client_for, model, path):
    obj = model.objects.order_by("pk").first()
    admin_client = client_for(cast.admin)
    pk = obj.pk
    assert admin_client.get(f"/admin/{path}/{pk}/change/").status_code == 200  # can look
    assert admin_client.post(f"/admin/{path}/{pk}/change/", {"name": "Diubah"}).status_code == 403
    assert admin_client.post(f"/admin/{path}/{pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get(f"/admin/{path}/add/").status_code == 403
    assert model.objects.filter(pk=pk).exists()


def _admin_request(rf, user):  # type: ignore[no-untyped-def]
    request = rf.post("/admin/accounts/user/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_role_granted_in_the_user_admin_goes_through_the_service(cast, rf):
    target = User.objects.create(username="baru")
    model_admin = admin.site._registry[User]
    request = _admin_request(rf, cast.admin)
    inline = next(i for i in model_admin.get_inline_instances(request, target)
                  if i.model is Membership)
    FormSet = inline.get_formset(request, target)
    prefix = FormSet.get_default_prefix()
    formset = FormSet({
        f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-role": Role.EXECUTOR_STAFF,
        f"{prefix}-0-organization": str(cast.executor_org.pk),
        f"{prefix}-0-is_active": "on",
    }, instance=target, prefix=prefix)
    assert formset.is_valid(), formset.errors
    model_admin.save_formset(request, SimpleNamespace(instance=target), formset, change=True)
    membership = Membership.objects.get(user=target)
    entry = AuditEntry.objects.get(action="membership.granted", object_id=str(membership.pk))
    assert entry.actor_id == cast.admin.pk
    assert entry.after["role"] == Role.EXECUTOR_STAFF


def test_superuser_status_changes_are_audited(cast, rf):
    target = User.objects.create(username="calon-admin")
    model_admin = admin.site._registry[User]
    request = _admin_request(rf, cast.admin)
    form = SimpleNamespace(changed_data=["is_superuser", "is_staff"],
                           cleaned_data={"is_superuser": True, "is_staff": True})
    target.is_superuser = target.is_staff = True
    model_admin.save_model(request, target, form, change=True)
    entry = AuditEntry.objects.get(action="user.privileges_changed")
    assert entry.after == {"is_superuser": True, "is_staff": True}
    assert entry.actor_id == cast.admin.pk
