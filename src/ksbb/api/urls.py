from django.urls import include, path
from rest_framework.routers import DefaultRouter

from ksbb.api.allocation import AllocationRunViewSet, AllocationViewSet
from ksbb.api.areas import AreaViewSet
from ksbb.api.distribution import DeliveryViewSet, HandoverViewSet
from ksbb.api.donations import (
    AggregatorViewSet,
    ItemViewSet,
    PledgeViewSet,
    ProgramViewSet,
    PurchaseViewSet,
)
from ksbb.api.forum import IdeaViewSet
from ksbb.api.households import HandoutViewSet, HouseholdReportViewSet, HouseholdViewSet
from ksbb.api.needs import NeedViewSet, RecipientViewSet, RoundViewSet
from ksbb.api.notifications import NotificationViewSet
from ksbb.api.organizations import OrganizationViewSet
from ksbb.api.reports import ReportViewSet
from ksbb.api.stats import StatsViewSet
from ksbb.stats.pagecache import cached_api

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("programs", ProgramViewSet, basename="program")
router.register("items", ItemViewSet, basename="item")
router.register("aggregators", AggregatorViewSet, basename="aggregator")
router.register("pledges", PledgeViewSet, basename="pledge")
router.register("purchases", PurchaseViewSet, basename="purchase")
router.register("recipients", RecipientViewSet, basename="recipient")
router.register("rounds", RoundViewSet, basename="round")
router.register("needs", NeedViewSet, basename="need")
router.register("reports", ReportViewSet, basename="report")
router.register("ideas", IdeaViewSet, basename="idea")
router.register("stats", StatsViewSet, basename="stats")
router.register("allocation_runs", AllocationRunViewSet, basename="allocation_run")
router.register("allocations", AllocationViewSet, basename="allocation")

router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("handovers", HandoverViewSet, basename="handover")
router.register("households", HouseholdViewSet, basename="household")
router.register("handouts", HandoutViewSet, basename="handout")
router.register("household-reports", HouseholdReportViewSet, basename="household_report")
router.register("notifications", NotificationViewSet, basename="notification")

# The public statistics, answered from the page cache for anonymous clients before DRF
# starts (ksbb.stats.pagecache.cached_api); the router's routes below serve everything else
# and give the names (stats-dashboard, stats-coverage) and the schema.
urlpatterns = [
    path("stats/dashboard/", cached_api(
        "api-dashboard", StatsViewSet.as_view({"get": "dashboard"})),
        name="stats-dashboard-cached"),
    path("stats/coverage/", cached_api(
        "api-coverage", StatsViewSet.as_view({"get": "coverage"})),
        name="stats-coverage-cached"),
    path("stats/national/", cached_api(
        "api-national", StatsViewSet.as_view({"get": "national"})),
        name="stats-national-cached"),
    path("proofs/", include("ksbb.api.proofs_urls")),
    path("", include(router.urls)),
]
