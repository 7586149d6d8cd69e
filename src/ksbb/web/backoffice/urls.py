from django.urls import path

from ksbb.web.backoffice import views

app_name = "backoffice"
urlpatterns = [path("", views.HomeView.as_view(), name="home")]
