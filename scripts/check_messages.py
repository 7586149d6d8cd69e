"""Fail when the Indonesian catalogue is not finished: an entry untranslated or fuzzy, or the
compiled .mo file out of step with the .po file.

    python scripts/check_messages.py [PO_FILE]

The last step of `make messages`. The .po file is the only source of the Indonesian texts:
translate there (by hand, Poedit, Weblate, ...), then run `make messages` again. A fuzzy
entry is gettext's guess from a similar text; it counts as untranslated until a person
checks it and removes the flag.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "src/ksbb/locale/id/LC_MESSAGES/django.po"


def problems(po_path: Path) -> list[str]:
    po = polib.pofile(str(po_path))
    found = [f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    found += [f"untranslated: {e.msgid!r}" for e in po.untranslated_entries()
              if "fuzzy" not in e.flags]
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [*found, f"missing: {mo_path} (run compilemessages)"]
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
                for e in polib.mofile(str(mo_path)) if e.msgid}
    written = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
               for e in po.translated_entries()}
    if compiled != written:
        found.append(f"stale: {mo_path.name} differs from {po_path.name} "
                     "(run compilemessages)")
    return found


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else PO
    found = problems(path)
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} problem(s) in {path}: translate them there, then run "
              "`make messages` again", file=sys.stderr)
        return 1
    print(f"{path.name}: every entry translated, catalogue compiled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
