from django.urls import path

from ksbb.web.backoffice import (
    allocation_views,
    needs_views,
    regions_views,
    reports_views,
    schedule_views,
    views,
)

app_name = "backoffice"
urlpatterns = [path("", views.HomeView.as_view(), name="home")]
urlpatterns += [
    path("programmes/", regions_views.RegionProgramsView.as_view(), name="region_programs"),
]
urlpatterns += [
    path("institutions/", needs_views.InstitutionListView.as_view(), name="institutions"),
    path("institutions/new/", needs_views.InstitutionCreateView.as_view(),
         name="institution_new"),
    path("institutions/<int:pk>/verify/", needs_views.InstitutionVerifyView.as_view(),
         name="institution_verify"),
    path("rounds/", needs_views.RoundListView.as_view(), name="rounds"),
    path("rounds/new/", needs_views.RoundCreateView.as_view(), name="round_new"),
    path("rounds/<int:pk>/", needs_views.RoundDetailView.as_view(), name="round"),
    path("rounds/<int:pk>/close/", needs_views.RoundCloseView.as_view(), name="round_close"),
    path("rounds/<int:pk>/needs/", needs_views.NeedSetView.as_view(), name="need_set"),
    path("rounds/<int:pk>/imports/<str:kind>/", needs_views.NeedsImportCreateView.as_view(),
         name="needs_import_new"),
    path("rounds/<int:pk>/coverage/", needs_views.CoverageView.as_view(), name="coverage"),
    path("imports/<int:pk>/", needs_views.NeedsImportView.as_view(), name="needs_import"),
    path("imports/<int:pk>/progress/", needs_views.NeedsImportProgressView.as_view(),
         name="needs_import_progress"),
]
urlpatterns += [
    path("reports/", reports_views.ReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/", reports_views.ReportDetailView.as_view(), name="report"),
    path("reports/<int:pk>/triage/", reports_views.ReportTriageView.as_view(),
         name="report_triage"),
    path("reports/<int:pk>/investigate/", reports_views.ReportInvestigateView.as_view(),
         name="report_investigate"),
    path("reports/<int:pk>/resolve/", reports_views.ReportResolveView.as_view(),
         name="report_resolve"),
    path("reports/photos/<int:pk>/", reports_views.ReportPhotoView.as_view(),
         name="report_photo"),
]
urlpatterns += [
    path("rounds/<int:pk>/allocation_runs/new/", allocation_views.RunStartView.as_view(),
         name="allocation_run_new"),
    path("rounds/<int:pk>/allocations/new/", allocation_views.ManualAllocationView.as_view(),
         name="allocation_manual"),
    path("allocation_runs/<int:pk>/", allocation_views.RunDetailView.as_view(),
         name="allocation_run"),
    path("allocation_runs/<int:pk>/progress/", allocation_views.RunProgressView.as_view(),
         name="allocation_run_progress"),
    path("allocation_runs/<int:pk>/approve/", allocation_views.RunApproveView.as_view(),
         name="allocation_run_approve"),
    path("allocation_runs/<int:pk>/discard/", allocation_views.RunDiscardView.as_view(),
         name="allocation_run_discard"),
    path("allocation_lines/<int:pk>/edit/", allocation_views.LineEditView.as_view(),
         name="allocation_line_edit"),
]
urlpatterns += [
    path("deliveries/schedule/", schedule_views.ScheduleView.as_view(), name="schedule"),
]

from ksbb.web.backoffice import households_views  # noqa: E402

urlpatterns += [
    path("households/", households_views.HomeView.as_view(), name="households"),
    path("households/imports/new/", households_views.ImportCreateView.as_view(),
         name="household_import_new"),
    path("households/imports/<int:pk>/", households_views.ImportView.as_view(),
         name="household_import"),
    path("households/imports/<int:pk>/progress/", households_views.ImportProgressView.as_view(),
         name="household_import_progress"),
    path("households/derive/", households_views.DeriveView.as_view(), name="household_derive"),
    path("households/flags/", households_views.FlagsView.as_view(), name="household_flags"),
    path("households/<int:pk>/resolve/", households_views.ResolveView.as_view(),
         name="household_resolve"),
    path("households/reach/", households_views.ReachView.as_view(), name="household_reach"),
    path("households/twice/", households_views.TwiceView.as_view(), name="household_twice"),
    path("households/late/", households_views.LateView.as_view(), name="household_late"),
]
