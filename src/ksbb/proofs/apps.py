from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProofsConfig(AppConfig):
    name = "ksbb.proofs"
    label = "proofs"
    verbose_name = _("proofs")
    default_auto_field = "django.db.models.BigAutoField"
