from django.urls import path, re_path

from ksbb.web.field import views

app_name = "field"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    re_path(r"^villages/(?P<code>\d{2}\.\d{2}\.\d{2}\.\d{4})/$", views.VillageView.as_view(),
            name="village"),
    path("recipients/", views.RecipientListView.as_view(), name="recipients"),
    path("recipients/<int:pk>/", views.RecipientView.as_view(), name="recipient"),
]
