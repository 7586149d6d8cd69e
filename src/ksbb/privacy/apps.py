from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal data protection (UU PDP): a person's own data export and erasure, and the
    retention purge. No models of its own: it works on the other apps' records."""

    name = "ksbb.privacy"
    label = "privacy"
    verbose_name = _("Personal data")
