"""``python -m ksbb.verify``: check a KSBB site without trusting it.

  python -m ksbb.verify update https://ksbb.example.go.id
      fetch the latest signed checkpoint, prove that the log extends every checkpoint
      saved before, and save it (run it regularly: daily, from cron)
  python -m ksbb.verify audit https://ksbb.example.go.id
      the same, then download every entry digest and recompute the tree
  python -m ksbb.verify bast 'https://ksbb.example.go.id/verify/CODE/#p=...'
  python -m ksbb.verify bast CODE --site https://ksbb.example.go.id
      check a handover report's signature (from its QR code's text, or by its code), the
      content the site shows, and that its signing entry is in the log
  python -m ksbb.verify status

Exit status: 0 all checks passed, 1 a check failed (the output says which), 2 the site
could not be reached or the arguments were wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ksbb.verify.client import FetchError, Report, State, Verifier, http_fetch
from ksbb.verify.statements import BadStatement, site_of

DEFAULT_STATE = Path(os.environ.get("KSBB_VERIFY_STATE",
                                    Path.home() / ".ksbb-verify.json"))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ksbb.verify",
        description="Check a KSBB site's signed handover reports and public audit log.")
    parser.add_argument("--state", type=Path, default=DEFAULT_STATE,
                        help=f"file of saved keys and checkpoints (default {DEFAULT_STATE})")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("update", "fetch and check the latest checkpoint, then save it"),
                       ("audit", "update, then recompute the tree from every digest")):
        p = sub.add_parser(name, help=text)
        p.add_argument("site", help="the site's address, e.g. https://ksbb.example.go.id")
    p = sub.add_parser("bast", help="check a handover report (BAST)")
    p.add_argument("what", help="the QR code's text (an address with #p=...) or a BAST's "
                                "verification code")
    p.add_argument("--site", help="the site's address (needed with a code)")
    p.add_argument("--offline", action="store_true",
                   help="check the signature only, with the keys saved before")
    sub.add_parser("status", help="print the saved keys and checkpoints")
    return parser


def _print(report: Report) -> int:
    for line in report.notes:
        print(f"  {line}")
    for line in report.problems:
        print(f"PROBLEM: {line}")
    if report.verdict:
        print(f"BAST: {report.verdict.upper()}")
    print("OK" if report.ok else "FAILED")
    return 0 if report.ok else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    state = State(args.state)
    if args.command == "status":
        for origin, memory in state.data["sites"].items():
            print(origin)
            for kid, key in memory["keys"].items():
                print(f"  key {kid}{' (retired)' if key.get('retired') else ''}")
            for cp in memory["checkpoints"]:
                print(f"  checkpoint {cp['size']} {cp['root']} {cp.get('time')}")
        return 0
    report = Report()
    try:
        if args.command in ("update", "audit"):
            verifier = Verifier(origin=args.site, state=state, fetch=http_fetch(args.site))
            if args.command == "update":
                verifier.update(report)
            else:
                verifier.audit(report)
        else:
            qr = args.what if "#" in args.what else None
            site = args.site or (site_of(args.what) if qr else None)
            if site is None:
                print("give --site with a code", file=sys.stderr)
                return 2
            fetch = None if args.offline else http_fetch(site)
            verifier = Verifier(origin=site, state=state, fetch=fetch)
            verifier.bast(report, code=None if qr else args.what, qr=qr,
                          offline=args.offline)
    except (FetchError, BadStatement) as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 2
    state.save()
    return _print(report)


if __name__ == "__main__":
    sys.exit(main())
