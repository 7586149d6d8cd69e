"""The ``ksbb`` command: Django's management commands plus the project's own."""

from __future__ import annotations

import gc
import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["allocate"]:
        # The engine uses no BLAS: without this, loading numpy starts OpenBLAS's thread pool
        # (about 40 ms of start-up, and its threads spin on the other core meanwhile).
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        # A short-lived process with no cycles worth collecting: no collector passes while
        # numpy and HiGHS load either.
        gc.disable()
        # The engine works on files alone: no need to pay for Django's start-up.
        from ksbb.allocation.engine.cli import main as allocate

        sys.exit(allocate(args[1:]))
    # Not at the top: `ksbb allocate` above needs none of it (start-up time of a command).
    from ksbb.core.env import EnvError

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ksbb.settings")
    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["ksbb", *args])
    except EnvError as exc:
        sys.stderr.write(f"ksbb: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
