from django.urls import path

from ksbb.web.public import (
    coverage_views,
    forum_views,
    guide_views,
    maps,
    opendata_views,
    region_views,
    reports_views,
    scan_views,
    verify_views,
    views,
)

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/data/", views.about_data, name="about_data"),
    path("about/data/odbl.txt", views.odbl, name="odbl"),
    path("about/data/cc-by-igo.txt", views.cc_by_igo, name="cc_by_igo"),
    path("signup/", forum_views.signup_view, name="signup"),
    path("ideas/", forum_views.idea_list, name="ideas"),
    path("ideas/new/", forum_views.IdeaCreateView.as_view(), name="idea_new"),
    path("ideas/<int:pk>/", forum_views.idea_detail, name="idea"),
    path("ideas/<int:pk>/support/", forum_views.IdeaSupportView.as_view(), name="idea_support"),
    path("ideas/<int:pk>/unsupport/", forum_views.IdeaUnsupportView.as_view(),
         name="idea_unsupport"),
    path("ideas/<int:pk>/answer/", forum_views.IdeaAnswerView.as_view(), name="idea_answer"),
]
urlpatterns += [
    path("reports/new/", reports_views.report_new, name="report_new"),
    path("reports/track/", reports_views.report_track_lookup, name="report_track_lookup"),
    path("reports/track/<str:code>/", reports_views.report_track, name="report_track"),
]
urlpatterns += [
    # Before verify/<code>/: "scan" is not a code (codes have 12 characters).
    path("verify/", verify_views.verify_form, name="verify_form"),
    path("verify/scan/", scan_views.scan_page, name="verify_scan"),
    path("verify/scan/sw.js", scan_views.scan_worker, name="verify_scan_worker"),
    path("verify/<str:code>/", verify_views.verify_handover, name="verify"),
]
urlpatterns += [
    path("open-data/", opendata_views.opendata_index, name="opendata"),
    path("open-data/<slug:dataset>.<str:fmt>", opendata_views.opendata_file,
         name="opendata_file"),
]
urlpatterns += [path("coverage/", coverage_views.coverage_page, name="coverage")]
urlpatterns += [path("maps/areas.geojson", maps.geometry, name="map_geometry")]
# Regions (issue 18): each region's own page, and the nation's. The default region's is "/".
urlpatterns += [
    path("r/<slug:slug>/", region_views.region_home, name="region"),
    path("nasional/", region_views.national_page, name="national"),
]
urlpatterns += [
    path("guide/", guide_views.guide_index, name="guide"),
    path("guide/img/<str:name>", guide_views.guide_image, name="guide_image"),
    path("guide/<slug:role>/", guide_views.guide_page, name="guide_page"),
]

from ksbb.web.public import households_views  # noqa: E402

urlpatterns += [
    path("cek-bantuan/", households_views.household_check, name="household_check"),
    path("households/figures/", households_views.household_figures, name="household_figures"),
]

from ksbb.web import pickers  # noqa: E402

urlpatterns += [
    # Suggestions of the name pickers (ksbb/web/pickers.py), as the person types.
    path("areas/search/", pickers.area_suggestions, name="area_search"),
    path("recipients/search/", pickers.recipient_suggestions, name="recipient_search"),
]
