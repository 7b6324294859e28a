"""Benchmark every page and export at borough and at London size on PostgreSQL.

    python benchmarks/pages.py seed   [--server URL] [--prefix bench] [--sizes borough,london]
    python benchmarks/pages.py tour   [--server URL] [--prefix bench] [--repeat 3] [--markdown]
    python benchmarks/pages.py jobs   [--server URL] [--prefix bench]

`seed` makes two databases, `<prefix>_borough` and `<prefix>_london`: the demo borough (every kind of record:
families, members, needs, tasks, notes, consent, offers and their items, spend lines and receipts, claim
batches, matching runs, proposals, matches, audit rows), then, for London, copies of it row by row with fresh
keys (a fast bulk path: Core inserts of whole batches) until there are ~5,000 families and ~500,000 audit rows.

`tour` signs in as each role and opens every GET route of the route table (parameters filled from the
database), and prints per page the number of SQL statements and the median milliseconds at both sizes, with
the load average beside them (the machine is shared). `jobs` times the problem builder and the nightly job at
London size, each in a fresh process, and prints seconds and peak memory (the nightly job is rolled back).

The same script measures any checkout: run it with PYTHONPATH pointing at another tree to get its figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path and not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, event, func, insert, select, text  # noqa: E402

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
TARGET_FAMILIES = {"borough": None, "london": 5000}
TARGET_AUDIT = 500_000
# Tables copied for London (with every table that refers to them); the rest (users, funding rules,
# categories) are shared configuration.
NOT_COPIED = {
    "users",
    "funding_schemes",
    "funding_streams",
    "funding_stream_categories",
    "funding_amount_rules",
    "expense_categories",
    "expense_category_eligibility",
    "alembic_version",
    "match_runs",
    "match_run_requests",
    "lha_rates",
    "outbound_emails",
}


def make_app(url: str) -> Any:
    from resettle import create_app
    from resettle.config import Config

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = "benchmark"  # noqa: S105
        SERVER_NAME = "localhost"
        WTF_CSRF_ENABLED = False
        RATELIMIT_ENABLED = False
        MAIL_SUPPRESS_SEND = True
        TESTING = False

    return create_app(BenchConfig)


def _recreate(server: str, name: str) -> str:
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{server}/{name}"


def _unique_columns(table: Any) -> set[str]:
    names = {c.name for c in table.columns if c.unique}
    for constraint in table.constraints:
        cols = [c.name for c in getattr(constraint, "columns", [])]
        if constraint.__class__.__name__ == "UniqueConstraint" and len(cols) == 1:
            names.add(cols[0])
    for index in table.indexes:
        if index.unique and len(index.columns) == 1:
            names.add(next(iter(index.columns)).name)
    return names


DIGITS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _copy_value(value: Any, column: Any, serial: int) -> Any:
    """A unique value for copy number `serial` (unique over the table): the value's end is replaced by the
    serial in base 34 upper case, so references keep their length and alphabet."""
    if not isinstance(value, str):
        return value
    code = ""
    while serial or not code:
        serial, digit = divmod(serial, len(DIGITS))
        code = DIGITS[digit] + code
    code = code.rjust(5, "0")
    length = getattr(column.type, "length", None) or 64
    keep = max(0, min(len(value), length) - len(code))
    return (value[:keep] + code)[:length]


def _foreign_offsets(table: Any, offsets: dict[str, int]) -> dict[str, int]:
    return {
        fk.parent.name: offsets[fk.column.table.name]
        for fk in table.foreign_keys
        if fk.column.table.name in offsets and fk.column.name == "id"
    }


def _copy_table(connection: Any, table: Any, offsets: dict[str, int], copies: int, audit_target: int) -> None:
    rows = [dict(r._mapping) for r in connection.execute(select(table).order_by(table.c.id))]
    if not rows:
        return
    unique = _unique_columns(table) - {"id"}
    fks = _foreign_offsets(table, offsets)
    times = max(copies, audit_target // len(rows)) if table.name == "audit_events" else copies
    offset = offsets[table.name]
    batch: list[dict[str, Any]] = []
    for copy in range(1, times + 1):
        fk_copy = min(copy, copies)
        for index, row in enumerate(rows):
            new = {**row, "id": row["id"] + offset * copy}
            for name, parent_offset in fks.items():
                if row.get(name) is not None:
                    new[name] = row[name] + parent_offset * fk_copy
            for name in unique - set(fks):
                if row.get(name) is not None:
                    new[name] = _copy_value(row[name], table.c[name], copy * len(rows) + index)
            batch.append(new)
            if len(batch) >= 5000:
                connection.execute(insert(table), batch)
                batch = []
    if batch:
        connection.execute(insert(table), batch)
    # Table names come from the application's own metadata, never from input.
    sequence = func.pg_get_serial_sequence(table.name, "id")
    connection.execute(select(func.setval(sequence, select(func.max(table.c.id)).scalar_subquery())))
    print(f"  {table.name}: {len(rows)} -> {len(rows) * (times + 1)} rows", flush=True)


def copy_rows(db: Any, copies: int, audit_target: int) -> None:
    """Copy every row of the copied tables `copies` times with fresh keys, parents before children."""
    connection = db.session.connection()
    tables = [
        t for t in db.metadata.sorted_tables if t.name not in NOT_COPIED and [c.name for c in t.primary_key] == ["id"]
    ]
    offsets = {t.name: int(connection.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one()) for t in tables}
    for table in tables:
        _copy_table(connection, table, offsets, copies, audit_target)
    db.session.commit()


def seed(server: str, prefix: str, sizes: list[str]) -> None:
    for size in sizes:
        url = _recreate(server, f"{prefix}_{size}")
        app = make_app(url)
        with app.app_context():
            from resettle.demo import load_demo_data
            from resettle.extensions import db
            from resettle.families.models import Family

            db.create_all()
            load_demo_data()
            db.session.commit()
            families = db.session.execute(select(func.count()).select_from(Family)).scalar_one()
            started = time.monotonic()
            target = TARGET_FAMILIES[size]
            if target:
                copy_rows(db, max(1, target // families - 1), TARGET_AUDIT)
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            total = db.session.execute(select(func.count()).select_from(Family)).scalar_one()
            print(f"{size}: {total} families, seeded in {time.monotonic() - started:.0f} s", flush=True)
            db.engine.dispose()


@contextmanager
def counting(engine: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def sample_args(db: Any) -> dict[str, Any]:
    """One value for each kind of URL parameter, taken from the database (the busiest records)."""
    from resettle.families.models import Family, Member, Need, Task
    from resettle.funding.spend_models import ClaimBatch, Receipt, SpendLine
    from resettle.matching.models import MatchRunRequest
    from resettle.offers.models import Offer

    def first(statement: Any) -> Any:
        return db.session.execute(statement.limit(1)).scalar()

    reference = first(select(Family.reference).join(SpendLine, SpendLine.family_id == Family.id).order_by(Family.id))
    family_id = first(select(Family.id).where(Family.reference == reference))
    return {
        "reference": reference,
        "member_id": first(select(Member.id).where(Member.family_id == family_id)),
        "need_id": first(select(Need.id).where(Need.family_id == family_id, Need.status == "open")),
        "task_id": first(select(Task.id).order_by(Task.id)),
        "offer_id": first(select(Offer.id).order_by(Offer.id)),
        "public_id": first(select(SpendLine.public_id).order_by(SpendLine.id)),
        "claim_public_id": first(select(ClaimBatch.public_id).order_by(ClaimBatch.id)),
        "receipt_public_id": first(select(Receipt.public_id).order_by(Receipt.id)),
        "run_request_public_id": first(select(MatchRunRequest.public_id).order_by(MatchRunRequest.id.desc())),
    }


SKIP = {"static", "auth.logout", "auth.set_password", "main.health"}


def pages(app: Any) -> list[tuple[str, str, dict[str, str]]]:
    """(endpoint, role, url) for every GET route each role may open."""
    from flask import url_for

    from resettle.auth.permissions import PUBLIC, declared_access
    from resettle.extensions import db

    with app.app_context():
        args = sample_args(db)
        out = []
        with app.test_request_context():
            for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
                if "GET" not in (rule.methods or ()) or rule.endpoint in SKIP:
                    continue
                values: dict[str, Any] = {}
                for name in rule.arguments:
                    if name == "public_id" and "claim" in rule.endpoint:
                        values[name] = args["claim_public_id"]
                    elif name == "public_id" and "receipt" in rule.endpoint:
                        values[name] = args["receipt_public_id"]
                    elif name == "public_id" and "run_progress" in rule.endpoint:
                        values[name] = args["run_request_public_id"]
                    elif name in args:
                        values[name] = args[name]
                    elif name == "offer_type":
                        values[name] = "housing"
                if set(values) != set(rule.arguments) or any(v is None for v in values.values()):
                    continue
                url = url_for(rule.endpoint, **values)
                access = declared_access(rule.endpoint)
                roles = ["public"] if access == PUBLIC else sorted(r.value for r in (access or ()))
                for role in roles:
                    out.append((rule.endpoint, role, url))
            out.extend(_variants(db))
    return out


def _variants(db: Any) -> list[tuple[str, str, str]]:
    """Pages whose cost depends on their arguments: the audit log filtered and far back, the family search."""
    from flask import url_for

    from resettle.audit.models import AuditEvent

    oldest = db.session.execute(
        select(AuditEvent).order_by(AuditEvent.occurred_at, AuditEvent.id).offset(60).limit(1)
    ).scalar_one()
    try:
        from resettle.audit.services import AuditCursor

        deep = url_for("audit.audit_log", before=AuditCursor.of(oldest).token)
    except ImportError:  # a checkout with numbered pages: the last page
        count = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        deep = url_for("audit.audit_log", page=-(-count // 50))
    return [
        ("audit.audit_log (deep page)", "admin", deep),
        ("audit.audit_log (action)", "admin", url_for("audit.audit_log", action="family_viewed")),
        ("audit.audit_log (who contains)", "admin", url_for("audit.audit_log", actor_email="tom")),
        ("families.list_families (search)", "caseworker", url_for("families.list_families", q="man")),
    ]


def _client_for(app: Any, role: str) -> Any:
    """A client signed in as the first active user of `role`: a server-side session, as after the password and
    the second step."""
    from resettle.auth.models import Role, User
    from resettle.auth.sessions import start_session
    from resettle.extensions import db

    client = app.test_client()
    if role == "public":
        return client
    with app.app_context():
        user = db.session.execute(
            select(User).where(User.role == Role(role), User.is_active_account.is_(True)).order_by(User.id).limit(1)
        ).scalar_one()
        token = start_session(user)
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


PAGE_TIMEOUT = 90  # seconds; a page still running then is recorded as given up (status 0)


class PageTimeout(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise PageTimeout


def measure(app: Any, repeat: int, only: str = "") -> dict[tuple[str, str], tuple[int, float, int]]:
    """(endpoint, role) -> (statements, median ms, status); `only`: endpoints containing one of these
    comma-separated words."""
    from resettle.extensions import db

    signal.signal(signal.SIGALRM, _on_alarm)
    results = {}
    clients: dict[str, Any] = {}
    with app.app_context():
        engine = db.engine
    words = [word for word in only.split(",") if word]
    for endpoint, role, url in pages(app):
        if words and not any(word in endpoint for word in words):
            continue
        client = clients.setdefault(role, _client_for(app, role))
        timings = []
        count = 0
        status = 0
        for _ in range(repeat):
            with counting(engine) as statements:
                started = time.perf_counter()
                signal.alarm(PAGE_TIMEOUT)
                try:
                    response = client.get(url)
                    response.get_data()
                    status = response.status_code
                    response.close()
                except PageTimeout:
                    status = 0  # gave up
                finally:
                    signal.alarm(0)
                timings.append((time.perf_counter() - started) * 1000)
            count = len(statements)
            if status == 0 or timings[-1] > 5000:
                break  # one measure of a very slow page is enough
        results[(endpoint, role)] = (count, statistics.median(timings), status)
        print(f"  {endpoint} as {role}: {count} statements, {statistics.median(timings):.0f} ms ({status})", flush=True)
    return results


def tour(server: str, prefix: str, repeat: int, markdown: bool, only: str = "") -> None:
    by_size = {}
    for size in ("borough", "london"):
        app = make_app(f"{server}/{prefix}_{size}")
        print(f"{size}: load average {os.getloadavg()}", flush=True)
        by_size[size] = measure(app, repeat, only)
    keys = sorted(set(by_size["borough"]) | set(by_size["london"]))
    header = ["page", "role", "stmts borough", "stmts London", "ms borough", "ms London", "status"]
    rows = []
    for key in keys:
        b = by_size["borough"].get(key, (0, 0.0, 0))
        lo = by_size["london"].get(key, (0, 0.0, 0))
        rows.append([key[0], key[1], str(b[0]), str(lo[0]), f"{b[1]:.0f}", f"{lo[1]:.0f}", f"{b[2]}/{lo[2]}"])
    print(f"load average after the tour: {os.getloadavg()}")
    _print_table(header, rows, markdown)
    failures = [r for r in rows if r[2] != r[3] or int(r[3]) > 30 or float(r[5]) > 300]
    print(f"\n{len(rows) - len(failures)} of {len(rows)} pages meet the targets (same statements, <= 30, <= 300 ms)")
    for r in failures:
        print(f"  missed: {r[0]} as {r[1]}: {r[2]} -> {r[3]} statements, {r[5]} ms")


def _print_table(header: list[str], rows: list[list[str]], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def job_in_process(server: str, prefix: str, which: str) -> None:
    """Child process: run one job once and print seconds, statements and peak memory."""
    app = make_app(f"{server}/{prefix}_london")
    if which == "run_now":
        _run_now(app)
        return
    with app.app_context():
        from resettle.clock import local_today
        from resettle.extensions import db

        with counting(db.engine) as statements:
            started = time.monotonic()
            if which == "builder":
                from resettle.matching.builder import build_problem

                built = build_problem(local_today())
                detail = f"{len(built.problem['needs'])} needs, {len(built.problem['offers'])} offers"
            else:
                from resettle.matching.jobs import nightly_matching

                detail = nightly_matching()
            seconds = time.monotonic() - started
        db.session.rollback()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{which}: {seconds:.1f} s, {len(statements)} statements, peak {peak_mb:.0f} MB ({detail})")


@contextmanager
def rolled_back(db: Any) -> Iterator[None]:
    """The app's session bound to one connection whose transaction is rolled back at the end: the app's own
    commits (each phase of a queued run) become savepoints, so the database is left as it was."""
    from flask_sqlalchemy.session import Session

    class ConnectionBound(Session):
        def get_bind(self, *args: Any, **kwargs: Any) -> Any:
            return self.bind

    connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(
        {"class_": ConnectionBound, "bind": connection, "join_transaction_mode": "create_savepoint"}
    )
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        transaction.rollback()
        connection.close()


def _run_now(app: Any) -> None:
    """ "Run matching now" as a caseworker, end to end against the request's time limit: how long the button
    takes to answer, then the queued run as the scheduler runs it, with the seconds of each phase (gathering,
    the engine, saving) from the run's record. All in one transaction that is rolled back."""
    from resettle.extensions import db
    from resettle.matching.models import MatchRunRequest
    from resettle.matching.runs import process_queued_run

    with app.app_context(), rolled_back(db):
        client = _client_for(app, "caseworker")
        requested = time.perf_counter()
        response = client.post("/matching/run")
        answered_ms = (time.perf_counter() - requested) * 1000
        with counting(db.engine) as statements:
            started = time.perf_counter()
            run = process_queued_run()
            done = time.perf_counter()
        if run is None:
            print(f"run now: answered in {answered_ms:.0f} ms ({response.status_code}); no run was queued")
            return
        request = db.session.execute(select(MatchRunRequest).where(MatchRunRequest.run_id == run.id)).scalar_one()
        limit = request.time_limit
        phases = (run.stats or {}).get("phases", {})
        detail = f"{run.proposal_count} proposals, {run.unmet_count} unmet, status {run.status.value}"
        late = f" ({run.error})" if run.error else ""
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall = done - requested
    print(f"run now: answered in {answered_ms:.0f} ms ({response.status_code}) (rolled back)")
    print(
        f"queued run: {wall:.1f} s from request to done, {done - started:.1f} s from start to done, "
        f"limit {limit:.0f} s: {'met' if done - started <= limit else 'MISSED'}; phases: "
        f"build {phases.get('build', 0):.1f} s, solve {phases.get('solve', 0):.1f} s, "
        f"store {phases.get('store', 0):.1f} s (kept {phases.get('store_reserve', 0):.1f} s), "
        f"recorded total {phases.get('total', 0):.1f} s; {len(statements)} statements, peak {peak_mb:.0f} MB "
        f"({detail}){late}"
    )


def jobs(server: str, prefix: str) -> None:
    for which in ("builder", "nightly", "run_now"):
        print(f"load average: {os.getloadavg()}", flush=True)
        subprocess.run(
            [sys.executable, __file__, "_job", which, "--server", server, "--prefix", prefix],
            check=False,
            env=os.environ,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["seed", "tour", "jobs", "_job"])
    parser.add_argument("which", nargs="?")
    parser.add_argument("--server", default=os.environ.get("BENCH_SERVER", DEFAULT_SERVER))
    parser.add_argument("--prefix", default="bench")
    parser.add_argument("--sizes", default="borough,london")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--only", default="", help="tour only endpoints containing one of these words (a,b,c)")
    options = parser.parse_args()
    if options.command == "seed":
        seed(options.server, options.prefix, options.sizes.split(","))
    elif options.command == "tour":
        tour(options.server, options.prefix, options.repeat, options.markdown, options.only)
    elif options.command == "jobs":
        jobs(options.server, options.prefix)
    else:
        job_in_process(options.server, options.prefix, options.which)


if __name__ == "__main__":
    main()
