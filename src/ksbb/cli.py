"""The ``ksbb`` command: Django's management commands plus the project's own."""

from __future__ import annotations

import os
import sys

from ksbb.core.env import EnvError


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["allocate"]:
        # The engine works on files alone: no need to pay for Django's start-up.
        from ksbb.allocation.engine.cli import main as allocate

        sys.exit(allocate(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksbb.settings")
    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["ksbb", *args])
    except EnvError as exc:
        sys.stderr.write(f"ksbb: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
