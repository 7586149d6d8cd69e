from __future__ import annotations

import os
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from ksbb.areas.models import Area
from ksbb.core.links import served_url
from ksbb.core.storage import ensure_bucket
from ksbb.notifications.tasks import schedule_due_reminders
from ksbb.ops.demo import demo_accounts, seed_demo
from ksbb.ops.server import KsbbServer
from ksbb.ops.supervise import Supervisor
from ksbb.proofs.tasks import schedule_checkpoints
from ksbb.stats.rollups import rebuild_stale_and_bump


class Command(BaseCommand):
    help = (
        "Set up the database if needed (migrate, areas, demo data when empty) and serve "
        "KSBB with gunicorn, static files included."
    )
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("KSBB_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("KSBB_PORT", "8000")))
        parser.add_argument("--workers", type=int,
                            default=int(os.environ.get("KSBB_WEB_WORKERS", "2")))
        parser.add_argument("--no-demo", action="store_true",
                            help="do not load the demo data set into an empty database")
        parser.add_argument("--no-task-worker", action="store_true",
                            help="do not start the background task worker")
        parser.add_argument("--setup-only", action="store_true",
                            help="prepare the database and static files, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if not os.environ.get("KSBB_PUBLIC_URL"):
            # Links in PDFs, QR codes and e-mails reach the site where it is served; the
            # web workers and the task worker inherit the variable.
            url = served_url(options["host"], options["port"])
            os.environ["KSBB_PUBLIC_URL"] = settings.KSBB_PUBLIC_URL = url
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"KSBB data folder: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        if ensure_bucket():
            self.stdout.write("Created the storage bucket for uploaded files.")
        if not Area.objects.exists():
            province = settings.KSBB_DEFAULT_PROVINCE
            self.stdout.write(f"Loading the areas of province {province} ...")
            call_command("load_areas", province=[province], no_progress=True, verbosity=0)
            if settings.KSBB_DEMO and not options["no_demo"]:
                self.stdout.write("Loading the demo data set ...")
                seed_demo(province)
        # A page never rebuilds the statistics (it queues the task worker): rebuild here,
        # before serving, if a migration or a bulk load left them stale.

        rebuild_stale_and_bump()
        call_command("collectstatic", interactive=False, verbosity=0)
        # Signed checkpoints of the audit log: the task worker makes the first at once, then
        # one every KSBB_CHECKPOINT_MINUTES (the first on a large log takes a while: it
        # stores the tree's subtrees, about 30 s per million entries).

        schedule_checkpoints()
        # Misuse reports due: their officers are reminded every morning.
        schedule_due_reminders()
        self._print_banner(options)
        self.stdout.write(f"(ready in {time.perf_counter() - started:.1f} s)")
        if options["setup_only"]:
            return
        self._serve(options)

    def _print_banner(self, options: dict[str, Any]) -> None:
        host = options["host"]
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(self.style.SUCCESS(f"KSBB serves on http://{shown}:{options['port']}/"))
        self.stdout.write(f"  API docs: http://{shown}:{options['port']}/api/docs/")
        self.stdout.write(f"  links in PDFs, QR codes and e-mails: {settings.KSBB_PUBLIC_URL} "
                          "(KSBB_PUBLIC_URL)")
        accounts = demo_accounts()
        if accounts:
            self.stdout.write("Demo accounts (demo data only; sign in at /accounts/login/):")
            for account in accounts:
                self.stdout.write(f"  {account.username:<13} {account.password:<20} {account.role}")
            self.stdout.write(
                "  admin, assessor and aggregator use two-factor sign-in: at their first sign-in "
                "they scan a QR code with an authenticator app (FreeOTP, Aegis, Google "
                "Authenticator) and get backup codes.")
        else:
            self.stdout.write("Create an administrator with: ksbb createsuperuser")

    def _serve(self, options: dict[str, Any]) -> None:
        # Building the WSGI handler loads every middleware: only when serving.
        from ksbb.wsgi import application

        worker = None
        if not options["no_task_worker"]:
            # Long jobs (imports, allocation runs, PDFs) run here, outside web requests; a
            # worker that dies is restarted (and logged), and picks up the queued tasks.
            worker = Supervisor(
                [sys.executable, "-m", "ksbb.cli", "db_worker", "--interval", "1"],
                env=os.environ.copy(),
            ).start()
        try:
            KsbbServer(application, {
                "bind": f"{options['host']}:{options['port']}",
                "workers": options["workers"],
                "worker_class": "gthread",
                "threads": 4,
                "accesslog": "-",
                "timeout": 60,
                "graceful_timeout": 10,
                "control_socket": str(settings.DATA_DIR / "gunicorn.ctl"),
            }).run()
        finally:
            if worker is not None:
                worker.stop()
