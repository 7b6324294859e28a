"""Benchmark the matching engine: the shared instances, the project generator's seeds at scale, time
limits alone and beside a busy core, and churn between runs.

    python benchmarks/matching.py [--only NAME ...] [--time-limit S] [--skip-london] [--markdown]
    python benchmarks/matching.py --scale         # borough 300/1000/2000, london 3000/10000, tight 300/600
    python benchmarks/matching.py --time-sweep    # 2-60 s on borough-1000 and london-10000, alone and busy
    python benchmarks/matching.py --churn         # remove 5% of offers, re-solve without and with keep_offer
    python benchmarks/matching.py --scale --busy  # any of these with one busy core beside each run

Each instance is solved in a fresh process through the command line, with the clock from process
start (so wall seconds and peak memory are those of a real run, reading and writing the files
included), checked with the project's checker (tests/matching/engine/feasibility.py; and with the
shared check.py for the shared instances when ../shared is present), and compared with first come
first served (the engine's own `first_come_objective`, the same rule as greedy.py) and the best
known objective where one is known. The load average is printed beside every figure: on a shared
machine the figures are those of a busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "matching" / "engine"))
import feasibility  # noqa: E402 - the project's own checker and generator, beside the engine tests
import instances  # noqa: E402

SHARED = REPO.parent / "shared" / "matching"
INSTANCES = SHARED / "instances"

# name -> (file in the shared folder or the project generator's (profile, families, seed), time
# limit, best known objective or None)
CASES = {
    "small-50": ("small-50.json", 10, 422376.87),
    "lewisham2017": ("lewisham2017.json", 10, 120835.15),
    "tight-200": ("tight-200.json", 10, 1233259.73),
    "borough-500": ("borough-500.json", 10, 5677236.45),
    "london-10000": ("london-10000.json", 120, 117206515.48),
    "gen:borough-300-s21": (("borough", 300, 21), 10, None),
    "gen:tight-300-s22": (("tight", 300, 22), 10, None),
}
# the scale sweep: the project generator's own seeds, with the time limits
SCALE = {
    "gen:borough-300-s1": (("borough", 300, 1), 10, None),
    "gen:borough-1000-s1": (("borough", 1000, 1), 60, None),
    "gen:borough-2000-s1": (("borough", 2000, 1), 120, None),
    "gen:london-3000-s1": (("london", 3000, 1), 120, None),
    "gen:london-10000-s1": (("london", 10000, 1), 120, None),
    "gen:tight-300-s1": (("tight", 300, 1), 10, None),
    "gen:tight-600-s1": (("tight", 600, 1), 30, None),
}
# (problem, limits): borough-1000, and london-10,000 at the limits where its pairs are cut short (2-10 s)
# or it is split with little time for each part (30, 60 s)
TIME_SWEEP = (
    (("borough", 1000, 2), (2, 10, 30)),
    (("london", 10000, 1), (2, 6, 10, 30, 60)),
)
CHECK_MAX_NEEDS = 25_000  # the scalar checker is slow on larger problems: their check column reads "-"


def _one(problem, out, time_limit):
    """Child process: run the command line with the clock from process start, report peak memory."""
    sys.path.insert(0, str(REPO))
    from resettle.matching.engine.cli import main, process_started

    code = main(["solve", problem, "--out", out, "--time-limit", str(time_limit)], started=process_started())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB -> MiB on Linux
    print(json.dumps({"code": code, "peak_mib": peak}))
    # as `python -m resettle.matching` does: exit without tearing the interpreter down
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def load_avg():
    try:
        with open("/proc/loadavg", encoding="ascii") as fh:
            return " ".join(fh.read().split()[:3])
    except OSError:
        return "?"


def solve_file(path, out, time_limit):
    """Solve in a fresh process; returns (child report, wall seconds from spawn to exit) or an error."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--one", str(path), str(out), str(time_limit)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not proc.stdout.strip():
        return None, wall, (proc.stderr.strip().splitlines()[-1:] or ["failed"])
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall, None


