from django.urls import path

from ksbb.web.donations import privacy_views, views

app_name = "donations"
urlpatterns = [
    # Public.
    path("register/", views.collaborator_register_view, name="register"),
    path("verify-email/<str:token>/", views.verify_email, name="verify_email"),
    path("aggregators/", views.AggregatorListView.as_view(), name="aggregators"),
    path("aggregators/register/", views.aggregator_register_view, name="aggregator_register"),
    # Collaborators.
    path("mine/", views.MyPledgesView.as_view(), name="mine"),
    path("links/<str:token>/", views.CollaboratorLinkView.as_view(), name="link_accept"),
    # Personal data (UU PDP): the signed-in person's own data and its erasure.
    path("mine/data/", privacy_views.MyDataView.as_view(), name="my_data"),
    path("mine/data/export.json", privacy_views.MyDataExportView.as_view(),
         name="my_data_export"),
    path("mine/data/erase/", privacy_views.MyDataEraseView.as_view(), name="my_data_erase"),
    path("pledges/new/", views.PledgeCreateView.as_view(), name="pledge_new"),
    path("pledges/<int:pk>/", views.PledgeDetailView.as_view(), name="pledge"),
    path("pledges/<int:pk>/cancel/", views.PledgeCancelView.as_view(), name="pledge_cancel"),
    path("pledges/<int:pk>/receipt.pdf", views.PledgeReceiptPdfView.as_view(),
         name="pledge_receipt"),
    path("needs/", views.NeedMapView.as_view(), name="needs"),
    # Aggregators.
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("pledges/<int:pk>/receive/", views.PledgeReceiveView.as_view(), name="pledge_receive"),
    path("pledges/<int:pk>/reject/", views.PledgeRejectView.as_view(), name="pledge_reject"),
    path("purchases/", views.PurchasesView.as_view(), name="purchases"),
    path("purchases/<int:pk>/receipt/", views.PurchaseReceiptView.as_view(),
         name="purchase_receipt"),
    path("import/", views.PledgeImportView.as_view(), name="import"),
    # Platform administrators.
    path("verification/", views.VerificationQueueView.as_view(), name="verification"),
    path("verification/<int:pk>/verify/", views.AggregatorVerifyView.as_view(),
         name="aggregator_verify"),
]
