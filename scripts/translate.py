"""Fill Indonesian translations into src/ksbb/locale/id/LC_MESSAGES/django.po from the
tables in scripts/translations/*.py (or the files given), then compile the .mo file.

    python scripts/translate.py [TABLE.py ...]

Each table defines ``ID = {"English msgid": "Indonesian"}`` and optionally ``PREFIX`` for
long texts matched by their beginning.

The .po file stays the source of truth; this is only a convenience for adding many
translations at once. Untranslated entries are listed so none is forgotten.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "src/ksbb/locale/id/LC_MESSAGES/django.po"


def main() -> int:
    files = sys.argv[1:] or sorted(str(p) for p in (ROOT / "scripts/translations").glob("*.py"))
    exact: dict[str, str] = {}
    prefix: dict[str, str] = {}
    for name in files:
        table = runpy.run_path(name)
        exact.update(table.get("ID", {}))
        prefix.update(table.get("PREFIX", {}))
    po = polib.pofile(str(PO))
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        text = exact.get(entry.msgid)
        if text is None:
            text = next((v for k, v in prefix.items() if entry.msgid.startswith(k)), None)
        if text is not None:
            entry.msgstr = text
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif "fuzzy" in entry.flags:
            # gettext's guess from a similar message: not a translation until a person says so.
            entry.msgstr = ""
            entry.flags.remove("fuzzy")
        if not entry.msgstr:
            missing.append(entry.msgid)
    po.metadata["Language"] = "id"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.save()
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