def run_case(name, spec, time_limit, tmp, shared_check=None):
    if isinstance(spec, tuple):
        data = instances.generate(*spec)
        path = Path(tmp) / ("{}.json".format(name.replace(":", "-")))
        path.write_text(json.dumps(data))
    else:
        path = INSTANCES / spec
        data = json.loads(path.read_text())
    out = Path(tmp) / ("{}.result.json".format(name.replace(":", "-")))
    load_before = load_avg()
    run, wall, error = solve_file(path, out, time_limit)
    if error:
        return {"name": name, "error": error}
    result = json.loads(out.read_text())
    st = result["stats"]
    ok = None
    if len(data["needs"]) <= CHECK_MAX_NEEDS:
        ok = feasibility.check(data, result).ok
        if shared_check is not None and not isinstance(spec, tuple):
            ok = ok and shared_check.check(shared_check.Problem(data), result).ok
    return {
        "name": name,
        "needs": len(data["needs"]),
        "pairs": st.get("pairs"),
        "limit": time_limit,
        "seconds": wall,
        "peak_mib": run["peak_mib"],
        "objective": st["objective"],
        "bound": st.get("bound"),
        "status": st.get("status"),
        "ok": ok,
        "greedy": st.get("first_come_objective"),
        "pairs_complete": st.get("pairs_complete", True),
        "load": load_before + " / " + load_avg(),
    }


HEAD = [
    "instance",
    "needs",
    "pairs",
    "limit s",
    "wall s",
    "peak MiB",
    "objective",
    "bound",
    "gap",
    "/ greedy",
    "/ best known",
    "status",
    "check",
    "load avg before / after",
]


def fmt(rows, best, markdown):
    lines = []
    for r in rows:
        if "error" in r:
            lines.append([r["name"], "error: " + " ".join(r["error"])] + [""] * (len(HEAD) - 2))
            continue
        gap = (r["bound"] - r["objective"]) / max(1.0, abs(r["bound"])) if r["bound"] is not None else None
        if r.get("pairs_complete") is False:
            r["status"] += " (pairs cut short)"
        bk = best.get(r["name"].removesuffix(" +busy core"))
        lines.append(
            [
                r["name"],
                "{:,}".format(r["needs"]),
                "{:,}".format(r["pairs"] or 0),
                "{:g}".format(r["limit"]),
                "{:.1f}".format(r["seconds"]),
                "{:.0f}".format(r["peak_mib"]),
                "{:,.2f}".format(r["objective"]),
                "{:,.2f}".format(r["bound"]) if r["bound"] is not None else "-",
                "%.4f%%" % (100 * gap) if gap is not None else "-",
                "%.3f" % (r["objective"] / r["greedy"]) if r["greedy"] else "-",
                "%.6f" % (r["objective"] / bk) if bk else "-",
                r["status"],
                "-" if r["ok"] is None else "OK" if r["ok"] else "FAIL",
                r["load"],
            ]
        )
    return table(HEAD, lines, markdown)


def table(head, lines, markdown):
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(str(x) for x in line) + " |" for line in lines]
        return "\n".join(out)
    widths = [max(len(str(x[i])) for x in [head] + lines) for i in range(len(head))]
    return "\n".join("  ".join(str(x[i]).ljust(widths[i]) for i in range(len(head))) for x in [head] + lines)


