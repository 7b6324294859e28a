"""The application factory."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, session
from flask_login import current_user, logout_user

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
            raise RuntimeError("SECRET_KEY must be set in production (a long random string)")
        app.config["SECRET_KEY"] = _development_secret_key(app)
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")


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
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _load_config(app, config)
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

    from resettle.web.errors import init_error_handlers
    from resettle.web.navigation import init_navigation
    from resettle.web.security import init_security_headers
    from resettle.web.templating import init_templates
    from resettle.web.transactions import init_transactions

    init_templates(app, str(PROJECT_ROOT / "templates"))
    init_navigation(app)
    init_security_headers(app)
    init_transactions(app)
    init_error_handlers(app)

    from resettle.auth.permissions import init_access_gate

    init_access_gate(app)
    _register_blueprints(app)

    from resettle.cli import register_cli

    register_cli(app)
    return app


def _init_login(app: Flask, login_manager: Any) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from resettle.auth.models import User
    from resettle.db import utcnow
    from resettle.extensions import db

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue"
    # "basic": a changed address only makes the session non-fresh; the idle timeout and token rotation do the rest.
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_token: str) -> User | None:
        user = db.session.execute(select(User).where(User.session_token == session_token)).scalar_one_or_none()
        return user if user is not None and user.is_active_account else None

    idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])

    @app.before_request
    def expire_idle_session() -> None:
        """Sign staff out after a period without activity; enforced on the server, not by cookie expiry."""
        if not current_user.is_authenticated:
            return
        now = utcnow().timestamp()
        last_seen = session.get("last_seen")
        if last_seen is not None and now - float(last_seen) > idle.total_seconds():
            logout_user()
            session.clear()
            session["signed_out_idle"] = True
            return
        session["last_seen"] = now


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
    from resettle.offers import bp as offers_bp
    from resettle.offers import public_bp as offers_public_bp

    for blueprint in (main_bp, auth_bp, users_bp, audit_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(families_bp)
    app.register_blueprint(tasks_bp)
    for blueprint in (offers_public_bp, offers_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(funding_bp)
    app.register_blueprint(matching_bp)
    app.register_blueprint(dataprotection_bp)
