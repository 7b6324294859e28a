"""Command line: python -m resettle.matching solve PROBLEM.json --out RESULT.json [--time-limit S]

Exit status 0 on success; 2 for a malformed problem, unreadable input or bad arguments (one line on
stderr, no result file written); 1 for an internal failure. The result file is written atomically.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

from .problem import ProblemError
from .solver import solve

DEFAULT_TIME_LIMIT = 60.0


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(
            2,
            f"error: {message} (usage: python -m resettle.matching solve PROBLEM.json --out RESULT.json "
            "[--time-limit SECONDS])\n",
        )


def _parser():
    ap = _Parser(prog="python -m resettle.matching", description="Match community offers to families' needs.")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=_Parser)
    s = sub.add_parser("solve", help="solve a problem file and write the result file")
    s.add_argument("problem", help="problem JSON (format version 1)")
    s.add_argument("--out", required=True, help="where to write the result JSON")
    s.add_argument(
        "--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="seconds to spend (default %(default)s)"
    )
    return ap


def _one_line(text):
    return " ".join(str(text).split())


def load(path):
    """The parsed problem file; ProblemError (one line) if it cannot be read or parsed."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise ProblemError("no such file") from None
    except json.JSONDecodeError as e:
        raise ProblemError(f"not valid JSON ({e})") from None
    except UnicodeDecodeError:
        raise ProblemError("not UTF-8 text") from None
    except RecursionError:
        raise ProblemError("JSON nested too deeply") from None
    except OSError as e:
        raise ProblemError("cannot read: %s" % (e.strerror or e)) from None


def write_atomic(path, result):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".result-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(result, fh, separators=(",", ":"))
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def process_started():
    """The perf_counter reading at which this process started (so the time limit covers starting
    Python and importing numpy, scipy and HiGHS too); now where /proc cannot tell."""
    now = time.perf_counter()
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        age = uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return now
    return now - min(max(0.0, age), 60.0)


def main(argv=None, started=None):
    """The command line; `started` is the perf_counter reading the time limit counts from (now
    where not given)."""
    t0 = started if started is not None else time.perf_counter()
    args = _parser().parse_args(argv)
    if not (args.time_limit > 0):
        print("error: --time-limit must be positive", file=sys.stderr)
        return 2
    try:
        data = load(args.problem)
        result = solve(data, args.time_limit, started=t0)
    except ProblemError as e:
        print(f"error: {args.problem}: {_one_line(e)}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"error: {args.problem}: out of memory", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - an engine failure: one line, no partial result
        print(f"error: {args.problem}: internal failure: {type(e).__name__}: {_one_line(e)}", file=sys.stderr)
        return 1
    try:
        write_atomic(args.out, result)
    except OSError as e:
        print(f"error: {args.out}: cannot write the result: {e.strerror or e}", file=sys.stderr)
        return 2
    st = result["stats"]
    met = len(result["assignments"])
    total = met + len(result["unmet"])
    bound = "unknown" if st["bound"] is None else f"{st['bound']:.4f}"
    print(
        f"{args.problem}: {met}/{total} needs met, objective {st['objective']:.4f}, bound {bound}, "
        f"{st['status']}, {time.perf_counter() - t0:.2f} s"
    )
    return 0
