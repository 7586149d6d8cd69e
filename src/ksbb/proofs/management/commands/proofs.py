"""``ksbb proofs checkpoint | rotate-key | status``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ksbb.core.domain import SystemActor
from ksbb.core.env import EnvError
from ksbb.proofs import selectors, services


class Command(BaseCommand):
    help = ("Signed checkpoints of the audit log and the platform's signing key: "
            "'checkpoint' signs one now (also made every KSBB_CHECKPOINT_MINUTES by the task "
            "worker), 'rotate-key' replaces the signing key (the old one stays published), "
            "'status' prints the keys and the latest checkpoint.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        cp = sub.add_parser("checkpoint", help="sign a checkpoint of the audit log now")
        cp.add_argument("--force", action="store_true",
                        help="even if the log has not grown since the latest one")
        sub.add_parser("rotate-key", help="replace the signing key")
        sub.add_parser("seal-missing", help="sign the signed BASTs that have no electronic "
                                            "signature yet (signed before it existed)")
        sub.add_parser("status", help="print the keys and the latest checkpoint")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "checkpoint":
            cp = services.checkpoint_make(force=options["force"])
            self.stdout.write(f"checkpoint: size {cp.size} root {cp.root_hash} "
                              f"key {cp.key_id} at {cp.made_at.isoformat()}")
        elif verb == "rotate-key":
            try:
                old, new = services.key_rotate(by=SystemActor("ksbb proofs rotate-key"))
            except EnvError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"new signing key {new}" + (f"; {old} retired" if old else ""))
        elif verb == "seal-missing":
            count = services.handovers_seal_missing(by=SystemActor("ksbb proofs seal-missing"))
            self.stdout.write(f"signed {count} handover report(s)")
        else:
            for key in selectors.keys_document()["keys"]:
                state = f"retired {key['retired']}" if key["retired"] else "current"
                self.stdout.write(f"key {key['key_id']} {key['algorithm']} {state}")
            latest = selectors.checkpoint_latest()
            if latest is None:
                self.stdout.write("no checkpoint yet")
            else:
                self.stdout.write(f"latest checkpoint: size {latest.size} root "
                                  f"{latest.root_hash} at {latest.made_at.isoformat()}")
