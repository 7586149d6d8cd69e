"""Reads for household lists: what each role may see, the reach and twice-received
reports, late distributions, public figures (small numbers suppressed) and the citizen's
own check."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ksbb.accounts.models import Role
from ksbb.accounts.selectors import scope_of
from ksbb.areas.models import Area
from ksbb.core.domain import may
from ksbb.distribution.models import Handover
from ksbb.households import identity
from ksbb.households.models import Handout, Household, HouseholdImport, RoundRwTally, RwTally
from ksbb.households.rules import _represented_rw_codes
from ksbb.households.services import bast_round
from ksbb.needs.models import AssessmentRound, Recipient
from ksbb.regions.selectors import actor_region_keys, actor_regions_filter

SUPPRESS_BELOW = 5


# Who sees which lists --------------------------------------------------------------------

def in_actors_regions(user: Any, field_name: str = "rw__code") -> Q | None:
    """The one region filter of household data: the rows whose RW (area code
    ``field_name``) lies in a region where ``user`` holds a government role. None: no
    filter (one region in the installation, or a person holding no government role, such
    as a ketua RW, whom their RWs alone narrow)."""
    if not actor_region_keys(user):
        return None
    return actor_regions_filter(user, area=field_name) or None


def _rw_scope(user: Any, field_name: str = "rw__code") -> Q | None:
    """None: every RW (the assessor of the only region); else the RWs the user may see
    (possibly none): the assessor's regions, the officer's villages in them, the ketua's
    RWs."""
    scope = scope_of(user)
    region = in_actors_regions(user, field_name)
    if Role.ASSESSOR in scope.roles:
        return region
    q = Q(**{f"{field_name}__in": sorted(_represented_rw_codes(user))})
    if Role.KELURAHAN_OFFICER in scope.roles and scope.village_codes:
        villages = Q(pk__in=[])
        for village in scope.village_codes:
            villages |= Q(**{f"{field_name}__startswith": f"{village}."})
        q |= villages & region if region is not None else villages
    return q


def report_rounds(user: Any) -> QuerySet[AssessmentRound]:
    """The rounds the household reports offer ``user`` (the assessor and the kelurahan
    officer): those of their regions, newest first."""
    if not actor_region_keys(user):
        return AssessmentRound.objects.none()
    return (AssessmentRound.objects.filter(actor_regions_filter(user, region="region"))
            .select_related("program").order_by("-period_start", "-pk"))


def households_visible_to(user: Any) -> QuerySet[Household]:
    q = _rw_scope(user)
    qs = Household.objects.all()
    return qs if q is None else qs.filter(q)


def rws_visible_to(user: Any) -> QuerySet[Area]:
    """RWs with a list the user may see, with how many households are listed there."""
    q = _rw_scope(user, "code")
    listed = Household.objects.filter(status=Household.Status.ACTIVE).values("rw_id")
    qs = Area.objects.filter(level=Area.Level.RW, code__in=listed).select_related("parent")
    return (qs if q is None else qs.filter(q)).order_by("code")


def imports_visible_to(user: Any) -> QuerySet[HouseholdImport]:
    """The list imports of the regions where ``user`` holds a government role."""
    if not actor_region_keys(user):
        return HouseholdImport.objects.none()
    return HouseholdImport.objects.filter(actor_regions_filter(user, region="region"))


def may_view_household(user: Any, household: Household) -> bool:
    return may(user, "households.view_household", household)


def signed_basts_for_rw(rw_code: str) -> QuerySet[Handover]:
    """The RW's signed BASTs that are not corrected: the ones handouts are recorded on."""
    return (Handover.objects.filter(state=Handover.State.SIGNED,
                                    delivery__recipient__area_id=rw_code,
                                    delivery__recipient__kind=Recipient.Kind.RW)
            .exclude(superseded_by__state=Handover.State.SIGNED)
            .select_related("program").order_by("-date", "-pk"))


