"""Load test: many caseworkers at once against the real app served by gunicorn, over real HTTP.

    python benchmarks/load.py [--clients 10] [--seconds 20] [--database sqlite|URL] [--app-dir DIR]

Sets up a fresh database holding the demo borough (an SQLite file in a temporary folder, or the PostgreSQL
database at URL, which is emptied first), serves `wsgi:app` from DIR (default: this project) with gunicorn on
127.0.0.1 at a port the system picks, and runs N simulated caseworkers for a bounded time. Each signs in and
then, without pauses, lists families, opens family pages (each view writes an audit row), adds case notes,
opens their tasks and the public "needed" page. Prints the error rate (any 5xx, refused connection or
unexpected status) and p50/p95 latency. `--app-dir` runs the same load against another checkout (say main,
to measure before a change).
"""

from __future__ import annotations

import argparse
import html
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEMO_PASSWORD = "demo-resettle-2017"  # noqa: S105 (the printed demo login)
DEMO_TOTP_SECRET = "RESETTLEDEMOKEYFORLOCALUSEONLY23"  # noqa: S105 (the printed demo two-factor key)  # nosec B105
# One account per client: a two-factor code works once per account, so clients cannot share an account.
LOAD_CASEWORKERS = [f"load{number:02d}.caseworker@council.example" for number in range(60)]
# Run in the app's own folder (so `--app-dir` works with older checkouts too): adds the load accounts.
ADD_LOAD_CASEWORKERS = """
import sys
from wsgi import app
from resettle.auth.models import Role, User
from resettle.auth.passwords import hash_password
from resettle.db import utcnow
from resettle.extensions import db

with app.app_context():
    digest = hash_password(sys.argv[1])
    for email in sys.argv[3:]:
        user = User(email=email, name=email.split(".")[0], role=Role.CASEWORKER, password_hash=digest)
        if hasattr(User, "totp_secret"):
            user.totp_secret, user.totp_enabled_at = sys.argv[2], utcnow()
        db.session.add(user)
    db.session.commit()
"""
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
FAMILY_LINK = re.compile(r'href="/families/([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})"')
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


