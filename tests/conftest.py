"""The shared cast: one user per role, plus an outsider from another organisation.

Built through the services, as the application would, so the audit log is real too.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from ksbb.accounts.models import Organization, Role, User
from ksbb.accounts.services import membership_grant, organization_create, user_create
from ksbb.areas.models import Area
from ksbb.areas.services import areas_load_reference, rws_import
from ksbb.core.domain import SystemActor
from ksbb.needs.models import Recipient
from ksbb.needs.services import recipients_ensure_for_rws
from ksbb.regions.models import Region
from ksbb.regions.services import region_add, region_link_organization

PASSWORD = "correct-horse-battery-9"
# Who builds the fixtures: a named system actor, as a command would be.
SETUP = SystemActor("test")
# Two villages in Jakarta Pusat, Gambir district, and one elsewhere.
VILLAGE_A = "31.71.01.1001"
VILLAGE_B = "31.71.01.1002"
VILLAGE_OTHER = "31.75.01.1001"


@dataclass
class Cast:
    admin: User
    assessor: User
    aggregator: User
    executor: User
    kelurahan: User
    ketua_rw: User
    collaborator: User
    outsider: User
    government: Organization
    aggregator_org: Organization
    executor_org: Organization
    collaborator_org: Organization
    outsider_org: Organization
    recipient: Recipient
    other_recipient: Recipient

    @property
    def users(self) -> dict[str, User]:
        return {name: getattr(self, name) for name in ROLE_NAMES}


ROLE_NAMES = ["admin", "assessor", "aggregator", "executor", "kelurahan", "ketua_rw",
              "collaborator", "outsider"]


def _rw_rows(codes: list[tuple[str, int]]) -> list[tuple[int, dict[str, str]]]:
    return [
        (n + 2, {"village_code": v, "rw": str(rw), "households": "300", "population": "1200",
                 "poor_households": "40"})
        for n, (v, rw) in enumerate(codes)
    ]


@pytest.fixture
def jakarta(db: None) -> None:
    """DKI Jakarta's areas and a handful of RWs."""
    areas_load_reference(by=SETUP, provinces=["31"])
    rws_import(rows=_rw_rows([(VILLAGE_A, 1), (VILLAGE_A, 2), (VILLAGE_B, 1),
                              (VILLAGE_OTHER, 1)]), by=SETUP)
    recipients_ensure_for_rws(by=SETUP)


@pytest.fixture
def cast(jakarta: None) -> Cast:
    def user(name: str, superuser: bool = False) -> User:
        return user_create(username=name, password=PASSWORD, by=SETUP, full_name=name.title(),
                           is_superuser=superuser)

    def org(kind: str, name: str) -> Organization:
        return organization_create(kind=kind, name=name, by=SETUP)

    government = org(Organization.Kind.GOVERNMENT, "Dinas Sosial")
    kelurahan_office = org(Organization.Kind.GOVERNMENT, "Kelurahan Gambir")
    aggregator_org = org(Organization.Kind.AGGREGATOR, "BAZNAS DKI")
    executor_org = org(Organization.Kind.EXECUTOR, "Relawan Gambir")
    collaborator_org = org(Organization.Kind.COLLABORATOR, "PT Sembako")
    outsider_org = org(Organization.Kind.AGGREGATOR, "Lembaga Lain")
    recipient = Recipient.objects.get(area_id=f"{VILLAGE_A}.001")
    other_recipient = Recipient.objects.get(area_id=f"{VILLAGE_OTHER}.001")

    admin = user("admin", superuser=True)
    membership_grant(user=admin, role=Role.PLATFORM_ADMIN, by=SETUP)
    assessor = user("assessor")
    membership_grant(user=assessor, role=Role.ASSESSOR, organization=government, by=SETUP)
    aggregator = user("aggregator")
    membership_grant(user=aggregator, role=Role.AGGREGATOR_STAFF, organization=aggregator_org,
                     by=SETUP)
    executor = user("executor")
    membership_grant(user=executor, role=Role.EXECUTOR_STAFF, organization=executor_org,
                     by=SETUP)
    kelurahan = user("kelurahan")
    membership_grant(user=kelurahan, role=Role.KELURAHAN_OFFICER,
                     organization=kelurahan_office,
                     villages=[Area.objects.get(code=VILLAGE_A)], by=SETUP)
    ketua_rw = user("ketua_rw")
    membership_grant(user=ketua_rw, role=Role.RECIPIENT_REPRESENTATIVE, recipient=recipient,
                     by=SETUP)
    collaborator = user("collaborator")
    membership_grant(user=collaborator, role=Role.COLLABORATOR, organization=collaborator_org,
                     by=SETUP)
    outsider = user("outsider")
    membership_grant(user=outsider, role=Role.AGGREGATOR_STAFF, organization=outsider_org,
                     by=SETUP)
    return Cast(admin, assessor, aggregator, executor, kelurahan, ketua_rw, collaborator,
                outsider, government, aggregator_org, executor_org, collaborator_org,
                outsider_org, recipient, other_recipient)


def english_client() -> Client:
    """Test assertions are in English; pages default to Indonesian (see test_i18n)."""
    c = Client()
    c.cookies["django_language"] = "en"
    return c


@pytest.fixture
def client() -> Client:
    return english_client()


