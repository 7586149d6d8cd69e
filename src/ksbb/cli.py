"""The ``ksbb`` command: Django's management commands plus the project's own."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksbb.settings")
    from ksbb.core.env import EnvError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["ksbb", *(sys.argv[1:] if argv is None else argv)])
    except EnvError as exc:
        sys.stderr.write(f"ksbb: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
