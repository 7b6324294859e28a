"""Benchmark the matching engine on the shared instances and on freshly generated ones.

    python benchmarks/matching.py [--only NAME ...] [--time-limit S] [--skip-london] [--markdown]

Each instance is solved in a fresh process through the command line (so seconds and peak memory are
those of a real run, reading and writing the files included), checked with check.py, and compared
with greedy.py (first come, first served) and with the best known objective where one is known.
Prints a table (Markdown with --markdown).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "matching"
INSTANCES = SHARED / "instances"

# name -> (file or gen.py arguments, time limit, best known objective or None)
CASES = {
    "small-50": ("small-50.json", 10, 422376.87),
    "lewisham2017": ("lewisham2017.json", 10, 120835.15),
    "tight-200": ("tight-200.json", 10, 1233259.73),
    "borough-500": ("borough-500.json", 10, 5677236.45),
    "london-10000": ("london-10000.json", 120, 117206515.48),
    "gen:borough-300-s21": (("borough", 300, 21), 10, None),
    "gen:tight-300-s22": (("tight", 300, 22), 10, None),
    "gen:lewisham2017-40-s23": (("lewisham2017", 40, 23), 10, None),
}


def _one(problem, out, time_limit):
    """Child process: run the command line and report seconds and peak memory as JSON."""
    sys.path.insert(0, str(REPO))
    from resettle.matching.engine.cli import main

    t0 = time.perf_counter()
    code = main(["solve", problem, "--out", out, "--time-limit", str(time_limit)])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB -> MiB on Linux
    print(json.dumps({"code": code, "seconds": time.perf_counter() - t0, "peak_mib": peak}))


def run_case(name, spec, time_limit, tmp, check, greedy, gen):
    if isinstance(spec, tuple):
        profile, fam, seed = spec
        path = Path(tmp) / ("{}.json".format(name.replace(":", "-")))
        with open(path, "w") as fh:
            gen.dump(gen.generate(profile, fam, seed), fh)
    else:
        path = INSTANCES / spec
    out = Path(tmp) / ("{}.result.json".format(name.replace(":", "-")))
    proc = subprocess.run(
        [sys.executable, __file__, "--one", str(path), str(out), str(time_limit)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return {"name": name, "error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
    run = json.loads(proc.stdout.strip().splitlines()[-1])
    p = check.Problem.load(str(path))
    result = json.loads(out.read_text())
    rep = check.check(p, result)
    g = p.objective(greedy.greedy(p)[0])
    st = result["stats"]
    pri = sorted(rep.total_by_priority, reverse=True)
    return {
        "name": name,
        "needs": len(p.needs),
        "pairs": st.get("pairs"),
        "seconds": run["seconds"],
        "peak_mib": run["peak_mib"],
        "objective": rep.objective,
        "bound": st.get("bound"),
        "status": st.get("status"),
        "ok": rep.ok,
        "greedy": g,
        "met": " ".join(f"{rep.met_by_priority[k]}/{rep.total_by_priority[k]}" for k in pri),
    }


def fmt(rows, best, markdown):
    head = [
        "instance",
        "needs",
        "pairs",
        "seconds",
        "peak MiB",
        "objective",
        "gap to bound",
        "/ greedy",
        "/ best known",
        "met p5 p4 p3 p2 p1",
        "status",
        "check",
    ]
    lines = []
    for r in rows:
        if "error" in r:
            lines.append([r["name"], "error: " + " ".join(r["error"])] + [""] * (len(head) - 2))
            continue
        gap = max(0.0, (r["bound"] - r["objective"]) / max(1.0, abs(r["bound"]))) if r["bound"] is not None else None
        bk = best.get(r["name"])
        lines.append(
            [
                r["name"],
                "{:,}".format(r["needs"]),
                "{:,}".format(r["pairs"] or 0),
                "{:.1f}".format(r["seconds"]),
                "{:.0f}".format(r["peak_mib"]),
                "{:,.2f}".format(r["objective"]),
                "%.4f%%" % (100 * gap) if gap is not None else "-",
                "%.3f" % (r["objective"] / r["greedy"]),
                "%.6f" % (r["objective"] / bk) if bk else "-",
                r["met"],
                r["status"],
                "OK" if r["ok"] else "FAIL",
            ]
        )
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(x) + " |" for x in lines]
        return "\n".join(out)
    widths = [max(len(str(x[i])) for x in [head] + lines) for i in range(len(head))]
    return "\n".join("  ".join(str(x[i]).ljust(widths[i]) for i in range(len(head))) for x in [head] + lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--one"]:
        _one(argv[1], argv[2], float(argv[3]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", help="instance names to run (default: all)")
    ap.add_argument("--time-limit", type=float, default=None, help="override every time limit")
    ap.add_argument("--skip-london", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        print(f"error: the shared folder {SHARED} is absent", file=sys.stderr)
        return 2
    sys.path.insert(0, str(SHARED))
    import check
    import gen
    import greedy

    names = args.only or [n for n in CASES if not (args.skip_london and n.startswith("london"))]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            spec, limit, _ = CASES[name]
            r = run_case(name, spec, args.time_limit or limit, tmp, check, greedy, gen)
            rows.append(r)
            print(f"done {name}", file=sys.stderr, flush=True)
    best = {n: c[2] for n, c in CASES.items() if c[2]}
    print(fmt(rows, best, args.markdown))
    return 0 if all(r.get("ok") for r in rows) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