@pytest.fixture
def client_for():  # type: ignore[no-untyped-def]
    """client_for(user) -> a test client signed in as user (None: anonymous)."""

    def make(user: User | None) -> Client:
        c = english_client()
        if user is not None:
            c.force_login(user)
            # Roles that must use two-factor sign-in get a client past that step.
            from tests.otp import needs_second_factor, otp_verify_client

            if needs_second_factor(user):
                otp_verify_client(c, user)
        return c

    return make


@pytest.fixture(autouse=True)
def _english_outside_requests():  # type: ignore[no-untyped-def]
    """Assertions are written in English; requests still choose their own language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _own_cache(settings):  # type: ignore[no-untyped-def]
    # The default cache is a file cache in the data folder, shared by every process: a test
    # gets an empty one of its own, so that no count (rate limits, lockouts) leaks between
    # tests or between two test runs on one machine.
    import uuid

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"test-{uuid.uuid4().hex}"}}


@pytest.fixture(autouse=True)
def _no_api_rate_limits(settings):  # type: ignore[no-untyped-def]
    # The suite sends thousands of API requests from one address (Schemathesis alone sends
    # about 5,000 anonymously); tests/api/test_throttling.py switches the limits on.
    settings.KSBB_API_THROTTLE_RATES = {"anon": None, "user": None}


@pytest.fixture(autouse=True)
def _no_pages_from_another_test():  # type: ignore[no-untyped-def]
    # Public pages are cached by statistics generation; each test's database starts again
    # from the same numbers, so a page kept by an earlier test must not be served.
    from django.core.cache import cache

    from ksbb.stats.pagecache import clear_local, forget_generation

    cache.clear()
    clear_local()
    forget_generation()
    yield
    clear_local()
    forget_generation()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # PBKDF2's deliberate slowness is for attackers, not for a test suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _flushes(item: pytest.Item) -> bool:
    """Whether pytest-django runs ``item`` as a TransactionTestCase, which ends by flushing
    the database (the same test as its ``_django_db_helper``)."""
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(
        (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or "transactional_db" in names or "live_server" in names)


def restore_migrated_rows() -> None:
    """Put back the rows the data migrations make in a new database (the standard
    programmes and their items, the default region), with the migrations' own code."""
    import importlib

    from django.apps import apps

    from ksbb.donations.models import Item, Program
    from ksbb.donations.seed import seed_programs

    seed_programs(Program, Item)
    importlib.import_module("ksbb.regions.migrations.0002_default_region").forwards(apps, None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):  # type: ignore[no-untyped-def]
    """A transactional test's flush also empties what the migrations made. Every later test
    then finds the installation as migrated again, as it does when run alone (pytest-django
    runs transactional tests last, so only they ever started from the flushed database)."""
    result = yield
    # After the last test the session's fixtures are gone too, the test database with them.
    if _flushes(item) and nextitem is not None:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            restore_migrated_rows()
    return result


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Tests of PostgreSQL's own guarantees (triggers, row locks) run only there; CI runs
    the suite on both databases, so they always run somewhere."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    only_pg = pytest.mark.skipif(True, reason="PostgreSQL only; CI runs it on PostgreSQL")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(only_pg)


# A second region (issue 18): Kota Bandung, with its own government people. The shared
# cast's government organisations are linked to no region, so they work in the default
# region, Jakarta.
VILLAGE_BANDUNG = "32.73.01.1001"
BANDUNG_ROLE_NAMES = ["admin", "assessor", "kelurahan"]


@dataclass
class RegionCast:
    region: Region
    government: Organization
    kelurahan_office: Organization
    admin: User  # the region's administrator (platform administrator of its government)
    assessor: User
    kelurahan: User
    ketua_rw: User
    recipient: Recipient

    @property
    def users(self) -> dict[str, User]:
        return {name: getattr(self, name) for name in BANDUNG_ROLE_NAMES}


@pytest.fixture
def bandung(cast: Cast) -> RegionCast:
    region = region_add(code="32.73", name="KSBB Kota Bandung", by=SETUP)
    rws_import(rows=_rw_rows([(VILLAGE_BANDUNG, 1)]), by=SETUP)
    recipients_ensure_for_rws(by=SETUP)
    government = region.organizations.get()
    office = organization_create(kind=Organization.Kind.GOVERNMENT, name="Kelurahan Sukarasa",
                                 by=SETUP)
    region_link_organization(region=region, organization=office, by=SETUP)
    recipient = Recipient.objects.get(area_id=f"{VILLAGE_BANDUNG}.001")

    def user(name: str) -> User:
        return user_create(username=name, password=PASSWORD, by=SETUP, full_name=name.title())

    admin = user("bandung_admin")
    membership_grant(user=admin, role=Role.PLATFORM_ADMIN, organization=government, by=SETUP)
    assessor = user("bandung_assessor")
    membership_grant(user=assessor, role=Role.ASSESSOR, organization=government, by=SETUP)
    kelurahan = user("bandung_kelurahan")
    membership_grant(user=kelurahan, role=Role.KELURAHAN_OFFICER, organization=office,
                     villages=[Area.objects.get(code=VILLAGE_BANDUNG)], by=SETUP)
    ketua_rw = user("bandung_ketua_rw")
    membership_grant(user=ketua_rw, role=Role.RECIPIENT_REPRESENTATIVE, recipient=recipient,
                     by=SETUP)
    return RegionCast(region, government, office, admin, assessor, kelurahan, ketua_rw,
                      recipient)
