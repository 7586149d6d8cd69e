from django.urls import path

from ksbb.web.donations import (
    aggregator_views,
    collaborator_views,
    privacy_views,
    public_views,
    verification_views,
)

app_name = "donations"
urlpatterns = [
    # Public.
    path("register/", public_views.collaborator_register_view, name="register"),
    path("verify-email/<str:token>/", public_views.verify_email, name="verify_email"),
    path("aggregators/", public_views.AggregatorListView.as_view(), name="aggregators"),
    path("aggregators/register/", public_views.aggregator_register_view,
         name="aggregator_register"),
    # Collaborators.
    path("mine/", collaborator_views.MyPledgesView.as_view(), name="mine"),
    path("links/<str:token>/", collaborator_views.CollaboratorLinkView.as_view(),
         name="link_accept"),
    # Personal data (UU PDP): the signed-in person's own data and its erasure.
    path("mine/data/", privacy_views.MyDataView.as_view(), name="my_data"),
    path("mine/data/export.json", privacy_views.MyDataExportView.as_view(),
         name="my_data_export"),
    path("mine/data/erase/", privacy_views.MyDataEraseView.as_view(), name="my_data_erase"),
    path("pledges/new/", collaborator_views.PledgeCreateView.as_view(), name="pledge_new"),
    path("pledges/new/programmes/", collaborator_views.PledgeChoicesView.as_view(),
         name="pledge_choices"),
    path("pledges/<int:pk>/", collaborator_views.PledgeDetailView.as_view(), name="pledge"),
    path("pledges/<int:pk>/cancel/", collaborator_views.PledgeCancelView.as_view(),
         name="pledge_cancel"),
    path("pledges/<int:pk>/receipt.pdf", collaborator_views.PledgeReceiptPdfView.as_view(),
         name="pledge_receipt"),
    # Everyone: where aid is needed.
    path("needs/", public_views.NeedMapView.as_view(), name="needs"),
    # Aggregators.
    path("inbox/", aggregator_views.InboxView.as_view(), name="inbox"),
    path("pledges/<int:pk>/receive/", aggregator_views.PledgeReceiveView.as_view(),
         name="pledge_receive"),
    path("pledges/<int:pk>/reject/", aggregator_views.PledgeRejectView.as_view(),
         name="pledge_reject"),
    path("purchases/", aggregator_views.PurchasesView.as_view(), name="purchases"),
    path("purchases/<int:pk>/receipt/", aggregator_views.PurchaseReceiptView.as_view(),
         name="purchase_receipt"),
    path("import/", aggregator_views.PledgeImportView.as_view(), name="import"),
    # Platform administrators.
    path("verification/", verification_views.VerificationQueueView.as_view(),
         name="verification"),
    path("verification/<int:pk>/verify/", verification_views.AggregatorVerifyView.as_view(),
         name="aggregator_verify"),
]
