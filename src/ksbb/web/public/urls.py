from django.urls import path

from ksbb.web.public import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/data/", views.about_data, name="about_data"),
    path("about/data/odbl.txt", views.odbl, name="odbl"),
]