def _busy_core():
    """A process that keeps one core busy until it is stopped."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def _run_beside(name, spec, limit, tmp, shared_check, busy):
    """run_case, with one busy core beside it if `busy`."""
    spinner = _busy_core() if busy else None
    try:
        row = run_case(name, spec, limit, tmp, shared_check)
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()
    if busy and "error" not in row:
        row["name"] += " +busy core"
    return row


def time_sweep(tmp, markdown):
    """The same problem at each time limit, alone and with a busy core beside it: wall from spawn to
    exit must stay within the limit + 2 s."""
    rows = []
    for case, limits in TIME_SWEEP:
        profile, families, seed = case
        for busy in (False, True):
            for limit in limits:
                name = f"gen:{profile}-{families}-s{seed}" + (" +busy core" if busy else "")
                spinner = _busy_core() if busy else None
                try:
                    rows.append(run_case(name, case, limit, tmp))
                finally:
                    if spinner is not None:
                        spinner.kill()
                        spinner.wait()
                print(f"done {name} at {limit} s", file=sys.stderr, flush=True)
    text = fmt(rows, {}, markdown)
    within = [r["seconds"] <= r["limit"] + 2 for r in rows if "error" not in r]
    return text + f"\nwall <= limit + 2 s: {sum(within)}/{len(rows)}"


def churn(tmp, families=300, seed=31, limit=20.0, removed_share=0.05):
    """Solve, remove 5% of the offers at random, solve again without and with keep_offer: the share
    of unaffected needs (their proposed offer still there) whose proposal changed."""
    data = instances.generate("borough", families, seed)
    first_path, first_out = Path(tmp) / "churn-1.json", Path(tmp) / "churn-1.result.json"
    first_path.write_text(json.dumps(data))
    _, _, error = solve_file(first_path, first_out, limit)
    if error:
        return "churn: error " + " ".join(error)
    before = {a["need"]: a["offer"] for a in json.loads(first_out.read_text())["assignments"]}
    rng = random.Random(seed)
    offers = data["offers"]
    gone = set(rng.sample([o["id"] for o in offers], int(len(offers) * removed_share)))
    unaffected = {n for n, o in before.items() if o not in gone}
    lines = []
    for keep in (False, True):
        again = dict(data, offers=[o for o in offers if o["id"] not in gone])
        if keep:
            again["needs"] = [
                dict(n, keep_offer=before[n["id"]]) if n["id"] in unaffected else n for n in data["needs"]
            ]
        path, out = Path(tmp) / f"churn-2-{keep}.json", Path(tmp) / f"churn-2-{keep}.result.json"
        path.write_text(json.dumps(again))
        load = load_avg()
        _, wall, error = solve_file(path, out, limit)
        if error:
            lines.append(["with" if keep else "without", "error: " + " ".join(error), "", "", "", ""])
            continue
        result = json.loads(out.read_text())
        after = {a["need"]: a["offer"] for a in result["assignments"]}
        moved = sum(1 for n in unaffected if after.get(n) != before[n])
        lines.append(
            [
                "with keep_offer" if keep else "without keep_offer",
                f"{moved}/{len(unaffected)}",
                "%.2f%%" % (100 * moved / max(1, len(unaffected))),
                "{:,.2f}".format(result["stats"]["objective"]),
                f"{wall:.1f}",
                load,
            ]
        )
    head = ["re-run", "moved / unaffected", "churn", "objective", "wall s", "load avg"]
    return (
        f"churn on gen:borough-{families}-s{seed}, {len(gone)} of {len(offers)} offers removed, {limit:g} s:\n"
        + table(head, lines, False)
    )


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--one"]:
        _one(argv[1], argv[2], float(argv[3]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", help="instance names to run (default: the shared instances and two seeds)")
    ap.add_argument("--time-limit", type=float, default=None, help="override every time limit")
    ap.add_argument("--skip-london", action="store_true")
    ap.add_argument("--scale", action="store_true", help="the scale sweep on the project generator's seeds")
    ap.add_argument("--time-sweep", action="store_true", help="2-60 s, alone and beside a busy core")
    ap.add_argument("--churn", action="store_true", help="the churn figure, without and with keep_offer")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--busy", action="store_true", help="run every instance with one busy core beside it")
    args = ap.parse_args(argv)
    shared_check = None
    if SHARED.is_dir():
        sys.path.insert(0, str(SHARED))
        import check as shared_check
    print(f"load average at start: {load_avg()} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        if args.time_sweep:
            print(time_sweep(tmp, args.markdown))
        if args.churn:
            print(churn(tmp))
        if args.time_sweep or args.churn:
            if not (args.scale or args.only):
                return 0
        cases = dict(SCALE) if args.scale else {**CASES, **SCALE}
        if args.only:
            names = args.only
        elif args.scale:
            names = list(SCALE)
        else:
            names = [n for n in CASES if not (args.skip_london and "london" in n)]
        names = [n for n in names if shared_check is not None or isinstance(cases[n][0], tuple)]
        if args.skip_london:
            names = [n for n in names if "london" not in n]
        rows = []
        for name in names:
            spec, limit, _ = cases[name]
            rows.append(_run_beside(name, spec, args.time_limit or limit, tmp, shared_check, args.busy))
            print(f"done {name}", file=sys.stderr, flush=True)
    best = {n: c[2] for n, c in CASES.items() if c[2]}
    print(fmt(rows, best, args.markdown))
    return 0 if all(r.get("ok") is not False and "error" not in r for r in rows) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
