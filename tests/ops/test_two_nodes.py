"""Two web nodes and two task workers on one PostgreSQL, one Redis and one S3 bucket, behind
nginx (tests/ops/cluster.py), each node with a data folder of its own. What one node
accepts, the other serves; limits and one-time challenges hold across both; background
work started on one runs on the other's worker; a node killed mid-request loses nothing it
had acknowledged.

PostgreSQL only: several machines never share a SQLite file."""

from __future__ import annotations

import io
import os
import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import requests
from PIL import Image

from ksbb.core.s3 import PrivateS3Storage
from tests.ops.cluster import Cluster, nginx_binary
from tests.ops.conftest import ksbb, worker
from tests.storage.conftest import s3_url, storage_settings

pytestmark = [pytest.mark.postgres_only]

REDIS_DB = 13  # a database of its own on the shared server, emptied before use
CLIENT = "10.20.30.40"  # the address the balancer would have appended


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buf, format="PNG")
    return buf.getvalue()


def _answer(question: str) -> str:
    return str(sum(int(n) for n in re.findall(r"\d+", question)))


def _demo_password(data_dir: str, username: str) -> str:
    for line in (Path(data_dir) / "demo-accounts.tsv").read_text().splitlines():
        name, password, _role = line.split("\t", 2)
        if name == username:
            return password
    raise KeyError(username)


def _sign_in(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    done = session.post(f"{base}/accounts/login/", timeout=30, allow_redirects=False,
                        data={"username": username, "password": password,
                              "csrfmiddlewaretoken": token.group(1)},
                        headers={"Referer": f"{base}/accounts/login/"})
    assert done.status_code == 302, done.text[:500]
    return session


def _report(base: str, area: str, *, photo: bool = False,
            challenge: dict[str, str] | None = None) -> requests.Response:
    challenge = challenge or requests.get(f"{base}/api/v1/reports/challenge/",
                                          timeout=30).json()
    files = {"photos": ("bukti.png", _png(), "image/png")} if photo else None
    return requests.post(f"{base}/api/v1/reports/", timeout=60, files=files, data={
        "category": "aid_sold", "area": area, "description": "Paket dijual di pasar",
        "challenge_token": challenge["token"],
        "challenge_answer": _answer(challenge["question"])},
        headers={"X-Forwarded-For": CLIENT})


@pytest.fixture
def cluster(fresh: dict[str, str], tmp_path: Path) -> Iterator[Cluster]:
    if nginx_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: .ci/run installs nginx-light")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    bucket_name = f"ksbb-n-{uuid.uuid4().hex[:12]}"
    storage_url = s3_url(bucket_name)
    bucket = PrivateS3Storage(**storage_settings(bucket_name)["OPTIONS"]).bucket
    bucket.create()
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    cl = Cluster.shared(fresh, tmp_path / "cluster",
                        database_url=fresh["KSBB_DATABASE_URL"], storage_url=storage_url,
                        cache_url=f"redis://127.0.0.1:6379/{REDIS_DB}")
    try:
        yield cl
    except Exception:
        print(cl.logs())
        raise
    finally:
        cl.stop()
        bucket.objects.all().delete()
        bucket.delete()


def _sql(url: str, query: str, *args: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        return conn.execute(query, args).fetchall()


def test_two_nodes_behave_as_one_site(cluster: Cluster, fresh: dict[str, str]) -> None:
    a = cluster.web("a")
    b = cluster.web("b")
    db = fresh["KSBB_DATABASE_URL"]
    village = _sql(db, """
        select mv.area_id from accounts_membership m
        join accounts_membership_villages mv on mv.membership_id = m.id
        join accounts_user u on u.id = m.user_id where u.username = 'kelurahan'""")[0][0]

    # A session made on node A works on node B (sessions in the shared database, one key).
    officer = _sign_in(a, "kelurahan", _demo_password(fresh["KSBB_DATA_DIR"], "kelurahan"))
    assert officer.get(f"{b}/backoffice/reports/", timeout=30,
                       allow_redirects=False).status_code == 200

    # A photo uploaded through node A is served through node B, from the shared bucket.
    challenge = requests.get(f"{a}/api/v1/reports/challenge/", timeout=30).json()
    first = _report(a, village, photo=True, challenge=challenge)
    assert first.status_code == 201, first.text
    (photo_id,) = _sql(db, "select max(id) from reports_reportphoto")[0]
    served = officer.get(f"{b}/backoffice/reports/photos/{photo_id}/", timeout=30)
    assert served.status_code == 200 and served.content.startswith(b"\x89PNG")
    assert requests.get(f"{b}/backoffice/reports/photos/{photo_id}/", timeout=30,
                        allow_redirects=False).status_code == 302
    assert not list((cluster.folder / "a").rglob("*.png"))

    # The answered challenge is spent on both nodes.
    replay = _report(b, village, challenge=challenge)
    assert replay.status_code == 400 and "challenge_answer" in replay.json()

    # Five reports an hour per address, counted across both nodes.
    answers = [_report(node, village).status_code for node in (b, a, b, a, b, a)]
    assert answers.count(201) == 4 and answers[-2:] == [429, 429], answers

    # An allocation run started through node A runs on node B's worker, the only one up.
    cluster.worker("b")
    round_id = worker(fresh, "round")["round"]
    token = ksbb(fresh, "issue_token", "assessor").strip().split()[-1]
    auth = {"Authorization": f"Token {token}"}
    started = requests.post(f"{a}/api/v1/allocation_runs/", json={"round": round_id},
                            headers=auth, timeout=30)
    assert started.status_code in (201, 202), started.text
    run_url = f"{a}/api/v1/allocation_runs/{started.json()['id']}/"
    deadline = time.monotonic() + 120
    while (state := requests.get(run_url, headers=auth, timeout=30).json()["state"]) in (
            "queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert state == "proposed", cluster.logs()


def test_a_node_killed_mid_request_loses_nothing_acknowledged(
        cluster: Cluster, fresh: dict[str, str]) -> None:
    cluster.web("a", workers=2)
    cluster.web("b", workers=2)
    front = cluster.balancer()
    token = ksbb(fresh, "issue_token", "kelurahan").strip().split()[-1]
    auth = {"Authorization": f"Token {token}"}
    marker = uuid.uuid4().hex[:8]

    def propose(n: int) -> tuple[int, int | None]:
        try:
            response = requests.post(f"{front}/api/v1/ideas/", headers=auth, timeout=60, json={
                "title": f"Ide {marker} nomor {n}",
                "body": "Dapur umum bergilir di tiap RW untuk warga lansia."})
        except requests.RequestException:
            return 0, None
        ident = response.json().get("id") if response.status_code == 201 else None
        return response.status_code, ident

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(propose, n) for n in range(60)]
        time.sleep(1.0)
        cluster.kill("web-a")
        results = [f.result() for f in futures]

    acknowledged = {ident for status, ident in results if status == 201}
    assert len(acknowledged) >= 30, results
    stored = {row[0] for row in _sql(fresh["KSBB_DATABASE_URL"],
                                     "select id from forum_idea where title like %s",
                                     f"Ide {marker} %")}
    assert acknowledged <= stored
    # After the crash the balancer sends everything to node B.
    assert all(propose(100 + n)[0] == 201 for n in range(5))
