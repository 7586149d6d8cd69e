"""Each word for one thing (issue 15, observation 8, and the glossary in the user guide):
"putaran" only in "putaran penilaian" (assessment round), the allocation run is a
"perhitungan alokasi", the document hash a "sidik dokumen", never "ronde", "Sidik jari" or
"Kantor belakang"."""

from __future__ import annotations

import re
from pathlib import Path

import ksbb

PO = Path(ksbb.__file__).parent / "locale" / "id" / "LC_MESSAGES" / "django.po"
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide"


def _msgstrs() -> list[str]:
    text = PO.read_text()
    out = []
    for block in re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', text, re.M):
        out.append("".join(re.findall(r'"(.*)"', block)))
    return [s for s in out if s]


def test_the_catalogue_keeps_to_the_glossary():
    wrong = [s for s in _msgstrs()
             if re.search(r"\bronde\b|sidik jari|kantor belakang|putaran (alokasi|asesmen)",
                          s, re.I)
             or re.search(r"\bputaran\b(?! penilaian)", s, re.I)]
    assert wrong == []


def test_the_guide_has_the_glossary_and_keeps_to_it():
    for lang, heading in (("id", "## Istilah"), ("en", "## Words")):
        index = (GUIDE / lang / "index.md").read_text()
        assert heading in index
    for page in (GUIDE / "id").glob("*.md"):
        text = page.read_text()
        assert not re.search(r"sidik jari|kantor belakang|putaran (alokasi|asesmen)", text,
                             re.I), page.name