# Reports ---------------------------------------------------------------------------------

@dataclass
class ReachRow:
    rw: str
    name: str
    listed: int
    reached: int

    @property
    def not_reached(self) -> int:
        return max(self.listed - self.reached, 0)

    @property
    def share(self) -> int:
        return round(100 * self.reached / self.listed) if self.listed else 0


def reach_by_rw(*, round: AssessmentRound, user: Any, within: str = "") -> list[ReachRow]:
    """Per RW: households listed (active), reached in the round (at least one handout),
    not reached. Read from the counters the services keep (tallies.py), so all of Jakarta
    is two small queries over its 2,705 RWs, whatever the size of the lists."""
    listed_q = RwTally.objects.all()
    reached_q = RoundRwTally.objects.filter(round=round)
    scope = _rw_scope(user)
    if scope is not None:
        listed_q, reached_q = listed_q.filter(scope), reached_q.filter(scope)
    if within:
        listed_q = listed_q.filter(rw__code__startswith=within)
        reached_q = reached_q.filter(rw__code__startswith=within)
    listed = {rw: n for rw, n in listed_q.values_list("rw_id", "listed") if n}
    reached = {rw: n for rw, n in reached_q.values_list("rw_id", "reached") if n}
    codes = sorted(set(listed) | set(reached))
    names = dict(Area.objects.filter(level=Area.Level.RW, code__in=codes)
                 .values_list("code", "name")) if len(codes) <= 5000 else {}
    return [ReachRow(c, names.get(c, c), listed.get(c, 0), reached.get(c, 0)) for c in codes]


def not_reached_in_rw(*, round: AssessmentRound, rw_code: str) -> QuerySet[Household]:
    reached = Handout.objects.filter(round=round, household=OuterRef("pk"))
    return (Household.objects.filter(rw_id=rw_code, status=Household.Status.ACTIVE)
            .exclude(Exists(reached)).order_by("rt", "head_name"))


@dataclass
class TwiceGroup:
    item: Any
    match: str  # "kk" or "nik"
    masked: str
    handouts: list[Handout] = field(default_factory=list)


def twice_received(*, date_from: dt.date, date_to: dt.date, user: Any, item: Any = None,
                   limit: int = 200) -> tuple[list[TwiceGroup], int]:
    """Households (matched by the keyed hash of the KK or of the head's NIK, so across RWs,
    programmes and aggregators) that received the same item more than once between the
    two dates. Returns the first ``limit`` groups and how many there are in all.

    Reads the repeats marked when each handout was recorded (a partial index), not the
    whole table: all of Jakarta in well under a second."""
    repeats = Handout.objects.filter(
        repeat_of__isnull=False, given_on__gte=date_from, given_on__lte=date_to,
        repeat_of__given_on__gte=date_from, repeat_of__given_on__lte=date_to)
    if item is not None:
        repeats = repeats.filter(item=item)
    scope = _rw_scope(user)
    if scope is not None:
        repeats = repeats.filter(scope | _rw_scope_of_original(user))
    region, original = in_actors_regions(user), in_actors_regions(user, "repeat_of__rw__code")
    if region is not None and original is not None:
        repeats = repeats.filter(region & original)
    keys: dict[tuple[str, int, str], None] = {}
    for item_id, match, kk_hash, nik_hash in repeats.order_by("given_on", "pk").values_list(
            "item_id", "repeat_match", "kk_hash", "nik_hash").iterator(chunk_size=5000):
        keys.setdefault((match, item_id, kk_hash if match == "kk" else nik_hash), None)
    total = len(keys)
    groups = list(keys)[:limit]
    base = Handout.objects.filter(given_on__gte=date_from, given_on__lte=date_to)
    # Another region's handouts (and households) are never shown, even in a group that
    # crosses regions: each region's people see their part of it.
    region = in_actors_regions(user)
    if region is not None:
        base = base.filter(region)
    wanted = Q(pk__in=[])
    for match in ("kk", "nik"):
        digests = {d for m, _i, d in groups if m == match}
        if digests:
            wanted |= Q(**{f"{match}_hash__in": digests})
    found = list(base.filter(wanted).select_related(
        "household", "item", "handover__program", "handover__delivery__executor")
        .order_by("given_on", "pk"))
    result: list[TwiceGroup] = []
    for match, item_id, digest in groups:
        handouts = [h for h in found
                    if h.item_id == item_id and getattr(h, f"{match}_hash") == digest]
        if len(handouts) < 2:
            continue
        first = handouts[0].household
        result.append(TwiceGroup(handouts[0].item, match,
                                 first.kk_masked if match == "kk" else first.nik_masked,
                                 handouts))
    return result, total


