"""Merkle tree hashes and proofs as in RFC 9162 (Certificate Transparency 2.0), section 2.1.

Pure Python and the standard library only: the standalone verifier uses it, and so does the
server to build the proofs it publishes. Hashes are 32-byte ``bytes``; a leaf's hash is
``SHA-256(0x00 || data)`` and an inner node's ``SHA-256(0x01 || left || right)``, so a leaf
can never be passed off as a node (second-preimage resistance, RFC 9162 2.1.1).

The proof builders take ``mth(lo, hi)``: the Merkle tree hash of leaves ``[lo, hi)``. The
server answers it from stored subtree hashes; tests answer it from a list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

Hash = bytes
MthFn = Callable[[int, int], Hash]

EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not verify, or was asked for sizes that make no sense."""


def leaf_hash(data: bytes) -> Hash:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: Hash, right: Hash) -> Hash:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n`` > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def root_of(leaf_hashes: Iterable[Hash]) -> Hash:
    """MTH of all leaves, in one pass with O(log n) memory (a stack of perfect subtrees)."""
    stack: list[tuple[int, Hash]] = []
    for h in leaf_hashes:
        size, node = 1, h
        while stack and stack[-1][0] == size:
            _s, left = stack.pop()
            node = node_hash(left, node)
            size *= 2
        stack.append((size, node))
    if not stack:
        return EMPTY_ROOT
    # The remaining subtrees shrink from left to right; RFC 9162 splits off the largest
    # power of two on the left, which is folding them from the right.
    node = stack[-1][1]
    for _s, left in reversed(stack[:-1]):
        node = node_hash(left, node)
    return node


def list_mth(leaves: Sequence[Hash]) -> MthFn:
    """``mth`` over leaf hashes held in memory (tests, small trees)."""

    def mth(lo: int, hi: int) -> Hash:
        return root_of(leaves[lo:hi])

    return mth


def inclusion_path(index: int, size: int, mth: MthFn) -> list[Hash]:
    """PATH(m, D[n]) of RFC 9162 2.1.3.1."""
    if not 0 <= index < size:
        raise ProofError("the leaf index must be below the tree size")

    def path(m: int, lo: int, hi: int) -> list[Hash]:
        n = hi - lo
        if n == 1:
            return []
        k = split_point(n)
        if m < k:
            return [*path(m, lo, lo + k), mth(lo + k, hi)]
        return [*path(m - k, lo + k, hi), mth(lo, lo + k)]

    return path(index, 0, size)


def consistency_path(first: int, second: int, mth: MthFn) -> list[Hash]:
    """PROOF(m, D[n]) of RFC 9162 2.1.4.1 (empty when the sizes are equal or first is 0)."""
    if not 0 <= first <= second:
        raise ProofError("the first size must not exceed the second")
    if first in (0, second):
        return []

    def subproof(m: int, lo: int, hi: int, whole: bool) -> list[Hash]:
        n = hi - lo
        if m == n:
            return [] if whole else [mth(lo, hi)]
        k = split_point(n)
        if m <= k:
            return [*subproof(m, lo, lo + k, whole), mth(lo + k, hi)]
        return [*subproof(m - k, lo + k, hi, False), mth(lo, lo + k)]

    return subproof(first, 0, second, True)


def verify_inclusion(*, leaf: Hash, index: int, size: int, path: Sequence[Hash],
                     root: Hash) -> None:
    """RFC 9162 2.1.3.2; raises ProofError unless ``leaf`` is at ``index`` under ``root``."""
    if not 0 <= index < size:
        raise ProofError("the leaf index must be below the tree size")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ProofError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is too short")
    if r != root:
        raise ProofError("the inclusion proof does not lead to the root")


def verify_consistency(*, first: int, second: int, first_root: Hash, second_root: Hash,
                       path: Sequence[Hash]) -> None:
    """RFC 9162 2.1.4.2; raises ProofError unless the tree of ``second`` leaves extends the
    tree of ``first`` leaves (its first ``first`` leaves are the same)."""
    if not 0 <= first <= second:
        raise ProofError("the first size must not exceed the second")
    if first == 0:
        if path:
            raise ProofError("a proof from the empty tree must be empty")
        return
    if first == second:
        if path:
            raise ProofError("a proof between equal sizes must be empty")
        if first_root != second_root:
            raise ProofError("two trees of the same size have different roots")
        return
    if not path:
        raise ProofError("the consistency proof is empty")
    nodes = list(path)
    if is_power_of_two(first):
        nodes.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if fr != first_root:
        raise ProofError("the consistency proof does not lead to the earlier root")
    if sr != second_root:
        raise ProofError("the consistency proof does not lead to the later root")
