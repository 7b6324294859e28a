"""Benchmark every page and export at borough and at London size on PostgreSQL.

    python benchmarks/pages.py seed   [--server URL] [--prefix bench] [--sizes borough,london]
    python benchmarks/pages.py tour   [--server URL] [--prefix bench] [--repeat 3] [--markdown] [--only a,b]
                                      [--no-memory]
    python benchmarks/pages.py jobs   [--server URL] [--prefix bench]

`seed` makes two databases, `<prefix>_borough` and `<prefix>_london`: the demo borough (every kind of record:
families, members, needs, tasks, notes, consent, offers and their items, spend lines and receipts, claim
batches, matching runs, proposals, matches, audit rows), then, for London, copies of it row by row with fresh
keys (a fast bulk path: Core inserts of whole batches) until there are ~5,000 families and ~500,000 audit rows.

`tour` signs in as each role and opens every GET route of the route table (parameters filled from the
database), and prints per page the number of SQL statements and the median milliseconds at both sizes, with
the load average beside them (the machine is shared). Responses are read as they stream, as a browser would.
API routes are called with a read-only personal token of the role (`Authorization: Bearer`): the tour writes
the token rows directly and deletes them when it ends. A CSV export is judged by its own target, not the
page's 300 ms: its rows are counted and it must take at most 5 s per 100,000 rows (or 300 ms in all), with the
same statements at both sizes; then each export is downloaded once more at London in a fresh process to print
its peak memory (`--no-memory` skips this). `jobs` times the problem builder and the nightly job at
London size, each in a fresh process, and prints seconds and peak memory (the nightly job is rolled back).

The same script measures any checkout: run it with PYTHONPATH pointing at another tree to get its figures.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import os
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

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
    from resettle.funding.models import FundingScheme, FundingStream
    from resettle.funding.spend_models import ClaimBatch, Receipt, SpendLine
    from resettle.matching.models import Match, MatchRun, MatchRunRequest, Proposal
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
        "offer_reference": first(select(Offer.reference).order_by(Offer.id)),
        "run_id": first(select(MatchRun.id).order_by(MatchRun.id.desc())),
        "proposal_id": first(select(Proposal.id).order_by(Proposal.id.desc())),
        "match_id": first(select(Match.id).order_by(Match.id)),
        "public_id": first(select(SpendLine.public_id).order_by(SpendLine.id)),
        "claim_public_id": first(select(ClaimBatch.public_id).order_by(ClaimBatch.id)),
        "receipt_public_id": first(select(Receipt.public_id).order_by(Receipt.id)),
        "scheme_code": first(
            select(FundingScheme.code)
            .join(FundingStream, FundingStream.scheme_id == FundingScheme.id)
            .join(SpendLine, SpendLine.stream_id == FundingStream.id)
            .group_by(FundingScheme.code)
            .order_by(func.count().desc())
        ),
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
                values = _url_values(rule, args)
                if values is None:
                    continue
                url = url_for(rule.endpoint, **values)
                access = declared_access(rule.endpoint)
                roles = ["public"] if access == PUBLIC else sorted(r.value for r in (access or ()))
                for role in roles:
                    out.append((rule.endpoint, role, url))
            out.extend(_variants(db))
    return out


def _url_values(rule: Any, args: dict[str, Any]) -> dict[str, Any] | None:
    """The route's parameters from the sample `args` (and its query string where it needs one); None if one is
    missing."""
    from resettle.clock import local_today

    values: dict[str, Any] = {}
    for name in rule.arguments:
        if name == "public_id" and "claim" in rule.endpoint:
            values[name] = args["claim_public_id"]
        elif name == "public_id" and "receipt" in rule.endpoint:
            values[name] = args["receipt_public_id"]
        elif name == "public_id" and ("run_progress" in rule.endpoint or "run_request" in rule.endpoint):
            values[name] = args["run_request_public_id"]
        elif name == "reference" and rule.endpoint.startswith("api_offers."):
            values[name] = args["offer_reference"]
        elif name in args:
            values[name] = args[name]
        elif name == "offer_type":
            values[name] = "housing"
    if set(values) != set(rule.arguments) or any(v is None for v in values.values()):
        return None
    if rule.endpoint == "api_funding.preview_claim_batch":  # the claim of the busiest scheme, up to today
        values.update(scheme=args["scheme_code"], period_end=local_today().isoformat())
    return values


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


BENCH_TOKEN_LABEL = "Benchmark tour"  # noqa: S105 (a token's name, not a secret)


def _api_client_for(app: Any, role: str, tokens: list[int]) -> Any:
    """A client that sends `Authorization: Bearer` with a read-only personal token of the first active user of
    `role`. The token row is written directly (no audit row) and its id kept in `tokens`, so that the tour deletes
    it when it ends (`_delete_tokens`): the database keeps no token of the benchmark."""
    from datetime import timedelta

    from resettle.api.models import ApiToken, TokenScope
    from resettle.api.tokens import TOKEN_PREFIX, hash_secret
    from resettle.auth.models import Role, User
    from resettle.db import utcnow
    from resettle.extensions import db

    client = app.test_client()
    if role == "public":
        return client
    with app.app_context():
        user = db.session.execute(
            select(User).where(User.role == Role(role), User.is_active_account.is_(True)).order_by(User.id).limit(1)
        ).scalar_one()
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            user_id=user.id,
            name=BENCH_TOKEN_LABEL,
            token_hash=hash_secret(secret),
            hint=secret[:8],
            scope=TokenScope.READ,
            role=user.role,
            created_at=utcnow(),
            expires_at=utcnow() + timedelta(hours=2),
        )
        db.session.add(token)
        db.session.commit()
        tokens.append(token.id)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def _delete_tokens(app: Any, tokens: list[int]) -> None:
    from sqlalchemy import delete

    from resettle.api.models import ApiToken
    from resettle.extensions import db

    if not tokens:
        return
    with app.app_context():
        db.session.execute(delete(ApiToken).where(ApiToken.id.in_(tokens)))
        db.session.commit()
    tokens.clear()


def _read_body(response: Any) -> tuple[int, int]:
    """Read a streamed response chunk by chunk, as a browser would, keeping none of it: (bytes, CSV rows or -1).
    CSV rows are counted as a CSV reader sees them (a quoted value may hold a line break), header left out."""
    size = 0
    if response.mimetype != "text/csv":
        for chunk in response.iter_encoded():
            size += len(chunk)
        return size, -1
    decoder = codecs.getincrementaldecoder("utf-8")()

    def lines() -> Iterator[str]:
        nonlocal size
        rest = ""
        for chunk in response.iter_encoded():
            size += len(chunk)
            *complete, rest = (rest + decoder.decode(chunk)).split("\n")
            for line in complete:
                yield line + "\n"
        rest += decoder.decode(b"", final=True)
        if rest:
            yield rest

    rows = sum(1 for _ in csv.reader(lines()))
    return size, max(0, rows - 1)


PAGE_TIMEOUT = 90  # seconds; a page still running then is recorded as given up (status 0)


class PageTimeout(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise PageTimeout


class Result(NamedTuple):
    statements: int
    ms: float
    status: int
    rows: int  # CSV rows (header left out); -1 for a page that is not a CSV
    cpu_ms: float = 0.0  # this process's CPU time (the application's and the reading's; not the database's)


def measure(app: Any, repeat: int, only: str = "") -> dict[tuple[str, str], Result]:
    """(endpoint, role) -> statements, median ms, status and CSV rows; `only`: endpoints containing one of these
    comma-separated words. API routes are called with a personal token of the role (deleted at the end)."""
    from resettle.extensions import db

    signal.signal(signal.SIGALRM, _on_alarm)
    results = {}
    clients: dict[tuple[str, bool], Any] = {}
    tokens: list[int] = []
    with app.app_context():
        engine = db.engine
    words = [word for word in only.split(",") if word]
    try:
        for endpoint, role, url in pages(app):
            if words and not any(word in endpoint for word in words):
                continue
            api = url.startswith("/api/v1/")
            key = (role, api)
            if key not in clients:
                clients[key] = _api_client_for(app, role, tokens) if api else _client_for(app, role)
            client = clients[key]
            timings = []
            cpu_times = []
            count = 0
            status = 0
            rows = -1
            for _ in range(repeat):
                with counting(engine) as statements:
                    started = time.perf_counter()
                    cpu_started = time.process_time()
                    signal.alarm(PAGE_TIMEOUT)
                    response = None
                    try:
                        response = client.get(url, buffered=False)
                        _, rows = _read_body(response)
                        status = response.status_code
                    except PageTimeout:
                        status = 0  # gave up
                    finally:
                        signal.alarm(0)
                        if response is not None:
                            response.close()  # ends a stream given up half-way too, and its request's context
                    timings.append((time.perf_counter() - started) * 1000)
                    cpu_times.append((time.process_time() - cpu_started) * 1000)
                count = len(statements)
                if status == 0 or timings[-1] > 5000:
                    break  # one measure of a very slow page is enough
            result = Result(count, statistics.median(timings), status, rows, statistics.median(cpu_times))
            results[(endpoint, role)] = result
            print(
                f"  {endpoint} as {role}: {count} statements, {result.ms:.0f} ms{_rows_text(result)} ({status})",
                flush=True,
            )
    finally:
        _delete_tokens(app, tokens)
    return results


def _rows_text(result: Result) -> str:
    if result.rows < 0:
        return ""
    cpu = result.cpu_ms / 1000 * 100_000 / max(result.rows, 1)
    return f", {result.rows} rows, {_per_100k(result):.2f} s per 100,000 rows ({cpu:.2f} s of CPU)"


def _per_100k(result: Result) -> float:
    return result.ms / 1000 * 100_000 / max(result.rows, 1)


EXPORT_TARGET_S_PER_100K = 5.0
PAGE_TARGET_MS = 300


def _misses(borough: Result, london: Result) -> bool:
    """A page misses if its statements grow, pass 30 or it takes over 300 ms at London; a CSV export is judged by
    its own target instead of the 300 ms: at most 5 s per 100,000 rows (or within the 300 ms of a page, for a
    short export whose time is the request's own fixed cost)."""
    if borough.statements != london.statements or london.statements > 30:
        return True
    if london.rows >= 0:
        return london.ms > PAGE_TARGET_MS and _per_100k(london) > EXPORT_TARGET_S_PER_100K
    return london.ms > PAGE_TARGET_MS


def tour(server: str, prefix: str, repeat: int, markdown: bool, only: str = "", memory: bool = True) -> None:
    by_size = {}
    for size in ("borough", "london"):
        app = make_app(f"{server}/{prefix}_{size}")
        print(f"{size}: load average {os.getloadavg()}", flush=True)
        by_size[size] = measure(app, repeat, only)
    keys = sorted(set(by_size["borough"]) | set(by_size["london"]))
    header = ["page", "role", "stmts borough", "stmts London", "ms borough", "ms London", "rows London", "s/100k"]
    header += ["CPU s/100k", "status"]
    rows = []
    missed = []
    missing = Result(0, 0.0, 0, -1)
    for key in keys:
        b = by_size["borough"].get(key, missing)
        lo = by_size["london"].get(key, missing)
        csv_rows = str(lo.rows) if lo.rows >= 0 else ""
        per_100k = f"{_per_100k(lo):.2f}" if lo.rows >= 0 else ""
        row = [key[0], key[1], str(b.statements), str(lo.statements), f"{b.ms:.0f}", f"{lo.ms:.0f}", csv_rows, per_100k]
        cpu_per_100k = f"{lo.cpu_ms / 1000 * 100_000 / max(lo.rows, 1):.2f}" if lo.rows >= 0 else ""
        rows.append([*row, cpu_per_100k, f"{b.status}/{lo.status}"])
        if _misses(b, lo):
            missed.append(row)
    print(f"load average after the tour: {os.getloadavg()}")
    _print_table(header, rows, markdown)
    print(
        f"\n{len(rows) - len(missed)} of {len(rows)} pages meet the targets (same statements, <= 30; pages <= 300 ms, "
        f"CSV exports <= {EXPORT_TARGET_S_PER_100K:g} s per 100,000 rows)"
    )
    for r in missed:
        print(
            f"  missed: {r[0]} as {r[1]}: {r[2]} -> {r[3]} statements, {r[5]} ms" + (f", {r[6]} rows" if r[6] else "")
        )
    exports = sorted({key for key in keys if by_size["london"].get(key, missing).rows >= 0}, key=lambda k: k[0])
    if memory and exports:
        print(f"\nMemory of each CSV export at London, each in a fresh process (load average {os.getloadavg()}):")
        done = set()
        for endpoint, role in exports:
            if endpoint in done:
                continue
            done.add(endpoint)
            subprocess.run(
                [sys.executable, __file__, "_export", endpoint, "--role", role, "--server", server, "--prefix", prefix],
                check=False,
                env=os.environ,
            )


def export_memory(server: str, prefix: str, endpoint: str, role: str) -> None:
    """Child process: download one CSV export once at London, reading it as it streams, and print the peak of the
    Python memory allocated during it (tracemalloc) and how much the process's peak memory grew (ru_maxrss after the
    app's start and a first small request, then after the export). Flat memory: neither grows with the rows."""
    app = make_app(f"{server}/{prefix}_london")
    targets = [(e, r, u) for e, r, u in pages(app) if e == endpoint and r == role]
    if not targets:
        print(f"  {endpoint}: not found")
        return
    url = targets[0][2]
    client = _client_for(app, role)
    client.get("/").close()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url, buffered=False)
    size, rows = _read_body(response)
    response.close()
    seconds = time.perf_counter() - started
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(
        f"  {endpoint} as {role}: {rows} rows, {size / 1e6:.1f} MB of CSV in {seconds:.1f} s (traced, so slower); "
        f"peak of Python memory during it {traced_peak / 1e6:.1f} MB; process peak grew {grown_mb:.0f} MB "
        f"(from {before / 1024:.0f} MB)",
        flush=True,
    )


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
    parser.add_argument("command", choices=["seed", "tour", "jobs", "_job", "_export"])
    parser.add_argument("which", nargs="?")
    parser.add_argument("--server", default=os.environ.get("BENCH_SERVER", DEFAULT_SERVER))
    parser.add_argument("--prefix", default="bench")
    parser.add_argument("--sizes", default="borough,london")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--only", default="", help="tour only endpoints containing one of these words (a,b,c)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory of each CSV export")
    parser.add_argument("--role", default="admin")
    options = parser.parse_args()
    if options.command == "seed":
        seed(options.server, options.prefix, options.sizes.split(","))
    elif options.command == "tour":
        tour(options.server, options.prefix, options.repeat, options.markdown, options.only, not options.no_memory)
    elif options.command == "jobs":
        jobs(options.server, options.prefix)
    elif options.command == "_export":
        export_memory(options.server, options.prefix, options.which, options.role)
    else:
        job_in_process(options.server, options.prefix, options.which)


if __name__ == "__main__":
    main()
