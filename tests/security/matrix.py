"""The permission matrix: for every named URL pattern, what each role gets.

Every URL pattern of the project (walked from ``django.urls.get_resolver()``) must have an
entry here, or tests/security/test_permission_matrix.py fails naming the pattern to add.
A new page or endpoint therefore comes with a decision about who may use it.

Values: an HTTP status, ``LOGIN`` (302 to the sign-in page) or ``OK`` (for POSTs by a role
allowed to act: any answer but a 5xx, 401, 403 or 404, since an empty form may be refused
with 400 or re-shown with 200). ``get`` is always checked; ``post`` for the patterns that
change state (an empty POST, rolled back after each request).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ksbb.regions.selectors import default_region
from tests.conftest import VILLAGE_A

ROLES = ["anonymous", "admin", "assessor", "aggregator", "executor", "kelurahan", "ketua_rw",
         "collaborator", "outsider"]
SIGNED_IN = ROLES[1:]
GOVERNMENT = ["admin", "assessor"]

LOGIN = "login"
OK = "ok"

Expect = dict[str, int | str]
Kwargs = Callable[[Any, Any], dict[str, Any]]  # (cast, world) -> URL kwargs


def everyone(status: int | str) -> Expect:
    return dict.fromkeys(ROLES, status)


def only(roles: list[str], status: int | str = 200, *, others: int | str = 403,
         anonymous: int | str = LOGIN, **exceptions: int | str) -> Expect:
    """``status`` for ``roles``, ``others`` for the other signed-in roles."""
    expect: Expect = {"anonymous": anonymous}
    expect.update({r: status if r in roles else others for r in SIGNED_IN})
    expect.update(exceptions)
    return expect


def signed_in(status: int | str = 200, *, anonymous: int | str = LOGIN,
              **exceptions: int | str) -> Expect:
    return only(SIGNED_IN, status, anonymous=anonymous, **exceptions)


@dataclass
class Entry:
    get: Expect
    post: Expect | None = None


def pk(attr: str) -> Kwargs:
    """The pk of ``world.<attr>`` (or ``cast.<attr>`` when the world has none)."""

    def kwargs(cast: Any, world: Any) -> dict[str, Any]:
        obj = getattr(world, attr, None) or getattr(cast, attr)
        return {"pk": obj.pk}

    return kwargs


def code(value: Callable[[Any, Any], str]) -> Kwargs:
    return lambda cast, world: {"code": value(cast, world)}


# Admin site: one entry for the whole prefix; its index and every model's list are probed.
ADMIN_PREFIX = "admin"
ADMIN = Entry(get=only(["admin"], others=302, anonymous=302))

# URL parameters: which object of tests/security/world.py (or of the cast) each pattern
# with parameters is called with.
PARAMS: dict[str, Kwargs] = {
    "web:idea": pk("idea"),
    "web:idea_support": pk("idea"),
    "web:idea_unsupport": pk("idea"),
    "web:idea_answer": pk("idea"),
    "web:report_track": code(lambda c, w: w.report.code),
    "web:verify": code(lambda c, w: w.signed.code),
    "proofs-handover": code(lambda c, w: w.signed.code),
    "web:opendata_file": lambda c, w: {"dataset": "deliveries", "fmt": "csv"},
    "backoffice:institution_verify": pk("institution"),
    "backoffice:round": pk("round"),
    "backoffice:round_close": pk("round"),
    "backoffice:need_set": pk("round"),
    "backoffice:needs_import_new": lambda c, w: {"pk": w.round.pk, "kind": "needs"},
    "backoffice:coverage": pk("round"),
    "backoffice:needs_import": pk("needs_import"),
    "backoffice:needs_import_progress": pk("needs_import"),
    "backoffice:report": pk("report"),
    "backoffice:report_triage": pk("report"),
    "backoffice:report_investigate": pk("report"),
    "backoffice:report_resolve": pk("report"),
    "backoffice:report_photo": pk("photo"),
    "backoffice:allocation_run_new": pk("round"),
    "backoffice:allocation_manual": pk("round"),
    "backoffice:allocation_run": pk("run"),
    "backoffice:allocation_run_progress": pk("run"),
    "backoffice:allocation_run_approve": pk("run"),
    "backoffice:allocation_run_discard": pk("run"),
    "backoffice:allocation_line_edit": pk("line"),
    "orgs:detail": pk("aggregator_org"),
    "field:village": code(lambda c, w: VILLAGE_A),
    "field:recipient": pk("recipient"),
    "field:delivery": pk("delivery"),
    "field:delivery_step": lambda c, w: {"pk": w.delivery.pk, "step": "dispatch"},
    "field:handover_new": lambda c, w: {"pk": w.draft.delivery_id},
    "field:handover": pk("draft"),
    "field:handover_confirm": pk("draft"),
    "field:handover_photo": pk("draft"),
    "field:handover_paper": pk("draft"),
    "field:handover_accept_paper": pk("draft"),
    "field:handover_correct": pk("signed"),
    "field:handover_pdf": pk("signed"),
    "donations:verify_email": lambda c, w: {"token": "not-a-token"},
    "donations:link_accept": lambda c, w: {"token": "not-a-token"},
    "donations:pledge": pk("pledge"),
    "donations:pledge_cancel": pk("pledge"),
    "donations:pledge_receipt": pk("received"),
    "donations:pledge_receive": pk("pledge"),
    "donations:pledge_reject": pk("pledge"),
    "donations:purchase_receipt": pk("purchase"),
    "donations:aggregator_verify": pk("aggregator_org"),
    "area-detail": code(lambda c, w: VILLAGE_A),
    "organization-detail": pk("aggregator_org"),
    "program-detail": lambda c, w: {"pk": w.don.pangan.pk},
    "item-detail": lambda c, w: {"pk": w.don.sembako.pk},
    "aggregator-detail": pk("aggregator_org"),
    "pledge-detail": pk("pledge"),
    "pledge-cancel": pk("pledge"),
    "pledge-receipt": pk("received"),
    "pledge-receive": pk("pledge"),
    "pledge-reject": pk("pledge"),
    "purchase-detail": pk("purchase"),
    "recipient-detail": pk("recipient"),
    "recipient-verify": pk("institution"),
    "round-detail": pk("round"),
    "round-close": pk("round"),
    "need-detail": pk("need"),
    "report-track": code(lambda c, w: w.report.code),
    "report-detail": pk("report"),
    "report-triage": pk("report"),
    "report-investigate": pk("report"),
    "report-resolve": pk("report"),
    "idea-detail": pk("idea"),
    "idea-answer": pk("idea"),
    "idea-support": pk("idea"),
    "idea-unsupport": pk("idea"),
    "allocation_run-detail": pk("run"),
    "allocation_run-approve": pk("run"),
    "allocation_run-discard": pk("run"),
    "allocation_run-lines": pk("run"),
    "allocation-detail": pk("allocation"),
    "delivery-detail": pk("delivery"),
    "delivery-cancel": pk("delivery"),
    "delivery-deliver": pk("delivery"),
    "delivery-dispatch": pk("delivery"),
    "delivery-fail": pk("delivery"),
    "delivery-verify": pk("delivery"),
    "handover-detail": pk("draft"),
    "handover-accept-paper": pk("draft"),
    "handover-confirm": pk("draft"),
    "handover-paper": pk("draft"),
    "handover-pdf": pk("signed"),
    "handover-photos": pk("draft"),
    "handover-paper-scan": pk("draft"),
    "handover-photo-file": lambda c, w: {"pk": w.draft.pk, "photo_id": w.handover_photo.pk},
    "field:handover_paper_file": pk("draft"),
    "field:handover_photo_file": lambda c, w: {"pk": w.draft.pk, "photo": w.handover_photo.pk},
    "password_reset_confirm": lambda c, w: {"uidb64": "MQ", "token": "set-password"},
    "email_confirm": lambda c, w: {"token": "not-a-token"},
    "web:guide_page": lambda c, w: {"role": "collaborator"},
    "web:guide_image": lambda c, w: {"name": "01-collaborator-register-phone.png"},
}

MATRIX: dict[str, Entry] = {}

PUBLIC = Entry(get=everyone(200))
GOV = ["admin", "assessor"]
REPORT_OFFICERS = ["admin", "assessor", "kelurahan"]  # the report is in the officer's village
FIELD_PARTIES = ["admin", "assessor", "aggregator", "executor", "kelurahan", "ketua_rw"]
AGGREGATORS = ["admin", "aggregator", "outsider"]  # role-level pages: each sees its own
# Domain actions ask the role rule only: the platform admin (a superuser) has no shortcut.
AGGREGATOR_STAFF = ["aggregator", "outsider"]
API_SIGNED_IN = signed_in(anonymous=403)


def gov_action(roles: list[str] = GOV) -> Entry:
    """A POST-only page: GET is 405 for whoever passes the permission check."""
    return Entry(get=only(roles, 405), post=only(roles, OK))


def api_action(roles: list[str], *, visible: list[str], hidden: int = 404) -> Entry:
    """A POST-only API action on an object: GET is 405 for anyone signed in (the method is
    refused before the object is looked up); a POST acts for ``roles``, is refused (403)
    to those who may see the object and finds nothing (``hidden``) for the others."""
    return Entry(get=signed_in(405, anonymous=403),
                 post=only(roles, OK, anonymous=403,
                           **{r: hidden for r in SIGNED_IN if r not in visible}))


MATRIX.update({
    # Public pages.
    "web:home": PUBLIC,
    "web:about_data": PUBLIC,
    "web:odbl": PUBLIC,
    "web:cc_by_igo": PUBLIC,
    "web:map_geometry": PUBLIC,
    "web:signup": Entry(get=everyone(200), post=everyone(OK)),
    "web:ideas": PUBLIC,
    "web:idea": PUBLIC,
    "web:idea_new": Entry(get=signed_in(), post=signed_in(OK)),
    "web:idea_support": Entry(get=everyone(405), post=signed_in(OK)),
    "web:idea_unsupport": Entry(get=everyone(405), post=signed_in(OK)),
    "web:idea_answer": gov_action(),
    "web:report_new": Entry(get=everyone(200), post=everyone(OK)),
    "web:report_track_lookup": PUBLIC,
    "web:report_track": PUBLIC,
    "web:verify": PUBLIC,
    # The form to type a code (GET with no code: the empty form).
    "web:verify_form": Entry(get=everyone(200), post=everyone(200)),
    # Suggestions of the name pickers (issue 15): public places; recipients as each role
    # may see them (recipients_visible_to).
    "web:area_search": PUBLIC,
    "web:recipient_search": PUBLIC,
    # Proofs (issue 17): public by design. No checkpoint exists in the world (404); the
    # proofs need their query parameters (400 without them).
    "ksbb-keys": PUBLIC,
    "web:verify_scan": PUBLIC,
    "web:verify_scan_worker": PUBLIC,
    "proofs-keys": PUBLIC,
    "proofs-checkpoints": PUBLIC,
    "proofs-checkpoint-latest": Entry(get=everyone(404)),
    "proofs-leaves": Entry(get=everyone(400)),
    "proofs-consistency": Entry(get=everyone(400)),
    "proofs-inclusion": Entry(get=everyone(400)),
    "proofs-handover": PUBLIC,
    "web:opendata": PUBLIC,
    "web:opendata_file": PUBLIC,
    "web:coverage": PUBLIC,
    "healthz": PUBLIC,
    "login": Entry(get=everyone(200), post=everyone(OK)),
    "logout": Entry(get=everyone(405), post=everyone(302)),
    "set_language": Entry(get=everyone(302), post=everyone(302)),
    "ping": PUBLIC,
    "web:guide": PUBLIC,
    "web:guide_page": PUBLIC,
    "web:guide_image": PUBLIC,
    # Own account: two-factor sign-in and password. Which of these answer 200 or redirect
    # depends on the user's two-factor state; what matters here: signed in only, no error.
    "password_change": Entry(get=signed_in(OK), post=signed_in(OK)),
    "two_factor": Entry(get=signed_in(OK), post=signed_in(OK)),
    "mfa_setup": Entry(get=signed_in(OK), post=signed_in(OK)),
    "mfa_verify": Entry(get=signed_in(OK), post=signed_in(OK)),
    "mfa_backup_codes": Entry(get=signed_in(OK), post=signed_in(OK)),
    "two_factor_codes": Entry(get=everyone(405), post=signed_in(OK)),
    "two_factor_off": Entry(get=everyone(405), post=signed_in(OK)),
    # Password reset by e-mail and the sign-up confirmation link: for anyone; a made-up
    # link answers "invalid" (200 with the form's refusal, 400 for the confirmation).
    "password_reset": Entry(get=everyone(200), post=everyone(OK)),
    "password_reset_done": PUBLIC,
    "password_reset_confirm": Entry(get=everyone(200), post=everyone(OK)),
    "password_reset_complete": PUBLIC,
    "email_confirm": Entry(get=everyone(400)),
    # Back office: the government; the administrator reads but does not run allocations.
    "backoffice:home": Entry(get=only(GOV)),
    # The installation's administrator (and each region's, see tests/regions).
    "backoffice:region_programs": Entry(get=only(["admin"]), post=only(["admin"], OK)),
    "backoffice:institutions": Entry(get=only(GOV)),
    "backoffice:institution_new": Entry(get=only(GOV), post=only(GOV, OK)),
    "backoffice:institution_verify": gov_action(),
    "backoffice:rounds": Entry(get=only(GOV)),
    "backoffice:round_new": Entry(get=only(GOV), post=only(GOV, OK)),
    "backoffice:round": Entry(get=only(GOV)),
    "backoffice:round_close": Entry(get=only(GOV, 405), post=only(["assessor"], OK)),
    "backoffice:need_set": gov_action(),
    "backoffice:needs_import_new": gov_action(),
    "backoffice:coverage": Entry(get=only(GOV)),
    "backoffice:needs_import": Entry(get=only(GOV)),
    "backoffice:needs_import_progress": Entry(get=only(GOV)),
    "backoffice:reports": Entry(get=only(REPORT_OFFICERS)),
    "backoffice:report": Entry(get=only(REPORT_OFFICERS)),
    "backoffice:report_triage": gov_action(REPORT_OFFICERS),
    "backoffice:report_investigate": gov_action(REPORT_OFFICERS),
    "backoffice:report_resolve": gov_action(REPORT_OFFICERS),
    "backoffice:report_photo": Entry(get=only(REPORT_OFFICERS)),
    "backoffice:allocation_run_new": Entry(get=only(GOV, 405), post=only(["assessor"], OK)),
    "backoffice:allocation_manual": gov_action(),
    "backoffice:allocation_run": Entry(get=only(GOV)),
    "backoffice:allocation_run_progress": Entry(get=only(GOV)),
    "backoffice:allocation_run_approve": Entry(get=only(GOV, 405),
                                               post=only(["assessor"], OK)),
    "backoffice:allocation_run_discard": Entry(get=only(GOV, 405),
                                               post=only(["assessor"], OK)),
    "backoffice:allocation_line_edit": gov_action(),
    "backoffice:schedule": Entry(get=only(["assessor", *AGGREGATORS]),
                                 post=only(["assessor", *AGGREGATORS], OK)),
    # Organisations: the government and members; the cast's aggregator by id.
    "orgs:list": Entry(get=only(["admin", "assessor", "aggregator", "executor",
                                 "collaborator", "outsider"])),
    "orgs:detail": Entry(get=only(["admin", "assessor", "aggregator"])),
    # Field workspace: the delivery is to the cast's RW, by its executor, from its
    # aggregator's supplies.
    "field:home": Entry(get=only(["admin", "executor", "kelurahan"])),
    "field:village": Entry(get=only(REPORT_OFFICERS)),
    "field:recipients": Entry(get=only(["admin", "ketua_rw"])),
    "field:recipient": Entry(get=only(["admin", "assessor", "kelurahan", "ketua_rw"])),
    "field:deliveries": Entry(get=only([*FIELD_PARTIES, "outsider"])),
    "field:delivery": Entry(get=only(FIELD_PARTIES)),
    "field:delivery_step": Entry(get=only(FIELD_PARTIES, 405), post=only(["executor"], OK)),
    "field:handover_new": Entry(get=only(FIELD_PARTIES, 405), post=only(FIELD_PARTIES, OK)),
    "field:handover": Entry(get=only(FIELD_PARTIES)),
    # Confirming redirects back with a message saying which party the user is not.
    "field:handover_confirm": Entry(get=only(FIELD_PARTIES, 405),
                                    post=only(FIELD_PARTIES, OK)),
    "field:handover_photo": Entry(get=only(FIELD_PARTIES, 405), post=only(["executor"], OK)),
    "field:handover_paper": Entry(get=only(FIELD_PARTIES, 405), post=only(["executor"], OK)),
    "field:handover_accept_paper": Entry(get=only(FIELD_PARTIES, 405),
                                         post=only(["assessor", "kelurahan"], OK)),
    "field:handover_correct": Entry(get=only(FIELD_PARTIES, 405),
                                    post=only(FIELD_PARTIES, OK)),
    "field:handover_pdf": Entry(get=only(FIELD_PARTIES)),
    # Evidence files: whoever sees the report (the draft has a photo, no paper scan yet).
    "field:handover_photo_file": Entry(get=only(FIELD_PARTIES)),
    "field:handover_paper_file": Entry(get=only(FIELD_PARTIES, 404)),
    # Donations.
    "donations:register": Entry(get=everyone(200), post=everyone(OK)),
    "donations:verify_email": Entry(get=everyone(400)),  # a made-up token
    "donations:aggregators": PUBLIC,
    "donations:aggregator_register": Entry(get=everyone(200), post=everyone(OK)),
    "donations:mine": Entry(get=only(["admin", "collaborator"])),
    # A made-up invitation token: refused for everyone signed in.
    "donations:link_accept": Entry(get=signed_in(400), post=signed_in(400)),
    "donations:pledge_new": Entry(get=only(["admin", "collaborator"]),
                                  post=only(["admin", "collaborator"], OK)),
    # The pledge form's programme and item selects for another region (htmx).
    "donations:pledge_choices": Entry(get=only(["admin", "collaborator"])),
    # Another organisation's pledge is "not found", as in the API.
    "donations:pledge": Entry(get=only(["admin", "assessor", "aggregator", "collaborator"],
                                       others=404)),
    # The platform admin passes the page's check but the service refuses: no superuser
    # shortcut into domain actions (issue 12).
    "donations:pledge_cancel": Entry(get=only(["admin", "collaborator"], 405),
                                     post=only(["collaborator"], OK, admin=403)),
    "donations:pledge_receipt": Entry(get=only(["admin", "aggregator", "collaborator"])),
    "donations:needs": Entry(get=everyone(200)),
    "donations:inbox": Entry(get=only(AGGREGATORS)),
    "donations:pledge_receive": Entry(get=only(["admin", "aggregator"], 405),
                                      post=only(["aggregator"], OK, admin=403)),
    "donations:pledge_reject": Entry(get=only(["admin", "aggregator"], 405),
                                     post=only(["aggregator"], OK, admin=403)),
    "donations:purchases": Entry(get=only(AGGREGATORS), post=only(AGGREGATORS, OK)),
    # The purchase has no receipt file: 404 once past the permission check.
    "donations:purchase_receipt": Entry(get=only(["admin", "assessor", "aggregator",
                                                  "collaborator"], 404)),
    "donations:import": Entry(get=only(AGGREGATORS), post=only(AGGREGATORS, OK)),
    # Personal data (UU PDP): anyone signed in sees and exports their own; the erasure
    # page is the collaborators'.
    "donations:my_data": Entry(get=signed_in()),
    "donations:my_data_export": Entry(get=signed_in()),
    "donations:my_data_erase": Entry(get=only(["admin", "collaborator"]),
                                     post=only(["admin", "collaborator"], OK)),
    "donations:verification": Entry(get=only(["admin"])),
    "donations:aggregator_verify": gov_action(["admin"]),
    # API documentation.
    "schema": PUBLIC,
    "swagger-ui": PUBLIC,
    "api-root": PUBLIC,
    # API: public reference data and statistics.
    "area-list": PUBLIC,
    "area-detail": PUBLIC,
    "program-list": PUBLIC,
    "program-detail": PUBLIC,
    "item-list": PUBLIC,
    "item-detail": PUBLIC,
    "aggregator-list": PUBLIC,
    "aggregator-detail": PUBLIC,
    "stats-dashboard": PUBLIC,
    "stats-coverage": PUBLIC,
    "stats-dashboard-cached": PUBLIC,  # the same URL, answered from the page cache
    "stats-coverage-cached": PUBLIC,
    "organization-list": Entry(get=API_SIGNED_IN),
    "organization-detail": Entry(get=only(["admin", "assessor", "aggregator"], others=404,
                                          anonymous=403)),
    # API: pledges and purchases (the cast's aggregator; the outsider's is another).
    "pledge-list": Entry(get=API_SIGNED_IN, post=only(["collaborator"], OK,
                                                      anonymous=403)),
    "pledge-detail": Entry(get=only(["admin", "assessor", "aggregator", "collaborator"],
                                    others=404, anonymous=403)),
    "pledge-receive": api_action(["aggregator"], visible=["admin", "assessor", "aggregator",
                                                          "collaborator"]),
    "pledge-reject": api_action(["aggregator"],
                                visible=["admin", "assessor", "aggregator", "collaborator"]),
    "pledge-cancel": api_action(["collaborator"],
                                visible=["admin", "assessor", "aggregator", "collaborator"]),
    "pledge-receipt": Entry(get=only(["admin", "aggregator", "collaborator"], anonymous=403,
                                     executor=404, kelurahan=404, ketua_rw=404,
                                     outsider=404)),
    "purchase-list": Entry(get=API_SIGNED_IN,
                           post=only(AGGREGATOR_STAFF, OK, anonymous=403)),
    "purchase-detail": Entry(get=only(["admin", "assessor", "aggregator", "collaborator"],
                                      others=404, anonymous=403)),
    # API: recipients are public; institutions are registered and verified by government.
    "recipient-list": Entry(get=everyone(200), post=only(GOV, OK, anonymous=403)),
    "recipient-detail": PUBLIC,
    "recipient-verify": Entry(get=everyone(405), post=only(GOV, OK, anonymous=403)),
    # API: government data.
    "round-list": Entry(get=only(GOV, anonymous=403), post=only(GOV, OK, anonymous=403)),
    "round-detail": Entry(get=only(GOV, anonymous=403)),
    "round-close": Entry(get=only(GOV, 405, anonymous=403),
                         post=only(["assessor"], OK, anonymous=403)),
    "need-list": Entry(get=only(GOV, anonymous=403), post=only(GOV, OK, anonymous=403)),
    "need-detail": Entry(get=only(GOV, anonymous=403), post=only(GOV, 405, anonymous=403)),
    "allocation_run-list": Entry(get=only(GOV, anonymous=403),
                                 post=only(GOV, OK, anonymous=403)),
    "allocation_run-detail": Entry(get=only(GOV, anonymous=403)),
    "allocation_run-lines": Entry(get=only(GOV, anonymous=403)),
    "allocation_run-approve": Entry(get=only(GOV, 405, anonymous=403),
                                    post=only(["assessor"], OK, anonymous=403)),
    "allocation_run-discard": Entry(get=only(GOV, 405, anonymous=403),
                                    post=only(["assessor"], OK, anonymous=403)),
    "allocation-list": Entry(get=API_SIGNED_IN, post=only(GOV, OK, anonymous=403)),
    "allocation-detail": Entry(get=only(["admin", "assessor", "aggregator", "collaborator"],
                                        others=404, anonymous=403)),
    # API: deliveries and handover reports (see field: above).
    "delivery-list": Entry(get=API_SIGNED_IN,
                           post=only(["assessor", *AGGREGATOR_STAFF], OK, anonymous=403)),
    "delivery-detail": Entry(get=only(FIELD_PARTIES, others=404, anonymous=403)),
    "delivery-dispatch": api_action(["executor"], visible=FIELD_PARTIES),
    "delivery-deliver": api_action(["executor"], visible=FIELD_PARTIES),
    "delivery-cancel": api_action(["assessor", "aggregator", "executor"],
                                  visible=FIELD_PARTIES),
    "delivery-fail": api_action(["executor"], visible=FIELD_PARTIES),
    "delivery-verify": api_action(["assessor", "kelurahan"], visible=FIELD_PARTIES),
    "handover-list": Entry(get=API_SIGNED_IN, post=signed_in(OK, anonymous=403)),
    "handover-detail": Entry(get=only(FIELD_PARTIES, others=404, anonymous=403)),
    "handover-pdf": Entry(get=only(FIELD_PARTIES, others=404, anonymous=403)),
    "handover-photo-file": Entry(get=only(FIELD_PARTIES, others=404, anonymous=403)),
    "handover-paper-scan": Entry(get=only(FIELD_PARTIES, 404, others=404, anonymous=403)),
    # Which party confirms comes in the body: an empty body is refused (400) for anyone
    # who may see the report.
    "handover-confirm": api_action(FIELD_PARTIES, visible=FIELD_PARTIES),
    "handover-photos": api_action(["executor"], visible=FIELD_PARTIES),
    "handover-paper": api_action(["executor"], visible=FIELD_PARTIES),
    "handover-accept-paper": api_action(["assessor", "kelurahan"], visible=FIELD_PARTIES),
    # API: misuse reports: anyone submits and tracks; officers of the village handle.
    "report-list": Entry(get=only(REPORT_OFFICERS, anonymous=403), post=everyone(OK)),
    "report-challenge": PUBLIC,
    "report-track": PUBLIC,
    "report-detail": Entry(get=only(REPORT_OFFICERS, anonymous=403)),
    "report-triage": Entry(get=only(REPORT_OFFICERS, 405, anonymous=403),
                           post=only(REPORT_OFFICERS, OK, anonymous=403)),
    "report-investigate": Entry(get=only(REPORT_OFFICERS, 405, anonymous=403),
                                post=only(REPORT_OFFICERS, OK, anonymous=403)),
    "report-resolve": Entry(get=only(REPORT_OFFICERS, 405, anonymous=403),
                            post=only(REPORT_OFFICERS, OK, anonymous=403)),
    # API: ideas forum.
    "idea-list": Entry(get=everyone(200), post=signed_in(OK, anonymous=403)),
    "idea-detail": PUBLIC,
    # The world's idea is the collaborator's own: nobody supports their own idea.
    "idea-support": Entry(get=signed_in(405, anonymous=403),
                          post=signed_in(OK, anonymous=403, collaborator=403)),
    "idea-unsupport": Entry(get=signed_in(405, anonymous=403),
                            post=signed_in(OK, anonymous=403)),
    "idea-answer": Entry(get=signed_in(405, anonymous=403), post=only(GOV, OK, anonymous=403)),
})


# Households (issue 16): names for the ketua RW of the RW, the kelurahan officer of its
# village and the assessor only; not the platform administrator (rules.has_perm, which a
# superuser does not pass). The household is in the cast's RW (village A).
HH_VIEWERS = ["assessor", "kelurahan", "ketua_rw"]
HH_REPORTS = ["assessor", "kelurahan"]


def _household(cast: Any, world: Any) -> Any:
    from ksbb.households.models import Household
    from ksbb.households.services import households_import

    found = Household.objects.filter(rw_id=cast.recipient.area_id).first()
    if found is None:
        row = {"rw_code": cast.recipient.area_id, "rt": "1", "kk": "3171010101200001",
               "nik": "3171011505850001", "name": "Kepala Keluarga", "members": "3"}
        households_import(rows=lambda: iter([(2, row)]), by=cast.assessor)
        found = Household.objects.get(rw_id=cast.recipient.area_id)
    return found


def _household_import(cast: Any, world: Any) -> Any:
    from ksbb.households.models import HouseholdImport

    return HouseholdImport.objects.first() or HouseholdImport.objects.create(
        created_by=cast.assessor, state=HouseholdImport.State.DONE)


PARAMS.update({
    "field:household_rw": lambda c, w: {"code": c.recipient.area_id},
    "field:household_new": lambda c, w: {"code": c.recipient.area_id},
    "field:household_cards": lambda c, w: {"code": c.recipient.area_id},
    "field:household": lambda c, w: {"pk": _household(c, w).pk},
    "field:household_edit": lambda c, w: {"pk": _household(c, w).pk},
    "field:household_status": lambda c, w: {"pk": _household(c, w).pk},
    "field:handout_checklist": pk("signed"),
    "field:handout_tap": lambda c, w: {"pk": w.signed.pk, "household": _household(c, w).pk},
    "backoffice:household_import": lambda c, w: {"pk": _household_import(c, w).pk},
    "backoffice:household_import_progress": lambda c, w: {"pk": _household_import(c, w).pk},
    "backoffice:household_resolve": lambda c, w: {"pk": _household(c, w).pk},
})
MATRIX.update({
    "web:household_check": PUBLIC,
    "web:household_figures": PUBLIC,
    "field:household_rws": Entry(get=only(HH_VIEWERS)),
    "field:household_rw": Entry(get=only(HH_VIEWERS)),
    "field:household_new": Entry(get=only(["ketua_rw"]), post=only(["ketua_rw"], OK)),
    "field:household_cards": Entry(get=only(HH_VIEWERS)),
    "field:household": Entry(get=only(HH_VIEWERS)),
    "field:household_edit": Entry(get=only(["ketua_rw"], 405), post=only(["ketua_rw"], OK)),
    "field:household_status": Entry(get=only(["ketua_rw"], 405),
                                     post=only(["ketua_rw"], OK)),
    "field:handout_checklist": Entry(get=only(["ketua_rw"])),
    "field:handout_tap": Entry(get=only(["ketua_rw"], 405), post=only(["ketua_rw"], OK)),
    "backoffice:households": Entry(get=only(HH_REPORTS)),
    "backoffice:household_import_new": Entry(get=only(["assessor"], 405),
                                             post=only(["assessor"], OK)),
    "backoffice:household_import": Entry(get=only(["assessor"])),
    "backoffice:household_import_progress": Entry(get=only(["assessor"])),
    "backoffice:household_derive": Entry(get=only(["assessor"], 405),
                                         post=only(["assessor"], OK)),
    "backoffice:household_flags": Entry(get=only(HH_REPORTS)),
    "backoffice:household_resolve": Entry(get=only(["assessor"], 405),
                                          post=only(["assessor"], OK)),
    "backoffice:household_reach": Entry(get=only(HH_REPORTS)),
    "backoffice:household_twice": Entry(get=only(HH_REPORTS)),
    "backoffice:household_late": Entry(get=only(HH_REPORTS)),
    # API (issue 16): the same people; the reports for the assessor and kelurahan officer.
    "household-list": Entry(get=only(HH_VIEWERS, anonymous=403)),
    "household-detail": Entry(get=only(HH_VIEWERS, anonymous=403)),
    "handout-list": Entry(get=signed_in(405, anonymous=403),
                          post=only(["ketua_rw"], OK, anonymous=403)),
    "household_report-reach": Entry(get=only(HH_REPORTS, anonymous=403)),
    "household_report-twice": Entry(get=only(HH_REPORTS, anonymous=403)),
})
PARAMS["household-detail"] = lambda c, w: {"pk": _household(c, w).pk}


def _handout(cast: Any, world: Any) -> Any:
    from ksbb.households.models import Handout
    from ksbb.households.services import handout_record

    return Handout.objects.first() or handout_record(
        handover=world.signed, household=_household(cast, world), by=cast.ketua_rw)


# The photo of a handout: uploaded by the ketua RW, seen by those who see the household
# (the world's handout has none yet: 404 for them).
PARAMS["field:handout_photo"] = lambda c, w: {"pk": _handout(c, w).pk}
PARAMS["field:handout_photo_file"] = lambda c, w: {"pk": _handout(c, w).pk}
MATRIX["field:handout_photo"] = Entry(get=only(["ketua_rw"]), post=only(["ketua_rw"], OK))
MATRIX["field:handout_photo_file"] = Entry(get=only(HH_VIEWERS, 404))


# Notifications (issue 15): each person's own; another's notification is not found (404),
# the platform administrator included. The world's notification is the collaborator's.
def _notification(cast: Any, world: Any) -> dict[str, Any]:
    from ksbb.notifications.models import Notification

    found = Notification.objects.filter(recipient=cast.collaborator).first()
    assert found is not None, "the world tells the collaborator that a pledge was received"
    return {"pk": found.pk}


PARAMS.update({
    "notifications:open": _notification,
    "notifications:read": _notification,
    "notification-detail": _notification,
    "notification-read": _notification,
})
MATRIX.update({
    "notifications:inbox": Entry(get=signed_in()),
    "notifications:open": Entry(get=only(["collaborator"], 302, others=404)),
    "notifications:read": Entry(get=signed_in(405),
                                post=only(["collaborator"], OK, others=404)),
    "notifications:read_all": Entry(get=signed_in(405), post=signed_in(OK)),
    "notifications:preferences": Entry(get=signed_in(), post=signed_in(OK)),
    "notification-list": Entry(get=API_SIGNED_IN),
    "notification-detail": Entry(get=only(["collaborator"], others=404, anonymous=403)),
    "notification-read": api_action(["collaborator"], visible=["collaborator"]),
    "notification-read-all": Entry(get=signed_in(405, anonymous=403),
                                   post=signed_in(OK, anonymous=403)),
})

# Regions (issue 18): the national page and a region's page are public. The matrix world has
# only the default region, whose page redirects to "/".
MATRIX.update({
    "web:national": PUBLIC,
    "web:region": Entry(get=everyone(302)),
    "stats-national": PUBLIC,
    "stats-national-cached": PUBLIC,
})
PARAMS["web:region"] = lambda c, w: {"slug": default_region().slug}
