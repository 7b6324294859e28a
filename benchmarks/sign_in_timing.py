"""How long a sign-in attempt takes for each outcome, with the production password hash parameters.

    python benchmarks/sign_in_timing.py [--rounds N]

An unknown email address, a wrong password, a paused (throttled) address and a correct password should take
about the same time, so timing does not tell an attacker which accounts exist. Prints the median and spread of
each, on an in-memory SQLite database, calling the sign-in service directly (no HTTP).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resettle import create_app  # noqa: E402
from resettle.auth.models import Role  # noqa: E402
from resettle.auth.services import authenticate, create_user  # noqa: E402
from resettle.config import TestConfig  # noqa: E402
from resettle.extensions import db  # noqa: E402

PASSWORD = "amber kettle orchard"  # noqa: S105 (a benchmark account on a throwaway database)


class BenchmarkConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    ARGON2_FAST = False  # the real cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    app = create_app(BenchmarkConfig)
    with app.app_context():
        db.create_all()
        create_user("real@council.example", "Real Person", Role.REVIEWER, password=PASSWORD)
        create_user("paused@council.example", "Paused Person", Role.REVIEWER, password=PASSWORD)
        db.session.commit()
        with app.test_request_context():
            for n in range(5):
                authenticate("paused@council.example", f"wrong {n}", "198.51.100.1")
            db.session.commit()
        cases = {
            "unknown email": ("nobody@council.example", "whatever password", "198.51.100.2"),
            "wrong password": ("real@council.example", "not the password", "198.51.100.3"),
            "paused address": ("paused@council.example", PASSWORD, "198.51.100.1"),
            "correct password": ("real@council.example", PASSWORD, "198.51.100.4"),
        }
        print(f"{'outcome':<18} {'median ms':>10} {'min ms':>8} {'max ms':>8}  ({args.rounds} rounds each)")
        for name, (email, password, address) in cases.items():
            timings = []
            for _ in range(args.rounds):
                with app.test_request_context():
                    start = time.perf_counter()
                    result = authenticate(email, password, address)
                    timings.append((time.perf_counter() - start) * 1000)
                    db.session.rollback()  # each round starts from the same counts
            print(
                f"{name:<18} {statistics.median(timings):>10.1f} {min(timings):>8.1f} {max(timings):>8.1f}"
                f"  -> {result.outcome.value}"
            )


if __name__ == "__main__":
    main()
