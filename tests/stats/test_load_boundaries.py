"""`ksbb load_boundaries`: features matched to areas by Kemendagri code, counts reported,
idempotent, all or nothing on a bad file."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ksbb.core.models import AuditEntry
from ksbb.stats.boundaries import normalise_code
from ksbb.stats.models import AreaBoundary


def square(x: float, y: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + .1, y], [x + .1, y + .1],
                                                [x, y + .1], [x, y]]]}


def write(tmp_path: Path, features: list[tuple[dict[str, Any], dict[str, Any]]],
          name: str = "b.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geom}
        for props, geom in features]}), encoding="utf-8")
    return path


def run(*args: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_boundaries", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def two_squares(tmp_path: Path) -> Path:
    # "3171" without dots; "31.74" with; "99.99" is no area.
    return write(tmp_path, [({"code": "3171"}, square(106.8, -6.2)),
                            ({"code": "31.74"}, square(106.8, -6.3)),
                            ({"code": "99.99"}, square(0, 0))])


def test_normalise_code() -> None:
    assert normalise_code("3171") == "31.71"
    assert normalise_code(3171) == "31.71"
    assert normalise_code("317101") == "31.71.01"
    assert normalise_code("3171011001") == "31.71.01.1001"
    assert normalise_code(" 31.71 ") == "31.71"
    assert normalise_code("31710110010031") == "31710110010031"


def test_load_matches_and_reports(jakarta: None, two_squares: Path) -> None:
    out, err = run(two_squares, "--level", "regency")
    assert "2 matched, 1 unmatched; 2 created, 0 updated, 0 unchanged" in out
    assert "99.99" in err
    rows = {b.area_id: b for b in AreaBoundary.objects.all()}
    assert set(rows) == {"31.71", "31.74"} and rows["31.71"].level == 2
    assert json.loads(rows["31.71"].geometry) == square(106.8, -6.2)
    assert AuditEntry.objects.filter(action="boundaries.load", actor_label="system:load_boundaries"
                                     ).count() == 1


def test_idempotent(jakarta: None, two_squares: Path) -> None:
    run(two_squares)
    before = list(AreaBoundary.objects.values_list("area_id", "geometry"))
    out, _err = run(two_squares)
    assert "0 created, 0 updated, 2 unchanged" in out
    assert list(AreaBoundary.objects.values_list("area_id", "geometry")) == before
    assert AuditEntry.objects.filter(action="boundaries.load").count() == 1


def test_changed_geometry_updates(jakarta: None, tmp_path: Path, two_squares: Path) -> None:
    run(two_squares)
    moved = write(tmp_path, [({"code": "31.71"}, square(1, 1))], "moved.geojson")
    out, _err = run(moved)
    assert "1 matched, 0 unmatched; 0 created, 1 updated, 0 unchanged" in out
    assert json.loads(AreaBoundary.objects.get(area_id="31.71").geometry) == square(1, 1)


def test_level_and_code_property(jakarta: None, tmp_path: Path) -> None:
    path = write(tmp_path, [({"kode": "317101"}, square(1, 1)), ({"kode": "3171"}, square(2, 2)),
                            ({}, square(3, 3))])
    out, err = run(path, "--level", "district", "--code-property", "kode")
    # 31.71 is a regency, not a district; the third feature has no code.
    assert "1 matched, 2 unmatched" in out and "31.71" in err and "#3" in err
    assert list(AreaBoundary.objects.values_list("area_id", "level")) == [("31.71.01", 3)]


@pytest.mark.parametrize("content", [
    "not json",
    json.dumps({"type": "Feature"}),
    json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "31.71"}, "geometry": square(1, 1)},
        {"type": "Feature", "properties": {"code": "31.74"},
         "geometry": {"type": "Point", "coordinates": [1, 1]}}]}),
])
def test_bad_file_loads_nothing(jakarta: None, tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was loaded"):
        run(path)
    assert not AreaBoundary.objects.exists()


def test_missing_file(jakarta: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "none.geojson")
