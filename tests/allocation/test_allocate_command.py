"""`ksbb allocate` as an outside script would run it: a process, files, an exit status."""

import json
import subprocess
import sys
from pathlib import Path

PROBLEM = {
    "pledges": [
        {"id": "P1", "item": "sembako", "quantity": 10, "area": "31.71.01.1001",
         "restrict_to": None},
        {"id": "P2", "item": "sembako", "quantity": 5, "area": "31.75",
         "restrict_to": "31.75"},
    ],
    "needs": [
        {"recipient": "RW-1", "item": "sembako", "quantity": 8, "priority": 1,
         "area": "31.71.01.1001.001"},
        {"recipient": "RW-2", "item": "sembako", "quantity": 8, "priority": 1,
         "area": "31.75.01.1001.002"},
    ],
}


def _run(tmp_path: Path, problem: object) -> subprocess.CompletedProcess[str]:
    source = tmp_path / "problem.json"
    source.write_text(problem if isinstance(problem, str) else json.dumps(problem))
    return subprocess.run(
        [sys.executable, "-m", "ksbb.cli", "allocate", "--input", str(source), "--output",
         str(tmp_path / "plan.json")],
        capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "KSBB_DATA_DIR": str(tmp_path / "var")},
    )


def test_writes_a_plan(tmp_path):
    result = _run(tmp_path, PROBLEM)
    assert result.returncode == 0, result.stderr
    plan = json.loads((tmp_path / "plan.json").read_text())
    lines = {(a["pledge"], a["recipient"]): a for a in plan["allocations"]}
    # P2 may only serve Jakarta Timur; P1 covers RW-1 locally and gives the rest to RW-2.
    assert lines[("P2", "RW-2")]["quantity"] == 5
    assert lines[("P1", "RW-1")]["quantity"] == 8
    assert lines[("P1", "RW-1")]["locality"] == "village"
    assert lines[("P1", "RW-2")]["quantity"] == 2
    # Max-min fair: t = 15/16 for both, so each gets floor(7.5) = 7 or more; the spare
    # unit goes where it travels least (RW-1, next to P1).
    assert plan["summary"]["lowest_ratio"] == 0.875


def test_bad_input_exits_2_naming_the_record_and_writes_nothing(tmp_path):
    bad = json.loads(json.dumps(PROBLEM))
    bad["needs"][1]["quantity"] = -3
    result = _run(tmp_path, bad)
    assert result.returncode == 2
    assert "needs[1]" in result.stderr and "RW-2" in result.stderr
    assert not (tmp_path / "plan.json").exists()


def test_malformed_json_exits_2(tmp_path):
    result = _run(tmp_path, "{not json")
    assert result.returncode == 2
    assert "not valid JSON" in result.stderr
    assert not (tmp_path / "plan.json").exists()


def test_runs_without_loading_django(tmp_path):
    source = tmp_path / "problem.json"
    source.write_text(json.dumps(PROBLEM))
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('django loaded:', 'django' in sys.modules))\n"
        "from ksbb.cli import main\n"
        f"main(['allocate', '--input', {str(source)!r}, '--output', "
        f"{str(tmp_path / 'plan.json')!r}])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "django loaded: False" in result.stdout
    assert "allocation lines written" in result.stdout


def test_management_command_gives_the_same_plan(tmp_path):
    from django.core.management import call_command

    source = tmp_path / "problem.json"
    source.write_text(json.dumps(PROBLEM))
    assert _run(tmp_path, PROBLEM).returncode == 0
    call_command("allocate", input=source, output=tmp_path / "plan2.json")
    first = json.loads((tmp_path / "plan.json").read_text())
    second = json.loads((tmp_path / "plan2.json").read_text())
    del first["summary"]["solve_seconds"], second["summary"]["solve_seconds"]
    assert first == second
