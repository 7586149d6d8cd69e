from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "ksbb.stats"
    label = "stats"
    verbose_name = _("Statistics and open data")

    def ready(self) -> None:
        # Signals here only invalidate the statistics cache and mark the rollups stale when a
        # change bypassed the services; they carry no business logic (the services keep the
        # rollups, see ksbb.stats.rollups). Imported here: models exist once the apps are ready.
        from django.db.models.signals import post_delete, post_save, pre_save

        from ksbb.accounts.models import Organization
        from ksbb.allocation.models import Allocation
        from ksbb.distribution.models import Delivery, Handover
        from ksbb.donations.models import CollaboratorProfile, Pledge, Purchase, PurchaseFunding
        from ksbb.needs.models import AssessmentRound, Need, Recipient
        from ksbb.stats.signals import (
            invalidate_on_change,
            remember_keys,
            stale_if_keys_changed,
        )

        # Needs, rounds and allocations are not in the rollups, but the coverage map and
        # the need map show them: a change bumps the generation (cached pages make way).
        for model in (Pledge, Purchase, PurchaseFunding, Delivery, Handover, Need,
                      AssessmentRound, Allocation):
            post_save.connect(invalidate_on_change, sender=model,
                              dispatch_uid=f"ksbb.stats.invalidate.save.{model.__name__}")
            post_delete.connect(invalidate_on_change, sender=model,
                                dispatch_uid=f"ksbb.stats.invalidate.delete.{model.__name__}")
        # The keys of the rollups (ksbb.stats.rollups) changed outside the services.
        for keyed in (Organization, CollaboratorProfile, Recipient):
            pre_save.connect(remember_keys, sender=keyed,
                             dispatch_uid=f"ksbb.stats.keys.pre.{keyed.__name__}")
            post_save.connect(stale_if_keys_changed, sender=keyed,
                              dispatch_uid=f"ksbb.stats.keys.post.{keyed.__name__}")
