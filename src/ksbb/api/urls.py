from django.urls import include, path
from rest_framework.routers import DefaultRouter

from ksbb.api.areas import AreaViewSet
from ksbb.api.donations import (
    AggregatorViewSet,
    ItemViewSet,
    PledgeViewSet,
    ProgramViewSet,
    PurchaseViewSet,
)
from ksbb.api.needs import NeedViewSet, RecipientViewSet, RoundViewSet
from ksbb.api.organizations import OrganizationViewSet

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

urlpatterns = [path("", include(router.urls))]
