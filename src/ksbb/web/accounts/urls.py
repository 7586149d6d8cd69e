from django.contrib.auth import views as auth_views
from django.urls import path

from ksbb.web.accounts import views

# Un-namespaced names, like Django's own "login" and "logout".
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/backup-codes/", views.mfa_backup_codes, name="mfa_backup_codes"),
    path("two-factor/new-codes/", views.two_factor_codes, name="two_factor_codes"),
    path("two-factor/off/", views.two_factor_off, name="two_factor_off"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="registration/reset_sent.html"), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="registration/reset_complete.html"),
         name="password_reset_complete"),
    path("confirm/<str:token>/", views.email_confirm, name="email_confirm"),
]
