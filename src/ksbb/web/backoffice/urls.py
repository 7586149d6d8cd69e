from django.urls import path

from ksbb.web.backoffice import needs_views, views

app_name = "backoffice"
urlpatterns = [path("", views.HomeView.as_view(), name="home")]
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
