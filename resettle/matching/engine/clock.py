"""The time limit: one clock from the start of the run (the process, from the command line), which
every phase asks how much time is left."""

from __future__ import annotations

import time

GRACE_SECONDS = 1.0  # past the limit, only what the result needs to be correct runs (completion, reasons)


class Clock:
    """Seconds left of `limit` counted from the perf_counter reading `started`."""

    def __init__(self, started: float, limit: float) -> None:
        self.started = started
        self.limit = limit

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def left(self) -> float:
        return self.limit - self.elapsed()

    def at(self, seconds_before_end: float = 0.0) -> float:
        """The perf_counter reading `seconds_before_end` before the limit (a deadline for a phase)."""
        return self.started + self.limit - seconds_before_end

    def hard_end(self) -> float:
        """The last moment for the parts of the result that are optional (blocking rules): the limit
        plus a grace that leaves room to write the result within limit + 2 s."""
        return self.started + self.limit + GRACE_SECONDS
