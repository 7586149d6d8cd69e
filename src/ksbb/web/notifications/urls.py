from django.urls import path

from ksbb.web.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("<int:pk>/", views.OpenView.as_view(), name="open"),
    path("<int:pk>/read/", views.MarkReadView.as_view(), name="read"),
    path("read-all/", views.MarkAllReadView.as_view(), name="read_all"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
]
