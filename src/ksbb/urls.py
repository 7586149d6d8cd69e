from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ksbb.api.proofs import keys_json
from ksbb.web.public.views import healthz, ping

urlpatterns = [
    path("", include("ksbb.web.public.urls")),
    path("healthz", healthz, name="healthz"),
    path("healthz/ping", ping, name="ping"),
    path(".well-known/ksbb-keys.json", keys_json, name="ksbb-keys"),
    # Sign-in with brute-force protection and two-factor steps, account security.
    path("accounts/", include("ksbb.web.accounts.urls")),
    # The language switcher is in every page's header, also in the pages cached for anonymous
    # visitors, which must not carry a CSRF token (it would be another visitor's). Choosing a
    # language changes nothing but a cookie, so it needs no CSRF protection.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("backoffice/", include("ksbb.web.backoffice.urls")),
    path("orgs/", include("ksbb.web.orgs.urls")),
    path("field/", include("ksbb.web.field.urls")),
    path("donations/", include("ksbb.web.donations.urls")),
    path("notifications/", include("ksbb.web.notifications.urls")),
    path("api/v1/", include("ksbb.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads its start-up script from a URL: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(
        url_name="schema", template_name="api/swagger_ui.html"), name="swagger-ui"),
    path("admin/", admin.site.urls),
]

# A "database is locked" that escaped a view (e.g. saving the session) is a 503 too.
handler500 = "ksbb.web.middleware.server_error"
handler403 = "ksbb.web.errors.permission_denied"

admin.site.site_header = "KSBB"
admin.site.site_title = "KSBB"
