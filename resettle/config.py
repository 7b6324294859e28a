"""Configuration from the environment, with safe defaults for development and strict ones for production."""

from __future__ import annotations

import os
from datetime import timedelta


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Always name the PostgreSQL driver: SQLAlchemy 2.0 and 2.1 pick different defaults."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    ENV_NAME = "base"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    # None means "an SQLite file in the instance folder", resolved in create_app.
    SQLALCHEMY_DATABASE_URI: str | None = (
        normalise_database_url(os.environ["DATABASE_URL"]) if os.environ.get("DATABASE_URL") else None
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SERVICE_NAME = "Resettle"
    COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "London Borough Council")
    DISPLAY_TIMEZONE = "Europe/London"
    # Where links in emails point to.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Sessions: a server-side record per signed-in browser, ended after this long without activity, and in any
    # case this many hours after signing in.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    WTF_CSRF_TIME_LIMIT = 3600 * 4

    # Sign-in throttling (see resettle/auth/throttle.py): a pause per email and client address after a few wrong
    # passwords, and a growing delay per email address that browsers the person has used before skip.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_MINUTES = 15
    LOGIN_SLOWDOWN_AFTER = int(os.environ.get("LOGIN_SLOWDOWN_AFTER", "10"))
    LOGIN_SLOWDOWN_MAX_SECONDS = int(os.environ.get("LOGIN_SLOWDOWN_MAX_SECONDS", "300"))
    LOGIN_SLOWDOWN_WINDOW_HOURS = 24
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    # How many reverse proxies in front of the app add X-Forwarded-For / -Proto (0: none, headers ignored).
    TRUSTED_PROXY_HOPS = os.environ.get("TRUSTED_PROXY_HOPS", "0")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Calls to the API allowed per token (per address for calls without one), across all its routes.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute;5000 per hour")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "resettle@council.example")
    # Seconds to wait for the mail server to connect and to answer each command.
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "5"))
    # Off by default in development so the app runs without a mail server; messages are then logged.
    MAIL_SUPPRESS_SEND = not _bool("MAIL_ENABLED", False)

    INVITE_MAX_AGE_DAYS = 7
    # Staff can be invited only at these email domains (comma-separated); none set means no invitations.
    STAFF_EMAIL_DOMAINS = os.environ.get("STAFF_EMAIL_DOMAINS", "")
    # Community offers: how long an offerer's private link works, and per-address limits on the public form.
    OFFER_LINK_MAX_AGE_DAYS = int(os.environ.get("OFFER_LINK_MAX_AGE_DAYS", "90"))
    OFFER_FORM_RATE_LIMIT = os.environ.get("OFFER_FORM_RATE_LIMIT", "10 per minute;50 per hour")
    OFFER_LINK_RATE_LIMIT = os.environ.get("OFFER_LINK_RATE_LIMIT", "20 per minute;100 per hour")
    # Emails the public form and new-link page may send to one address in 24 hours, so they are no relay.
    PUBLIC_EMAILS_PER_ADDRESS_PER_DAY = int(os.environ.get("PUBLIC_EMAILS_PER_ADDRESS_PER_DAY", "3"))
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER")  # default: instance/uploads
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    ARGON2_FAST = False  # tests use cheap hash parameters
    # The development server processes queued matching runs itself (`make run`); production runs the scheduler.
    RUN_QUEUE_IN_PROCESS = _bool("RUN_QUEUE_IN_PROCESS", False)
    # Data protection: how long records are kept (see README, "Data protection"). 0 keeps audit rows for ever.
    RETENTION_CLOSED_CASE_YEARS = int(os.environ.get("RETENTION_CLOSED_CASE_YEARS", "6"))
    RETENTION_OFFERER_YEARS = int(os.environ.get("RETENTION_OFFERER_YEARS", "2"))
    RETENTION_SENT_EMAIL_DAYS = int(os.environ.get("RETENTION_SENT_EMAIL_DAYS", "90"))
    RETENTION_AUDIT_YEARS = int(os.environ.get("RETENTION_AUDIT_YEARS", "0"))
    # Webhooks (see resettle/webhooks): seconds to wait for a partner to connect and for each read; attempts
    # before giving up; the first retry's delay, doubling each time up to the maximum.
    WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
    WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "10"))
    WEBHOOK_RETRY_BASE_SECONDS = int(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "60"))
    WEBHOOK_RETRY_MAX_SECONDS = int(os.environ.get("WEBHOOK_RETRY_MAX_SECONDS", str(6 * 3600)))
    # Days the history of delivered and given-up webhook deliveries is kept.
    WEBHOOK_HISTORY_DAYS = int(os.environ.get("WEBHOOK_HISTORY_DAYS", "90"))
    # Keys that encrypt the signing secrets (comma-separated, first one encrypts); SECRET_KEY when not set.
    WEBHOOK_SECRETS_KEY = os.environ.get("WEBHOOK_SECRETS_KEY")
    # Allow http:// to this machine and skip the public-address check (development and tests only).
    WEBHOOK_ALLOW_LOCAL = False


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    WEBHOOK_ALLOW_LOCAL = True
    STAFF_EMAIL_DOMAINS = os.environ.get("STAFF_EMAIL_DOMAINS", "council.example")


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 (the test configuration only)  # nosec B105
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    SERVER_NAME = "localhost"
    BASE_URL = "http://localhost"
    ARGON2_FAST = True
    STAFF_EMAIL_DOMAINS = "council.example"
    MAIL_SUPPRESS_SEND = False
    RATELIMIT_STORAGE_URI = "memory://"
    RUN_QUEUE_IN_PROCESS = False
    WEBHOOK_ALLOW_LOCAL = True


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    MAIL_SUPPRESS_SEND = not _bool("MAIL_ENABLED", True)


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    name = os.environ.get("RESETTLE_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"RESETTLE_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
