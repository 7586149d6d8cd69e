"""`ksbb allocate`: solve a problem file and write the plan, without starting Django.

The engine needs no database and no settings, so `ksbb.cli` hands this verb over before
Django is imported (about a second saved on every call). Same options, messages and exit
statuses as the management command of the same name, which calls this too.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from typing import Protocol

from . import ProblemError, run_file

HELP = (
    "Solve an allocation problem file (pledges and needs, JSON) and write the plan "
    "(JSON). Bad input: a message naming the record, exit status 2, no output file."
)


class _Writer(Protocol):
    def write(self, text: str, /) -> object: ...


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Plain strings rather than pathlib.Path: the paths are only opened, and pathlib would
    # add to the start-up of every call.
    parser.add_argument("--input", required=True, help="problem.json")
    parser.add_argument("--output", required=True, help="plan.json")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes for independent parts (default: one per core on big problems; "
        "the plan is the same whatever the number)",
    )


def run(
    source: str, output: str, workers: int | None, stdout: _Writer, stderr: _Writer
) -> int:
    """Solve `source` into `output`; return the exit status (0, or 2 for bad input)."""
    try:
        plan = run_file(source, output, workers=workers)
    except FileNotFoundError:
        stderr.write(f"error: {source}: no such file\n")
        return 2
    except (ProblemError, UnicodeDecodeError) as exc:
        stderr.write(f"error: {source}: {exc}\n")
        return 2
    summary = plan.summary
    stdout.write(
        f"{len(plan.allocations)} allocation lines written to {output} "
        f"(lowest coverage {round(summary.lowest_ratio, 6)}, "
        f"solved in {round(summary.solve_seconds, 3)} s)\n"
    )
    if summary.fallback:
        stderr.write(f"warning: fallback used: {', '.join(summary.fallback)}\n")
    return 0


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str) -> None:
        # An explicit width: argparse would otherwise ask shutil for the terminal's, loading
        # shutil (and bz2, lzma) on every call just to check the options.
        super().__init__(prog, width=78)


def main(argv: Sequence[str]) -> int:
    # A short-lived process that makes no cycles worth collecting: no collector passes while
    # the problem is read (the engine pauses it while solving anyway). `ksbb.cli` pauses it
    # before numpy and HiGHS load.
    gc.disable()
    parser = argparse.ArgumentParser(prog="ksbb allocate", description=HELP,
                                     formatter_class=_Formatter)
    add_arguments(parser)
    # Django's common options, accepted (and ignored) so that scripts calling the management
    # command keep working.
    parser.add_argument("-v", "--verbosity", type=int, choices=[0, 1, 2, 3], default=1)
    parser.add_argument("--settings")
    parser.add_argument("--pythonpath")
    parser.add_argument("--traceback", action="store_true")
    parser.add_argument("--no-color", action="store_true")
    parser.add_argument("--force-color", action="store_true")
    parser.add_argument("--skip-checks", action="store_true")
    args = parser.parse_args(list(argv))  # usage errors: exit status 2, as with Django
    return run(args.input, args.output, args.workers, sys.stdout, sys.stderr)