def _rw_scope_of_original(user: Any) -> Q:
    """An officer also sees a repeat in another village when the first handout was in its
    own (the household moved, or is listed twice)."""
    q = _rw_scope(user, "repeat_of__rw__code")
    return q if q is not None else Q()


def late_distributions(*, days: int, user: Any) -> QuerySet[Handover]:
    """Signed BASTs to RWs older than ``days`` days with no handout recorded on them."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    qs = (signed_basts_for_rw_all().filter(signed_at__lte=cutoff)
          .exclude(Exists(Handout.objects.filter(handover=OuterRef("pk"))))
          .select_related("delivery__recipient__area__parent", "delivery__executor"))
    scope = _rw_scope(user, "delivery__recipient__area__code")
    return (qs if scope is None else qs.filter(scope)).order_by("signed_at")


def signed_basts_for_rw_all() -> QuerySet[Handover]:
    return (Handover.objects.filter(state=Handover.State.SIGNED,
                                    delivery__recipient__kind=Recipient.Kind.RW)
            .exclude(superseded_by__state=Handover.State.SIGNED).select_related("program"))


def flagged_households(user: Any) -> QuerySet[Household]:
    return (households_visible_to(user)
            .filter(Q(duplicate_kk=True) | Q(duplicate_nik=True) | Q(wrong_rw=True),
                    flags_resolved_at__isnull=True).order_by("rw_id", "rt", "pk"))


# Public figures --------------------------------------------------------------------------

def suppressed(n: int) -> int | None:
    """None for counts under 5: shown as "<5", so nobody is singled out."""
    return n if n >= SUPPRESS_BELOW else None


PRIMARY = "<5"
# Hidden although 5 or more, so that the total minus the cells shown is never one cell
# under 5 (secondary suppression). Statistics offices mark such cells "x".
SECONDARY = "x"


def suppression_marks(cells: dict[str, int]) -> dict[str, str]:
    """Per cell of a total that is published: "" shown, "<5" under 5, "x" hidden as well.

    A total of 5 or more is shown; if exactly one of its cells is under 5, the total minus
    the others would give it away, so the smallest other cell is hidden too. With two or
    more hidden cells only their sum can be worked out. A total under 5 is itself hidden
    (and then every cell is under 5)."""
    marks = {code: (PRIMARY if n < SUPPRESS_BELOW else "") for code, n in cells.items()}
    hidden = [code for code, mark in marks.items() if mark]
    if sum(cells.values()) >= SUPPRESS_BELOW and len(hidden) == 1:
        smallest = min((n, code) for code, n in cells.items() if not marks[code])
        marks[smallest[1]] = SECONDARY
    return marks


@dataclass(frozen=True)
class PublicFigure:
    code: str
    name: str
    level: str  # "village" or "rw"
    listed: int | None
    reached: int | None
    # Why a count is None: "<5" (under 5) or "x" (hidden so that a count under 5 cannot
    # be worked out from the total).
    listed_mark: str = ""
    reached_mark: str = ""

    @property
    def share(self) -> int | None:
        if self.listed is None or self.reached is None:
            return None
        return round(100 * self.reached / self.listed)


def public_figures(*, within: str = "") -> list[PublicFigure]:
    """Per village and per RW: households listed and reached at least once, and the
    share; every count under 5 suppressed (and the share with it), and a second count of
    the village suppressed where one alone could be worked out from the village's total.

    Villages are always counted whole, whatever ``within`` narrows the rows to, so two
    views never differ by a part of a village."""
    village_prefixes = {within[:13]} if len(within) >= 13 else None
    counts = RwTally.objects.all()
    if within:
        counts = counts.filter(rw__code__startswith=within[:13])
    listed: dict[str, int] = {}
    reached: dict[str, int] = {}
    for rw, n_listed, n_reached in counts.values_list("rw_id", "listed", "reached"):
        if n_listed or n_reached:
            listed[rw], reached[rw] = n_listed, n_reached
    per_village: dict[str, list[str]] = defaultdict(list)
    for code in sorted(listed):
        if village_prefixes is None or code[:13] in village_prefixes:
            per_village[code[:13]].append(code)
    names: dict[str, str] = dict(Area.objects.filter(code__in=[*listed, *per_village])
                                 .values_list("code", "name"))
    rows: list[PublicFigure] = []
    for village in sorted(per_village):
        codes = per_village[village]
        shown_rws = [c for c in codes if c.startswith(within)]
        if not shown_rws and not village.startswith(within):
            continue
        v_listed = sum(listed[c] for c in codes)
        v_reached = sum(reached[c] for c in codes)
        listed_marks = suppression_marks({c: listed[c] for c in codes})
        reached_marks = suppression_marks({c: reached[c] for c in codes})
        rows.append(PublicFigure(village, names.get(village, village), "village",
                                 suppressed(v_listed), suppressed(v_reached),
                                 "" if v_listed >= SUPPRESS_BELOW else PRIMARY,
                                 "" if v_reached >= SUPPRESS_BELOW else PRIMARY))
        for code in shown_rws:
            rows.append(PublicFigure(
                code, names.get(code, code), "rw",
                None if listed_marks[code] else listed[code],
                None if reached_marks[code] else reached[code],
                listed_marks[code], reached_marks[code]))
    return rows


# The citizen's check ---------------------------------------------------------------------

@dataclass(frozen=True)
class Received:
    item: str
    unit: str
    quantity: int
    date: dt.date


@dataclass(frozen=True)
class CheckResult:
    listed: bool
    rw_code: str = ""
    rw_name: str = ""
    village_name: str = ""
    received: tuple[Received, ...] = ()
    # For a "registered but received nothing" report: the round of the RW's latest BAST.
    round_id: int | None = None
    bast_signed: bool = False


def citizen_check(*, nik: str, kk: str) -> CheckResult:
    """Whether a household with both this head's NIK and this KK is listed, in which RW,
    and what it received when. Nothing else: no name, RT or members."""
    nik, kk = identity.normalise(nik), identity.normalise(kk)
    household = (Household.objects.filter(
        kk_hash=identity.keyed_hash("kk", kk), nik_hash=identity.keyed_hash("nik", nik),
        status=Household.Status.ACTIVE).select_related("rw__parent").order_by("pk").first())
    if household is None:
        return CheckResult(listed=False)
    received = tuple(
        Received(h.item.name, h.item.get_unit_display(), h.quantity, h.given_on)
        for h in Handout.objects.filter(household=household).select_related("item")
        .order_by("given_on", "pk"))
    latest = signed_basts_for_rw(household.rw_id).first()

    rnd = bast_round(latest) if latest else None
    return CheckResult(listed=True, rw_code=household.rw_id, rw_name=household.rw.name,
                       village_name=household.rw.parent.name if household.rw.parent else "",
                       received=received, round_id=rnd.pk if rnd else None,
                       bast_signed=latest is not None)
