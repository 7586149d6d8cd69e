from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "ksbb.web"
    label = "web"
    verbose_name = _("Web pages")

    def ready(self) -> None:
        # Counts failed sign-ins for the account- and address-wide lockout threshold (Django
        # app loading: its signal receivers need the models, so it is imported once ready).
        from ksbb.web.accounts import lockout  # noqa: F401
