from django.urls import include, path
from rest_framework.routers import DefaultRouter

from ksbb.api.areas import AreaViewSet
from ksbb.api.organizations import OrganizationViewSet

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("organizations", OrganizationViewSet, basename="organization")

urlpatterns = [path("", include(router.urls))]
