"""The audit log's tree: stored subtrees, roots, proofs and checkpoints, and the API."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from ksbb.core.audit import audit_log
from ksbb.core.models import AuditEntry
from ksbb.proofs import tree
from ksbb.proofs.models import Checkpoint, TreeNode
from ksbb.proofs.services import checkpoint_make
from ksbb.verify.merkle import leaf_hash, root_of, verify_consistency, verify_inclusion
from ksbb.verify.statements import read_checkpoint, unb64url, verify_ed25519
from tests.conftest import SETUP

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    # Chunks of 4 leaves: stored subtrees, partial chunks and their joins show up with
    # a few dozen entries.
    monkeypatch.setattr(tree, "CHUNK_LEVEL", 2)
    monkeypatch.setattr(tree, "CHUNK", 4)


def write(n: int) -> None:
    for i in range(n):
        audit_log(actor=SETUP, action="test.event", object_type="test", object_id=str(i),
                  after={"i": i})


def all_leaves() -> list[bytes]:
    return [leaf_hash(bytes.fromhex(h))
            for h in AuditEntry.objects.order_by("seq").values_list("hash", flat=True)]


def test_tree_from_stored_nodes_matches_the_leaves():
    start = tree.log_size()
    write(37 - start if start < 37 else 0)
    assert tree.extend() == (tree.log_size() // 4) * 4
    assert TreeNode.objects.filter(level=2).count() == tree.log_size() // 4
    leaves = all_leaves()
    for size in range(0, len(leaves) + 1):
        assert tree.LogTree(size).root() == root_of(leaves[:size]), size
    before = TreeNode.objects.count()
    assert tree.extend() and TreeNode.objects.count() == before  # idempotent
    write(9)
    tree.extend()
    leaves = all_leaves()
    assert tree.LogTree(len(leaves)).root() == root_of(leaves)


def test_checkpoint_is_signed_and_published(client):
    write(10)
    cp = checkpoint_make()
    assert cp.size == tree.log_size()
    body = read_checkpoint(cp.body.encode())
    assert body["size"] == cp.size and body["root"] == cp.root_hash
    keys = client.get("/.well-known/ksbb-keys.json").json()["keys"]
    assert [k["key_id"] for k in keys] == [cp.key_id]
    assert verify_ed25519(unb64url(keys[0]["public_key"]), cp.body.encode(),
                          unb64url(cp.signature))
    assert checkpoint_make() == cp  # nothing new: the same checkpoint
    assert checkpoint_make(force=True) != cp
    latest = client.get("/api/v1/proofs/checkpoints/latest/").json()
    assert latest["size"] == cp.size and latest["signature"]
    listed = client.get("/api/v1/proofs/checkpoints/?limit=1").json()
    assert listed["count"] == 2 and len(listed["results"]) == 1


def test_proofs_from_the_api_verify(client):
    write(21)
    first = checkpoint_make()
    write(14)
    second = checkpoint_make()
    r = client.get(f"/api/v1/proofs/consistency/?first={first.size}&second={second.size}")
    assert r.status_code == 200 and r["Access-Control-Allow-Origin"] == "*"
    verify_consistency(first=first.size, second=second.size,
                       first_root=bytes.fromhex(first.root_hash),
                       second_root=bytes.fromhex(second.root_hash),
                       path=[bytes.fromhex(h) for h in r.json()["proof"]])
    for index in (0, 5, first.size - 1, second.size - 1):
        answer = client.get(f"/api/v1/proofs/inclusion/?index={index}&size={second.size}"
                            ).json()
        verify_inclusion(leaf=leaf_hash(bytes.fromhex(answer["digest"])), index=index,
                         size=second.size, path=[bytes.fromhex(h) for h in answer["proof"]],
                         root=bytes.fromhex(second.root_hash))
    leaves = client.get(f"/api/v1/proofs/leaves/?start=0&end={second.size}").json()
    assert root_of([leaf_hash(bytes.fromhex(d)) for d in leaves["digests"]]).hex() == (
        second.root_hash)


@pytest.mark.parametrize("query", [
    "leaves/?start=5&end=2", "leaves/?start=x&end=2", "leaves/?end=2", "leaves/?start=0&end=5001",
    "leaves/?start=0&end=999999", "consistency/?first=9&second=3",
    "consistency/?first=1&second=99999999", "inclusion/?index=4&size=4",
    "inclusion/?index=-1&size=4", "inclusion/?index=0&size=99999999999999999999999",
])
def test_bad_parameters_are_400_naming_the_field(client, query):
    write(4)
    r = client.get(f"/api/v1/proofs/{query}")
    assert r.status_code == 400, r.content
    assert set(r.json()) & {"start", "end", "first", "second", "index", "size"}


def test_no_checkpoint_yet_is_404(client):
    assert client.get("/api/v1/proofs/checkpoints/latest/").status_code == 404
    assert client.get("/api/v1/proofs/handovers/NOSUCHCODE/").status_code == 404


def test_command_and_task(capsys, settings):
    write(3)
    call_command("proofs", "checkpoint")
    assert "checkpoint: size" in capsys.readouterr().out
    call_command("proofs", "status")
    assert "current" in capsys.readouterr().out
    call_command("proofs", "rotate-key")
    out = capsys.readouterr().out
    assert out.startswith("new signing key ") and "retired" in out
    call_command("proofs", "status")
    assert "retired" in capsys.readouterr().out
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from ksbb.proofs.tasks import checkpoint_task

    write(1)
    checkpoint_task.enqueue()
    assert Checkpoint.objects.order_by("-pk").first().size == tree.log_size()
