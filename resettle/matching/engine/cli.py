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
from collections.abc import Sequence
from typing import Any, NoReturn

from .problem import ProblemError
from .solver import solve

DEFAULT_TIME_LIMIT = 60.0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(
            2,
            f"error: {message} (usage: python -m resettle.matching solve PROBLEM.json --out RESULT.json "
            "[--time-limit SECONDS])\n",
        )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m resettle.matching", description="Match community offers to families' needs.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    solve_command = commands.add_parser("solve", help="solve a problem file and write the result file")
    solve_command.add_argument("problem", help="problem JSON (format version 1)")
    solve_command.add_argument("--out", required=True, help="where to write the result JSON")
    solve_command.add_argument(
        "--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="seconds to spend (default %(default)s)"
    )
    return parser


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def load(path: str) -> Any:
    """The parsed problem file; ProblemError (one line) if it cannot be read or parsed."""
    try:
        with open(path, encoding="utf-8") as source:
            return json.load(source)
    except FileNotFoundError:
        raise ProblemError("no such file") from None
    except json.JSONDecodeError as error:
        raise ProblemError(f"not valid JSON ({error})") from None
    except UnicodeDecodeError:
        raise ProblemError("not UTF-8 text") from None
    except RecursionError:
        raise ProblemError("JSON nested too deeply") from None
    except OSError as error:
        raise ProblemError("cannot read: %s" % (error.strerror or error)) from None


def write_atomic(path: str, result: Any) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, tmp = tempfile.mkstemp(prefix=".result-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(result, out, separators=(",", ":"))
            out.write("\n")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def process_started() -> float:
    """The perf_counter reading at which this process started (so the time limit covers starting
    Python and importing numpy, scipy and HiGHS too); now where /proc cannot tell."""
    now = time.perf_counter()
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime_file:
            uptime = float(uptime_file.read().split()[0])
        age = uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return now
    return now - min(max(0.0, age), 60.0)


def main(argv: Sequence[str] | None = None, started: float | None = None) -> int:
    """The command line; `started` is the perf_counter reading the time limit counts from (now
    where not given)."""
    start = started if started is not None else time.perf_counter()
    args = _parser().parse_args(argv)
    if not (args.time_limit > 0):
        print("error: --time-limit must be positive", file=sys.stderr)
        return 2
    try:
        data = load(args.problem)
        result = solve(data, args.time_limit, started=start)
    except ProblemError as error:
        print(f"error: {args.problem}: {_one_line(error)}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"error: {args.problem}: out of memory", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - an engine failure: one line, no partial result
        kind = type(error).__name__
        print(f"error: {args.problem}: internal failure: {kind}: {_one_line(error)}", file=sys.stderr)
        return 1
    try:
        write_atomic(args.out, result)
    except OSError as error:
        print(f"error: {args.out}: cannot write the result: {error.strerror or error}", file=sys.stderr)
        return 2
    stats = result["stats"]
    met = len(result["assignments"])
    total = met + len(result["unmet"])
    bound = "unknown" if stats["bound"] is None else f"{stats['bound']:.4f}"
    print(
        f"{args.problem}: {met}/{total} needs met, objective {stats['objective']:.4f}, bound {bound}, "
        f"{stats['status']}, {time.perf_counter() - start:.2f} s"
    )
    return 0
