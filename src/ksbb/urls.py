from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ksbb.web.public.views import healthz

urlpatterns = [
    path("", include("ksbb.web.public.urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("backoffice/", include("ksbb.web.backoffice.urls")),
    path("orgs/", include("ksbb.web.orgs.urls")),
    path("field/", include("ksbb.web.field.urls")),
    path("donations/", include("ksbb.web.donations.urls")),
    path("api/v1/", include("ksbb.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "KSBB"
admin.site.site_title = "KSBB"
