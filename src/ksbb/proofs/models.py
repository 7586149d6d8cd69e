"""Signing keys, signed checkpoints of the audit log's Merkle tree, the stored subtree
hashes that make proofs cheap, and the signatures of handover reports (BAST).

Only public keys are in the database; the private key is in the data folder or the
environment (see ksbb.proofs.keys).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    """A public key the platform has signed with; published for as long as the site runs,
    retired or not, so that what it signed can still be checked."""

    key_id = models.CharField(_("key id"), max_length=16, unique=True)
    algorithm = models.CharField(_("algorithm"), max_length=16, default="Ed25519")
    public_key = models.CharField(_("public key (base64url)"), max_length=64)
    created_at = models.DateTimeField(_("created"))
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.key_id


class Checkpoint(models.Model):
    """A signed statement of the log's size and Merkle root at one time. ``body`` is the
    exact signed text (canonical JSON), kept so the signature never depends on
    re-serialising it."""

    size = models.BigIntegerField(_("size"), db_index=True)
    root_hash = models.CharField(_("root hash"), max_length=64)
    made_at = models.DateTimeField(_("made"))
    key_id = models.CharField(_("key id"), max_length=16)
    body = models.TextField(_("signed body"))
    signature = models.CharField(_("signature (base64url)"), max_length=100)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.size} {self.root_hash[:12]}"


class TreeNode(models.Model):
    """The hash of a complete subtree of 2**level leaves starting at index * 2**level.

    A complete subtree never changes, so it is computed once; only levels from
    ksbb.proofs.tree.CHUNK_LEVEL up are stored, the rest is computed from the leaves."""

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("Merkle tree node")
        verbose_name_plural = _("Merkle tree nodes")
        constraints = [models.UniqueConstraint(fields=["level", "index"],
                                               name="treenode_one_per_position")]

    def __str__(self) -> str:
        return f"{self.level}/{self.index}"


class HandoverSeal(models.Model):
    """The platform's signature over a signed BAST's statement (what its QR code carries).

    ``audit_seq`` is the audit entry that recorded it: the leaf whose inclusion in a
    checkpoint anyone can check."""

    handover = models.OneToOneField("distribution.Handover", verbose_name=_("BAST"),
                                    on_delete=models.PROTECT, related_name="seal")
    key_id = models.CharField(_("key id"), max_length=16)
    statement = models.TextField(_("signed statement"))
    signature = models.CharField(_("signature (base64url)"), max_length=100)
    audit_seq = models.BigIntegerField(_("audit entry"))
    sealed_at = models.DateTimeField(_("sealed"))

    class Meta:
        verbose_name = _("BAST signature")
        verbose_name_plural = _("BAST signatures")

    def __str__(self) -> str:
        return f"{self.handover_id} {self.key_id}"
