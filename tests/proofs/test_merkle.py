"""RFC 9162 trees and proofs against a direct transcription of the RFC's definitions."""

from __future__ import annotations

import hashlib

import pytest

from ksbb.verify.merkle import (
    EMPTY_ROOT,
    ProofError,
    consistency_path,
    inclusion_path,
    leaf_hash,
    list_mth,
    node_hash,
    root_of,
    split_point,
    verify_consistency,
    verify_inclusion,
)


def mth(d: list[bytes]) -> bytes:
    """MTH as RFC 9162 2.1.1 writes it."""
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = split_point(len(d))
    return node_hash(mth(d[:k]), mth(d[k:]))


LEAVES = [leaf_hash(f"entry {i}".encode()) for i in range(80)]


def test_leaf_and_node_prefixes():
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert root_of([]) == EMPTY_ROOT


def test_roots_match_the_definition():
    for n in range(0, 80):
        assert root_of(LEAVES[:n]) == mth(LEAVES[:n]), n


def test_every_inclusion_proof_verifies_and_a_wrong_leaf_does_not():
    source = list_mth(LEAVES)
    for n in range(1, 40):
        root = mth(LEAVES[:n])
        for i in range(n):
            path = inclusion_path(i, n, source)
            verify_inclusion(leaf=LEAVES[i], index=i, size=n, path=path, root=root)
            with pytest.raises(ProofError):
                verify_inclusion(leaf=leaf_hash(b"forged"), index=i, size=n, path=path,
                                 root=root)
            if n > 1:
                with pytest.raises(ProofError):
                    verify_inclusion(leaf=LEAVES[i], index=(i + 1) % n, size=n, path=path,
                                     root=root)


def test_every_consistency_proof_verifies_and_a_rewrite_does_not():
    source = list_mth(LEAVES)
    for n in range(1, 40):
        for m in range(0, n + 1):
            path = consistency_path(m, n, source)
            verify_consistency(first=m, second=n, first_root=mth(LEAVES[:m]),
                               second_root=mth(LEAVES[:n]), path=path)
            if 0 < m < n:
                rewritten = list(LEAVES[:n])
                rewritten[m // 2] = leaf_hash(b"rewritten")
                # The rewritten log's proof against the honest earlier root.
                with pytest.raises(ProofError):
                    verify_consistency(
                        first=m, second=n, first_root=mth(LEAVES[:m]),
                        second_root=mth(rewritten),
                        path=consistency_path(m, n, list_mth(rewritten)))


def test_bad_arguments():
    source = list_mth(LEAVES)
    with pytest.raises(ProofError):
        inclusion_path(5, 5, source)
    with pytest.raises(ProofError):
        consistency_path(6, 5, source)
    with pytest.raises(ProofError):
        verify_consistency(first=3, second=3, first_root=LEAVES[0], second_root=LEAVES[1],
                           path=[])
