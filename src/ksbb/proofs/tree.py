"""The audit log as a Merkle tree (RFC 9162): leaf i is the hash of audit entry seq i+1.

Complete subtrees of CHUNK leaves and more are stored in TreeNode once they exist (they
never change); anything smaller is computed from the leaves, read a chunk at a time. So a
root or a proof costs O(log n) stored hashes plus at most a few chunks of leaves, whatever
the log's size.
"""

from __future__ import annotations

from django.db.models import Max

from ksbb.core.models import AuditEntry
from ksbb.proofs.models import TreeNode
from ksbb.verify.merkle import (
    EMPTY_ROOT,
    Hash,
    ProofError,
    is_power_of_two,
    leaf_hash,
    node_hash,
    root_of,
    split_point,
)

CHUNK_LEVEL = 8
CHUNK = 1 << CHUNK_LEVEL


class LogGap(ProofError):
    """An audit entry is missing from the range read (removed behind the services' back)."""


def log_size() -> int:
    """Entries in the log. Seqs are gapless and committed in order (audit_log serialises
    writers), so the largest committed seq is the size."""
    return AuditEntry.objects.aggregate(n=Max("seq"))["n"] or 0


def digests(start: int, end: int) -> list[str]:
    """The entry hashes (hex) of leaves ``[start, end)``, i.e. seqs start+1 .. end."""
    rows = list(AuditEntry.objects.filter(seq__gt=start, seq__lte=end).order_by("seq")
                .values_list("seq", "hash"))
    if len(rows) != end - start or (rows and (rows[0][0] != start + 1
                                              or rows[-1][0] != end)):
        raise LogGap(f"audit entries between #{start + 1} and #{end} are missing")
    return [h for _seq, h in rows]


def leaf_hashes(start: int, end: int) -> list[Hash]:
    return [leaf_hash(bytes.fromhex(h)) for h in digests(start, end)]


class LogTree:
    """The tree of the first ``size`` leaves, with ``mth(lo, hi)`` for the proof builders."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._nodes: dict[tuple[int, int], Hash | None] = {}
        self._chunks: dict[int, list[Hash]] = {}

    def _stored(self, level: int, index: int) -> Hash | None:
        key = (level, index)
        if key not in self._nodes:
            value = TreeNode.objects.filter(level=level, index=index).values_list(
                "hash", flat=True).first()
            self._nodes[key] = bytes.fromhex(value) if value else None
        return self._nodes[key]

    def _chunk(self, index: int) -> list[Hash]:
        if index not in self._chunks:
            start = index * CHUNK
            self._chunks[index] = leaf_hashes(start, min(start + CHUNK, self.size))
        return self._chunks[index]

    def mth(self, lo: int, hi: int) -> Hash:
        if not 0 <= lo <= hi <= self.size:
            raise ProofError("range outside the tree")
        n = hi - lo
        if n == 0:
            return EMPTY_ROOT
        if n >= CHUNK and is_power_of_two(n) and lo % n == 0:
            stored = self._stored(n.bit_length() - 1, lo // n)
            if stored is not None:
                return stored
        if lo // CHUNK == (hi - 1) // CHUNK:
            offset = lo - (lo // CHUNK) * CHUNK
            return root_of(self._chunk(lo // CHUNK)[offset:offset + n])
        k = split_point(n)
        return node_hash(self.mth(lo, lo + k), self.mth(lo + k, hi))

    def root(self) -> Hash:
        return self.mth(0, self.size)


def extend(*, batch_chunks: int = 64) -> int:
    """Store the hashes of every complete subtree of CHUNK leaves or more not stored yet.
    Idempotent and safe to run twice at once (equal values; conflicts ignored). Returns the
    number of leaves now covered by stored chunks."""
    size = log_size()
    done = TreeNode.objects.filter(level=CHUNK_LEVEL).aggregate(n=Max("index"))["n"]
    next_chunk = 0 if done is None else done + 1
    last_chunk = size // CHUNK  # exclusive
    while next_chunk < last_chunk:
        upto = min(next_chunk + batch_chunks, last_chunk)
        leaves = leaf_hashes(next_chunk * CHUNK, upto * CHUNK)
        new: dict[tuple[int, int], Hash] = {}
        for i in range(upto - next_chunk):
            new[(CHUNK_LEVEL, next_chunk + i)] = root_of(leaves[i * CHUNK:(i + 1) * CHUNK])
        # Parents whose right child just appeared.
        level, lo, hi = CHUNK_LEVEL, next_chunk, upto
        while hi - lo > 0:
            parents: dict[tuple[int, int], Hash] = {}
            for right in range(lo | 1, hi, 2):
                left = new.get((level, right - 1)) or _node(level, right - 1)
                parents[(level + 1, right // 2)] = node_hash(left, new[(level, right)])
            if not parents:
                break
            new.update(parents)
            level, lo, hi = level + 1, min(i for _lv, i in parents), max(
                i for _lv, i in parents) + 1
        TreeNode.objects.bulk_create(
            [TreeNode(level=lv, index=i, hash=h.hex()) for (lv, i), h in sorted(new.items())],
            ignore_conflicts=True, batch_size=1000)
        next_chunk = upto
    return last_chunk * CHUNK


def _node(level: int, index: int) -> Hash:
    value = TreeNode.objects.filter(level=level, index=index).values_list(
        "hash", flat=True).first()
    if value is None:
        raise ProofError(f"subtree {level}/{index} is not stored")
    return bytes.fromhex(value)
