from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "ksbb.stats"
    label = "stats"
    verbose_name = _("Statistics and open data")

    def ready(self) -> None:
        # Signals here only invalidate the statistics cache; they carry no business logic
        # (that stays in the services), so the donations services need not know about
        # statistics.
        from django.db.models.signals import post_delete, post_save

        from ksbb.distribution.models import Delivery, Handover
        from ksbb.donations.models import Pledge, Purchase, PurchaseFunding
        from ksbb.stats.signals import invalidate_on_change

        for model in (Pledge, Purchase, PurchaseFunding, Delivery, Handover):
            post_save.connect(invalidate_on_change, sender=model,
                              dispatch_uid=f"ksbb.stats.invalidate.save.{model.__name__}")
            post_delete.connect(invalidate_on_change, sender=model,
                                dispatch_uid=f"ksbb.stats.invalidate.delete.{model.__name__}")
