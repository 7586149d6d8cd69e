"""Names, in the reader's language, for the third-party apps the admin lists (issue 15: the
admin showed "AXES", "OTP_TOTP"). settings.INSTALLED_APPS names these configs instead of
the apps' own; everything else about the apps stays theirs."""

from __future__ import annotations

from axes.apps import AppConfig as AxesBase
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticBase
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpBase
from django_tasks_db.apps import TasksAppConfig as TasksDbBase


class AxesConfig(AxesBase):
    verbose_name = _("Sign-in lockouts")


class OtpConfig(AppConfig):
    name = "django_otp"
    verbose_name = _("Two-factor sign-in")


class OtpTotpConfig(TotpBase):
    verbose_name = _("Two-factor: authenticator apps")


class OtpStaticConfig(StaticBase):
    verbose_name = _("Two-factor: backup codes")


class TasksDbConfig(TasksDbBase):
    verbose_name = _("Background tasks")