@dataclass
class Tally:
    """Outcomes of every request, shared by the client threads."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies) or [0.0]
        return {
            "requests": len(self.latencies),
            "errors": len(self.errors),
            "error_rate": len(self.errors) / max(1, len(self.latencies)),
            "p50_ms": statistics.median(ordered) * 1000,
            "p95_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
        }


class Visitor:
    """One person with a browser's cookie jar; every request is timed and its outcome tallied."""

    def __init__(self, base_url: str, tally: Tally, timeout: float = 60) -> None:
        self.base_url = base_url
        self.tally = tally
        self.timeout = timeout
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def request(self, path: str, data: dict[str, Any] | None = None) -> str:
        """GET (or POST `data`), following redirects. Returns the page; a failure is tallied, not raised."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        started = time.perf_counter()
        error = None
        page = ""
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=self.timeout) as response:
                page = response.read().decode("utf-8", "replace")
                if response.status != 200:
                    error = f"{response.status} {path}"
        except urllib.error.HTTPError as failure:
            error = f"{failure.code} {path}"
        except OSError as failure:
            error = f"{type(failure).__name__} {path}: {failure}"
        self.tally.record(time.perf_counter() - started, error)
        return page

    def submit(self, path: str, data: dict[str, Any]) -> str:
        """Open the form (for its CSRF token and hidden fields), then post it."""
        form = self.request(path)
        match = CSRF.search(form)
        if not match:
            return ""
        hidden = {
            name: html.unescape(value)
            for name, value in re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)
        }
        return self.request(path, {**hidden, **data, "csrf_token": html.unescape(match.group(1) or match.group(2))})

    def sign_in(self, email: str) -> bool:
        home = self.submit("/login", {"email": email, "password": DEMO_PASSWORD})
        if 'name="code"' in home:  # the second step: the code the account's authenticator app shows now
            import pyotp

            home = self.submit("/login/code", {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
        return "Sign out" in home


def caseworker_session(
    visitor: Visitor, references: list[str], until: float, seed: int, actions: int | None = None
) -> None:
    """A caseworker's mix: half reads of family pages (each writes an audit row), a fifth writes. Runs until
    `until` (a monotonic time) or, when given, for a number of `actions`."""
    rng = random.Random(seed)
    done = 0
    while time.monotonic() < until and (actions is None or done < actions):
        done += 1
        roll = rng.random()
        reference = rng.choice(references)
        if roll < 0.45:
            visitor.request(f"/families/{reference}")
        elif roll < 0.65:
            visitor.submit(f"/families/{reference}/notes", {"body": f"Called the family ({rng.randrange(10**6)})."})
        elif roll < 0.8:
            visitor.request("/families/")
        elif roll < 0.9:
            visitor.request("/tasks/")
        else:
            visitor.request("/needed")


def run_load(base_url: str, clients: int, seconds: float, actions: int | None = None) -> Tally:
    """Sign `clients` caseworkers in (untimed), then run them all at once for `seconds` (or `actions` each)."""
    visitors = []
    for number in range(clients):
        visitor = Visitor(base_url, Tally())
        if not visitor.sign_in(LOAD_CASEWORKERS[number]):
            raise RuntimeError(f"client {number} could not sign in: {visitor.tally.errors}")
        visitors.append(visitor)
    references = sorted(set(FAMILY_LINK.findall(visitors[0].request("/families/"))))
    if not references:
        raise RuntimeError("no families listed; is the demo borough loaded?")
    tally = Tally()
    for visitor in visitors:
        visitor.tally = tally
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=caseworker_session, args=(visitor, references, until, number, actions))
        for number, visitor in enumerate(visitors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return tally


def prepare_database(app_dir: Path, env: dict[str, str], demo: bool = True) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=app_dir, env=env, check=True, capture_output=True)
    if demo:
        subprocess.run([*flask, "demo"], cwd=app_dir, env=env, check=True, capture_output=True)
        add_load_caseworkers(app_dir, env)


def create_load_caseworkers() -> None:
    """The same accounts, made in the current app context (for tests that serve the app in-process)."""
    from resettle.auth.models import Role, User
    from resettle.auth.passwords import hash_password
    from resettle.db import utcnow
    from resettle.extensions import db

    digest = hash_password(DEMO_PASSWORD)
    for email in LOAD_CASEWORKERS:
        user = User(email=email, name=email.split(".")[0], role=Role.CASEWORKER, password_hash=digest)
        user.totp_secret, user.totp_enabled_at = DEMO_TOTP_SECRET, utcnow()
        db.session.add(user)
    db.session.commit()


def add_load_caseworkers(app_dir: Path, env: dict[str, str]) -> None:
    """The accounts the simulated caseworkers sign in with, one per client (see LOAD_CASEWORKERS)."""
    command = [sys.executable, "-c", ADD_LOAD_CASEWORKERS, DEMO_PASSWORD, DEMO_TOTP_SECRET, *LOAD_CASEWORKERS]
    subprocess.run(command, cwd=app_dir, env=env, check=True, capture_output=True)


def _empty_postgresql(url: str) -> None:
    from sqlalchemy import create_engine, make_url, text

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def _drain(stream: Any) -> None:
    try:
        for _ in stream:
            pass
    except (OSError, ValueError):  # closed when the server is stopped
        pass


def start_gunicorn(app_dir: Path, env: dict[str, str], workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", str(workers)]
    command += ["--threads", str(threads), "--timeout", "60", "wsgi:app"]
    server = subprocess.Popen(command, cwd=app_dir, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    assert server.stderr is not None
    while time.monotonic() < deadline:
        line = server.stderr.readline()
        if not line and server.poll() is not None:
            raise RuntimeError("gunicorn exited before listening")
        found = LISTENING.search(line)
        if found:
            # Keep draining its log so the server never blocks on a full pipe.
            threading.Thread(target=_drain, args=(server.stderr,), daemon=True).start()
            return server, f"http://127.0.0.1:{found.group(1)}"
    server.kill()
    raise RuntimeError("gunicorn did not start listening within a minute")


def stop_gunicorn(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)
    if server.stderr is not None:
        server.stderr.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--database", default="sqlite", help="'sqlite' (a fresh file) or a PostgreSQL URL")
    parser.add_argument("--app-dir", type=Path, default=REPO, help="checkout to serve (default: this one)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    app_dir = args.app_dir.resolve()

    with tempfile.TemporaryDirectory(prefix="resettle-load-") as scratch:
        if args.database == "sqlite":
            url = f"sqlite:///{Path(scratch) / 'load.sqlite'}"
        else:
            url = args.database
            _empty_postgresql(url)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "RESETTLE_ENV": "development",
            "SECRET_KEY": "load-test-secret-key",
            "UPLOAD_FOLDER": str(Path(scratch) / "uploads"),
            "LOGIN_RATE_LIMIT": "10000 per minute",
            "MAIL_ENABLED": "0",
            "PYTHONPATH": str(app_dir),
        }
        prepare_database(app_dir, env)
        server, base_url = start_gunicorn(app_dir, env, args.workers, args.threads)
        try:
            tally = run_load(base_url, args.clients, args.seconds)
        finally:
            stop_gunicorn(server)
    figures = tally.summary()
    database = "sqlite" if args.database == "sqlite" else "postgresql"
    print(
        f"{database} clients={args.clients} workers={args.workers}x{args.threads} seconds={args.seconds:g} "
        f"requests={figures['requests']} errors={figures['errors']} error_rate={figures['error_rate']:.1%} "
        f"p50={figures['p50_ms']:.0f}ms p95={figures['p95_ms']:.0f}ms"
    )
    kinds: dict[str, int] = {}
    for error in tally.errors:
        kinds[error.split(" ")[0]] = kinds.get(error.split(" ")[0], 0) + 1
    if kinds:
        print("errors by kind: " + ", ".join(f"{kind} x{count}" for kind, count in sorted(kinds.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
