from django.urls import path, re_path

from ksbb.web.field import deliveries_views, views

app_name = "field"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    re_path(r"^villages/(?P<code>\d{2}\.\d{2}\.\d{2}\.\d{4})/$", views.VillageView.as_view(),
            name="village"),
    path("recipients/", views.RecipientListView.as_view(), name="recipients"),
    path("recipients/<int:pk>/", views.RecipientView.as_view(), name="recipient"),
]
urlpatterns += [
    path("deliveries/", deliveries_views.DeliveryListView.as_view(), name="deliveries"),
    path("deliveries/<int:pk>/", deliveries_views.DeliveryDetailView.as_view(), name="delivery"),
    re_path(r"^deliveries/(?P<pk>\d+)/(?P<step>dispatch|deliver|cancel|fail|verify)/$",
            deliveries_views.DeliveryStepView.as_view(), name="delivery_step"),
    path("deliveries/<int:pk>/handover/", deliveries_views.HandoverCreateView.as_view(),
         name="handover_new"),
    path("handovers/<int:pk>/", deliveries_views.HandoverDetailView.as_view(), name="handover"),
    path("handovers/<int:pk>/confirm/", deliveries_views.HandoverConfirmView.as_view(),
         name="handover_confirm"),
    path("handovers/<int:pk>/photos/", deliveries_views.HandoverPhotoView.as_view(),
         name="handover_photo"),
    path("handovers/<int:pk>/paper/", deliveries_views.HandoverPaperView.as_view(),
         name="handover_paper"),
    path("handovers/<int:pk>/paper/file/", deliveries_views.HandoverPaperFileView.as_view(),
         name="handover_paper_file"),
    path("handovers/<int:pk>/photos/<int:photo>/", deliveries_views.HandoverPhotoFileView.as_view(),
         name="handover_photo_file"),
    path("handovers/<int:pk>/accept-paper/", deliveries_views.HandoverAcceptPaperView.as_view(),
         name="handover_accept_paper"),
    path("handovers/<int:pk>/correct/", deliveries_views.HandoverCorrectView.as_view(),
         name="handover_correct"),
    path("handovers/<int:pk>/pdf/", deliveries_views.HandoverPdfView.as_view(),
         name="handover_pdf"),
]

from ksbb.web.field import households_views  # noqa: E402

urlpatterns += [
    path("households/", households_views.RwListView.as_view(), name="household_rws"),
    re_path(r"^households/rw/(?P<code>\d{2}\.\d{2}\.\d{2}\.\d{4}\.\d{3})/$",
            households_views.RwView.as_view(), name="household_rw"),
    re_path(r"^households/rw/(?P<code>\d{2}\.\d{2}\.\d{2}\.\d{4}\.\d{3})/new/$",
            households_views.AddView.as_view(), name="household_new"),
    re_path(r"^households/rw/(?P<code>\d{2}\.\d{2}\.\d{2}\.\d{4}\.\d{3})/cards/$",
            households_views.CardsView.as_view(), name="household_cards"),
    path("households/<int:pk>/", households_views.HouseholdView.as_view(), name="household"),
    path("households/<int:pk>/edit/", households_views.EditView.as_view(),
         name="household_edit"),
    path("households/<int:pk>/status/", households_views.StatusView.as_view(),
         name="household_status"),
    path("handovers/<int:pk>/households/", households_views.ChecklistView.as_view(),
         name="handout_checklist"),
    path("handovers/<int:pk>/households/<int:household>/", households_views.TapView.as_view(),
         name="handout_tap"),
    path("handouts/<int:pk>/photo/", households_views.HandoutPhotoView.as_view(),
         name="handout_photo"),
    path("handouts/<int:pk>/photo/file/", households_views.HandoutPhotoFileView.as_view(),
         name="handout_photo_file"),
]
