from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the platform: ``ksbb up``, the demo data set."""

    name = "ksbb.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        # Django app loading: the deploy checks register once the apps are ready.
        from ksbb.ops import checks  # noqa: F401
