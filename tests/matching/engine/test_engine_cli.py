"""The command line: results written atomically; malformed problems get one line and status 2."""

import copy
import json
import subprocess
import sys

import pytest

from resettle.matching.engine.cli import main

PROBLEM = {
    "version": 1,
    "date": "2026-11-21",
    "weights": {
        "priority_value": {"1": 100, "2": 300, "3": 1000, "4": 3000, "5": 10000},
        "cost_weight": 0.5,
        "distance_weight": 5.0,
    },
    "streams": [
        {"id": "core", "scope": "family", "categories": ["furniture"], "excluded_items": ["television"]},
        {"id": "pool", "scope": "pool", "budget": 50000, "categories": ["furniture"], "excluded_items": ["television"]},
    ],
    "families": [
        {"id": "F1", "location": [51.44, -0.02], "budgets": {"core": 20000}, "pools": ["pool"]},
        {"id": "F2", "location": [51.45, -0.03], "budgets": {}, "pools": []},
    ],
    "needs": [
        {
            "id": "N1",
            "family": "F1",
            "category": "furniture",
            "priority": 4,
            "units": 1,
            "requires": {"item": "bed", "max_distance_km": 10},
        },
        {"id": "N2", "family": "F2", "category": "furniture", "priority": 4, "units": 1, "requires": {"item": "bed"}},
        {"id": "N3", "family": "F2", "category": "housing", "priority": 5, "units": 1, "requires": {}},
        {
            "id": "N4",
            "family": "F1",
            "category": "furniture",
            "priority": 3,
            "units": 1,
            "requires": {"item": "television"},
        },
    ],
    "offers": [
        {
            "id": "O1",
            "category": "furniture",
            "capacity": 1,
            "cost": 0,
            "attributes": {"item": "bed", "location": [51.441, -0.021]},
        },
        {
            "id": "O2",
            "category": "furniture",
            "capacity": 5,
            "cost": 15000,
            "attributes": {"item": "bed", "location": [51.46, -0.02]},
        },
        {
            "id": "O3",
            "category": "furniture",
            "capacity": 5,
            "cost": 10000,
            "attributes": {"item": "television", "location": [51.44, -0.02]},
        },
    ],
}


def run(tmp_path, problem, capsys, raw=None):
    src = tmp_path / "problem.json"
    src.write_text(raw if raw is not None else json.dumps(problem))
    out = tmp_path / "result.json"
    code = main(["solve", str(src), "--out", str(out), "--time-limit", "5"])
    return code, out, capsys.readouterr()


def test_solve_writes_a_result(tmp_path, capsys):
    code, out, _ = run(tmp_path, PROBLEM, capsys)
    assert code == 0
    result = json.loads(out.read_text())
    got = {a["need"]: (a["offer"], a["stream"]) for a in result["assignments"]}
    assert got["N2"] == ("O1", None) and got["N1"][0] == "O2" and got["N1"][1] in ("core", "pool")
    reasons = {u["need"]: u["reason"] for u in result["unmet"]}
    assert reasons == {"N3": "no_offer", "N4": "unfundable"}
    assert result["stats"]["bound"] >= result["stats"]["objective"]


def mutate(fn):
    p = copy.deepcopy(PROBLEM)
    fn(p)
    return p


BAD = {
    "unknown version": (mutate(lambda p: p.update(version=2)), "version"),
    "missing need id": (mutate(lambda p: p["needs"][0].pop("id")), "id"),
    "unknown family": (mutate(lambda p: p["needs"][0].update(family="F9")), "unknown family"),
    "negative capacity": (mutate(lambda p: p["offers"][0].update(capacity=-1)), "capacity"),
    "duplicate offer id": (mutate(lambda p: p["offers"][1].update(id="O1")), "duplicate offer id"),
    "duplicate need id": (mutate(lambda p: p["needs"][1].update(id="N1")), "duplicate need id"),
    "bad date": (mutate(lambda p: p["offers"][0].update(available_from="tomorrow")), "date"),
    "not an object": ([1, 2, 3], "JSON object"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_problem_gets_one_line_and_status_2(case, tmp_path, capsys):
    problem, words = BAD[case]
    code, out, cap = run(tmp_path, problem, capsys)
    assert code == 2
    assert not out.exists()
    lines = cap.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0]
    assert "Traceback" not in cap.err


def test_bad_json(tmp_path, capsys):
    code, out, cap = run(tmp_path, None, capsys, raw='{"version": 1, ')
    assert code == 2 and not out.exists()
    assert "not valid JSON" in cap.err and len(cap.err.strip().splitlines()) == 1


def test_missing_file(tmp_path, capsys):
    out = tmp_path / "result.json"
    code = main(["solve", str(tmp_path / "nope.json"), "--out", str(out)])
    cap = capsys.readouterr()
    assert code == 2 and not out.exists()
    assert "no such file" in cap.err and len(cap.err.strip().splitlines()) == 1


def test_existing_result_is_kept_when_the_problem_is_bad(tmp_path, capsys):
    out = tmp_path / "result.json"
    out.write_text("previous")
    src = tmp_path / "problem.json"
    src.write_text("[")
    assert main(["solve", str(src), "--out", str(out)]) == 2
    assert out.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".result-")] == []


def test_module_entry_point(tmp_path):
    src = tmp_path / "problem.json"
    src.write_text(json.dumps(PROBLEM))
    out = tmp_path / "result.json"
    ok = subprocess.run(
        [sys.executable, "-m", "resettle.matching", "solve", str(src), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0 and out.exists()
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "resettle.matching",
            "solve",
            str(tmp_path / "x.json"),
            "--out",
            str(tmp_path / "y.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "Traceback" not in bad.stderr
