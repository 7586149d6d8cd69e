from django.urls import path

from ksbb.api import proofs

urlpatterns = [
    path("keys/", proofs.KeysView.as_view(), name="proofs-keys"),
    path("checkpoints/", proofs.CheckpointsView.as_view(), name="proofs-checkpoints"),
    path("checkpoints/latest/", proofs.LatestCheckpointView.as_view(),
         name="proofs-checkpoint-latest"),
    path("leaves/", proofs.LeavesView.as_view(), name="proofs-leaves"),
    path("consistency/", proofs.ConsistencyView.as_view(), name="proofs-consistency"),
    path("inclusion/", proofs.InclusionView.as_view(), name="proofs-inclusion"),
    path("handovers/<str:code>/", proofs.HandoverProofView.as_view(),
         name="proofs-handover"),
]
