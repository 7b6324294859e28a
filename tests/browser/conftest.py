"""Browser tests: the app served on a real port, driven by Debian's Chromium through Playwright.

No browser is downloaded: Playwright launches the system Chromium (`CHROMIUM_PATH`, default /usr/bin/chromium).
Tests here skip, saying why, only where that browser is absent.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from resettle import create_app
from resettle.config import TestConfig
from resettle.extensions import db
from tests.postgres import create_scratch_database

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = PROJECT_ROOT / "resettle" / "static" / "dist" / "axe.min.js"
# Generous by default: a shared or busy CI machine renders slowly, and a timeout here is a flake, not a finding.
BROWSER_TIMEOUT_MS = int(float(os.environ.get("BROWSER_TIMEOUT_SECONDS", "45")) * 1000)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if candidate and os.path.exists(candidate) else None


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if chromium_path() is None:
        reason = "Chromium is not installed here (apt-get install chromium, or set CHROMIUM_PATH)"
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


def _browser_database_url(tmp_dir: Path) -> str:
    if not os.environ.get("TEST_DATABASE_URL"):
        return f"sqlite:///{tmp_dir / 'browser.sqlite'}"
    return create_scratch_database("browser")


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory, smtp_server: Any) -> Iterator[Flask]:
    """A separate app and database holding the demo borough, as `make run` would serve it."""

    class BrowserConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = _browser_database_url(tmp_path_factory.mktemp("browser"))
        SERVER_NAME = None
        MAIL_SERVER = smtp_server.host
        MAIL_PORT = smtp_server.port

    app = create_app(BrowserConfig)
    with app.app_context():
        db.create_all()
        from resettle.demo import load_demo_data

        load_demo_data()
        db.session.commit()
        db.session.remove()
    _live_apps.append(app)
    yield app
    _live_apps.remove(app)
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live_app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield live_app.config["BASE_URL"]
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        pytest.skip("Chromium is not installed here (apt-get install chromium, or set CHROMIUM_PATH)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    # CSP is bypassed only so the test can inject axe-core; the app's own scripts carry nonces.
    context = browser.new_context(base_url=live_server, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    yield page
    context.close()


_live_apps: list[Flask] = []


def current_demo_code(email: str) -> str:
    """The code a demo account's authenticator app shows now. A code works once per account, so the live
    database's record of the last one used is cleared first, as if 30 seconds had passed."""
    import pyotp
    from sqlalchemy import update

    from resettle.auth.models import User
    from resettle.demo import DEMO_TOTP_SECRET

    with _live_apps[-1].app_context():
        db.session.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.session.commit()
        db.session.remove()
    return pyotp.TOTP(DEMO_TOTP_SECRET).now()


def sign_in(page: Any, email: str, password: str) -> None:
    """Sign in as a person would: the password, then (for accounts that have it) the authenticator code."""
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if page.url.endswith("/login/code"):
        page.get_by_label("Code").fill(current_demo_code(email))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()


def accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page and return every violation, whatever its impact."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
    ]


def has_no_horizontal_scroll(page: Any) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def run_matching_now(page: Any, live_app: Flask) -> None:
    """Press "Run matching now" and do what the scheduler process does every few seconds: run the queued
    request. Leaves the page on the finished run's progress page."""
    from resettle.matching.jobs import process_matching_queue

    page.get_by_role("button", name="Run matching now").click()
    page.wait_for_url("**/matching/runs/progress/**")
    with live_app.app_context():
        assert process_matching_queue().startswith("run ")
        db.session.remove()
    page.reload()
    assert page.locator("[data-phase]").get_attribute("data-phase") == "done"


def delivered_to(smtp_server: Any, live_app: Flask, address: str) -> list[Any]:
    """The messages to `address`. The served app tries to send after each response; if that attempt has not
    delivered within a few seconds, do what the scheduler's retry job does, then wait again."""
    from resettle.notifications.email import send_pending_email

    messages = smtp_server.wait_for_messages_to(address, timeout=10)
    if not messages:
        with live_app.app_context():
            send_pending_email()
            db.session.remove()
        messages = smtp_server.wait_for_messages_to(address, timeout=20)
    return messages
