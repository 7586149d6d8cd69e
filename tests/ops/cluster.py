"""Several KSBB nodes on one machine, as a multi-node installation runs them: web nodes
(gunicorn) and task workers sharing one PostgreSQL database, one Redis cache and one S3
bucket, behind Debian's nginx as the load balancer. Each node has a data folder of its own,
so nothing can pass between them through the local disk.

Used by tests/ops/test_two_nodes.py and bench/two_nodes.py. Needs nginx
(``apt-get install nginx-light``), Redis on 127.0.0.1:6379 and an S3 gateway
(scripts/s3/ceph-up.sh)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# One secret key for every node: sessions and signed tokens made on one are read on another.
SECRET_KEY = "two-nodes-test-key-" + "k" * 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout} s")
        time.sleep(0.3)


NGINX_CONF = """
daemon off;
user root root;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    client_max_body_size 20m;
    upstream ksbb {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://ksbb;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # A node that refuses the connection is skipped; a request already sent to a
            # node that dies is not replayed on the other (a POST must not run twice).
            proxy_next_upstream error timeout;
            proxy_read_timeout 90s;
        }}
    }}
}}
"""


@dataclass
class Cluster:
    """Start with ``web(...)``, ``worker(...)`` and ``balancer()``; ``stop()`` ends all."""

    env: dict[str, str]
    folder: Path
    web_ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    balancer_port: int = 0

    @classmethod
    def shared(cls, env: dict[str, str], folder: Path, *, database_url: str,
               storage_url: str, cache_url: str) -> Cluster:
        """The settings every node must share (README, Deployment, several machines)."""
        base = {k: v for k, v in env.items() if not k.startswith("KSBB_")}
        base.update({
            "KSBB_DATABASE_URL": database_url, "KSBB_STORAGE_URL": storage_url,
            "KSBB_CACHE_URL": cache_url, "KSBB_SECRET_KEY": SECRET_KEY,
            "KSBB_ALLOWED_HOSTS": "127.0.0.1,localhost", "KSBB_PROXY_COUNT": "1",
            "KSBB_NODES": "2", "KSBB_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
        })
        folder.mkdir(parents=True, exist_ok=True)
        return cls(env=base, folder=folder)

    def _env(self, node: str) -> dict[str, str]:
        data = self.folder / node
        data.mkdir(exist_ok=True)
        return {**self.env, "KSBB_DATA_DIR": str(data)}

    def _log(self, name: str) -> int:
        return os.open(self.folder / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                       0o600)

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        log = self._log(name)
        try:
            self.processes[name] = subprocess.Popen(
                args, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
        finally:
            os.close(log)

    def web(self, node: str, *, workers: int = 1) -> str:
        port = free_port()
        self.web_ports[node] = port
        self._start(f"web-{node}", [
            sys.executable, "-m", "gunicorn", "ksbb.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--worker-class", "gthread", "--threads", "4", "--timeout", "60",
        ], self._env(node))
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/healthz")
        return url

    def worker(self, node: str) -> None:
        self._start(f"worker-{node}", [
            sys.executable, "-m", "ksbb.cli", "db_worker", "--interval", "0.5"],
            self._env(node))

    def balancer(self) -> str:
        nginx = nginx_binary()
        if nginx is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
        self.balancer_port = free_port()
        tmp = self.folder / "nginx"
        tmp.mkdir(exist_ok=True)
        servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;"
                            for port in self.web_ports.values())
        conf = tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=tmp, servers=servers, port=self.balancer_port))
        self._start("nginx", [nginx, "-c", str(conf), "-p", str(tmp)], self.env)
        url = f"http://127.0.0.1:{self.balancer_port}"
        wait_http(f"{url}/healthz")
        return url

    def kill(self, name: str) -> None:
        """SIGKILL a process and its children, as a crashed machine would stop."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=15)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in sorted(self.folder.glob("*.log")))
