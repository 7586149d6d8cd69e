"""Cost of the public log's proofs at scale (issue 17).

    .venv/bin/python bench/proofs.py [--entries 1001000] [--first 1000] [--postgres]

Synthesises audit entries straight into a fresh database (SQLite in a temporary folder, or
a PostgreSQL database of its own with --postgres), then measures, on the real code paths:
- storing the tree's complete subtrees (``ksbb.proofs.tree.extend``, done once per entry,
  incrementally at each checkpoint);
- the roots of two checkpoints ``--first`` and ``--entries`` entries big (a million apart
  by default);
- the consistency proof between them: built by the server (time, hashes, database
  queries), served by the API, and checked by the standalone verifier;
- an inclusion proof of one entry in the larger tree, likewise;
- the long way an auditor can take: recomputing the root from every digest.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "ksbb_proofs_bench"


def _setup(url: str, data_dir: str) -> None:
    os.environ["KSBB_DATABASE_URL"] = url
    os.environ["KSBB_DATA_DIR"] = data_dir
    os.environ["KSBB_LOG_LEVEL"] = "ERROR"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksbb.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _synthesise(n: int) -> None:
    """``n`` audit entries with a valid chain of made-up digests (content is irrelevant to
    the tree: its leaves are the digests)."""
    from django.db import connection, transaction
    from django.utils import timezone

    at = timezone.now()
    prev = "0" * 64
    batch: list[tuple[object, ...]] = []
    sql = ("INSERT INTO core_auditentry (seq, at, actor_label, action, object_type, "
           "object_id, object_repr, before, after, prev_hash, hash) "
           "VALUES (%s, %s, 'bench', 'bench.event', 'bench', %s, '', NULL, NULL, %s, %s)")
    with transaction.atomic(), connection.cursor() as cursor:
        for seq in range(1, n + 1):
            digest = hashlib.sha256(f"{prev}{seq}".encode()).hexdigest()
            batch.append((seq, at, str(seq), prev, digest))
            prev = digest
            if len(batch) == 50_000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)


def _timed(label: str, fn, repeat: int = 1):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best, result, queries = float("inf"), None, 0
    for _i in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - started)
        queries = len(ctx.captured_queries)
    unit = (f"{best * 1e6:.0f} µs" if best < 0.001 else f"{best * 1000:.1f} ms" if best < 1
            else f"{best:.1f} s")
    print(f"{label:<58} {unit:>10}   {queries} queries", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_001_000)
    parser.add_argument("--first", type=int, default=1_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="ksbb-proofs-bench-")
    if args.postgres:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists",
                        PG_NAME], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", PG_NAME], check=True)
        url = f"{SERVER}/{PG_NAME}"
    else:
        url = f"sqlite:///{data_dir}/bench.sqlite3"
    _setup(url, data_dir)

    from django.test import Client

    from ksbb.proofs import selectors, tree
    from ksbb.verify.merkle import leaf_hash, root_of, verify_consistency, verify_inclusion

    big, small = args.entries, args.first
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; {big:,} entries; "
          f"checkpoints of {small:,} and {big:,} entries ({big - small:,} apart)", flush=True)
    started = time.perf_counter()
    _synthesise(big)
    print(f"{'synthesised the audit entries':<58} {time.perf_counter() - started:>8.1f} s",
          flush=True)
    _timed(f"store complete subtrees (tree.extend, {big:,} leaves)", tree.extend)
    root_small = _timed(f"root of {small:,} entries",
                        lambda: tree.LogTree(small).root(), repeat=3)
    root_big = _timed(f"root of {big:,} entries", lambda: tree.LogTree(big).root(), repeat=3)

    proof = _timed("consistency proof, server side (selectors.consistency)",
                   lambda: selectors.consistency(small, big), repeat=3)
    client = Client(HTTP_HOST="127.0.0.1")

    def get(url: str):  # type: ignore[no-untyped-def]
        response = client.get(url)
        assert response.status_code == 200, response.content
        return response

    _timed("consistency proof through the API (GET, JSON)",
           lambda: get(f"/api/v1/proofs/consistency/?first={small}&second={big}"),
           repeat=3)
    path = [bytes.fromhex(h) for h in proof]
    _timed(f"consistency check by the verifier ({len(path)} hashes)",
           lambda: verify_consistency(first=small, second=big, first_root=root_small,
                                      second_root=root_big, path=path), repeat=3)

    index = big // 2
    inclusion = _timed(f"inclusion proof of entry #{index + 1:,}, server side",
                       lambda: selectors.inclusion(index, big), repeat=3)
    _timed("inclusion proof through the API (GET, JSON)",
           lambda: get(f"/api/v1/proofs/inclusion/?index={index}&size={big}"),
           repeat=3)
    leaf = leaf_hash(bytes.fromhex(selectors.leaves(index, index + 1)[0]))
    ipath = [bytes.fromhex(h) for h in inclusion]
    _timed(f"inclusion check by the verifier ({len(ipath)} hashes)",
           lambda: verify_inclusion(leaf=leaf, index=index, size=big, path=ipath,
                                    root=root_big), repeat=3)

    digests = _timed(f"read all {big:,} digests (server side)",
                     lambda: [leaf_hash(bytes.fromhex(d)) for d in tree.digests(0, big)])
    recomputed = _timed("recompute the root from every digest (auditor)",
                        lambda: root_of(digests))
    assert recomputed == root_big
    print(f"proof sizes: consistency {len(path)} x 32 bytes, inclusion {len(ipath)} x 32 "
          f"bytes; API pages of leaves: {selectors.MAX_LEAVES} digests, so "
          f"{-(-big // selectors.MAX_LEAVES):,} requests for the whole log", flush=True)


if __name__ == "__main__":
    main()
