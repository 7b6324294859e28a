"""The application factory."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, session
from flask_login import current_user

from resettle.config import config_from_environment

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _load_config(app: Flask, config: Any) -> None:
    if config is None:
        config = config_from_environment()
    if isinstance(config, dict):
        app.config.from_object(config_from_environment())
        app.config.update(config)
    else:
        app.config.from_object(config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'resettle.sqlite'}"
    if not app.config.get("SECRET_KEY"):
        if app.config.get("ENV_NAME") == "production":
            raise RuntimeError("SECRET_KEY must be set in production (a long random string, 32 bytes or more)")
        app.config["SECRET_KEY"] = _development_secret_key(app)
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")

    from resettle.hardening import check_production_settings, restrict_sqlite_file

    check_production_settings(app)
    restrict_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])


def _development_secret_key(app: Flask) -> str:
    """A random key kept in the instance folder, so development sessions survive a restart."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        os.chmod(path, 0o600)
    return path.read_text().strip()


def create_app(config: Any = None) -> Flask:
    app = Flask(
        "resettle",
        instance_path=str(PROJECT_ROOT / "instance"),
        static_folder=str(PROJECT_ROOT / "resettle" / "static" / "dist"),
        static_url_path="/assets",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True, mode=0o700)
    _load_config(app, config)

    from resettle.web.proxies import trust_proxies, trusted_proxy_hops

    app.config["TRUSTED_PROXY_HOPS"] = trusted_proxy_hops(app.config.get("TRUSTED_PROXY_HOPS", 0))
    trust_proxies(app, app.config["TRUSTED_PROXY_HOPS"])
    # The service's own notices (a job finished, an email held back while mail is off, with its link) are INFO.
    if app.logger.level == logging.NOTSET:
        app.logger.setLevel(logging.INFO)

    # Models must be imported before migrate/metadata use.
    from resettle import models  # noqa: F401
    from resettle.extensions import csrf, db, limiter, login_manager, mail, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    _init_login(app, login_manager)

    from resettle.web.converters import init_converters
    from resettle.web.errors import init_error_handlers
    from resettle.web.logs import init_log_redaction
    from resettle.web.navigation import init_navigation
    from resettle.web.security import init_security_headers
    from resettle.web.templating import init_templates
    from resettle.web.transactions import init_transactions

    init_converters(app)
    init_templates(app, str(PROJECT_ROOT / "templates"))
    init_navigation(app)
    init_security_headers(app)
    init_transactions(app)
    init_error_handlers(app)
    init_log_redaction(app)

    from resettle.api.setup import init_api
    from resettle.auth.permissions import init_access_gate

    init_api(app)  # before the gate, which needs the API token's owner
    init_access_gate(app)
    _register_blueprints(app)

    from resettle.cli import register_cli

    register_cli(app)
    if app.config.get("RUN_QUEUE_IN_PROCESS"):  # `make run` only: see resettle/jobs/in_process.py
        from resettle.jobs.in_process import start_queue_thread

        start_queue_thread(app)
    return app


def _init_login(app: Flask, login_manager: Any) -> None:
    from flask import g

    from resettle.auth.models import User
    from resettle.auth.sessions import load_session

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue"
    # "basic": a changed address only makes the session non-fresh; server-side session rows do the rest.
    login_manager.session_protection = "basic"

    @login_manager.user_loader  # type: ignore[untyped-decorator]  # Flask-Login 0.6 has no type hints
    def load_user(session_token: str) -> User | None:
        """The cookie's id is a session token; the session row says whether it still works (see auth.sessions)."""
        loaded = load_session(session_token)
        g.session_ended_because = loaded.ended_because
        return loaded.user

    @app.before_request
    def forget_ended_session() -> None:
        """A cookie whose session has ended is dropped, with a word on the sign-in page if it timed out."""
        if "_user_id" not in session or current_user.is_authenticated:
            return
        reason = g.pop("session_ended_because", None)
        session.clear()
        if reason in ("idle", "expired"):
            session["signed_out_reason"] = reason


def _register_blueprints(app: Flask) -> None:
    from resettle.audit import bp as audit_bp
    from resettle.auth import admin_bp as users_bp
    from resettle.auth import bp as auth_bp
    from resettle.dataprotection.views import bp as dataprotection_bp
    from resettle.families import bp as families_bp
    from resettle.families import tasks_bp
    from resettle.funding import bp as funding_bp
    from resettle.main import bp as main_bp
    from resettle.matching.views import bp as matching_bp
    from resettle.need_to_know import bp as need_to_know_bp
    from resettle.notifications.views import bp as notifications_bp
    from resettle.offers import bp as offers_bp
    from resettle.offers import public_bp as offers_public_bp
    from resettle.webhooks import bp as webhooks_bp

    for blueprint in (main_bp, auth_bp, users_bp, audit_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(families_bp)
    app.register_blueprint(tasks_bp)
    for blueprint in (offers_public_bp, offers_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(funding_bp)
    app.register_blueprint(matching_bp)
    app.register_blueprint(need_to_know_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(dataprotection_bp)
    app.register_blueprint(webhooks_bp)

    from resettle.matching.gap_report import public_needed_lines
    from resettle.offers.needed import set_needed_lines_source

    set_needed_lines_source(app, public_needed_lines)
