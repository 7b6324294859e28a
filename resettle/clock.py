"""The one clock. "Now" is a UTC instant (what is stored); "today" is the date in the council's configured time zone
(`DISPLAY_TIMEZONE`, Europe/London by default), because tasks fall due, offers end and spend is dated by London's
calendar, not UTC's: between midnight and 1 a.m. in summer the two differ by a day.

Both read Python's clock, so time-machine in tests reaches them (the database's own `now()` is never used)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Europe/London"


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


def timezone_name() -> str:
    """The configured zone; outside an app (a script, a pure test) the default."""
    if has_app_context():
        return str(current_app.config.get("DISPLAY_TIMEZONE", DEFAULT_TIMEZONE))
    return DEFAULT_TIMEZONE


def local_today() -> date:
    """Today's date in the configured zone."""
    return now().astimezone(ZoneInfo(timezone_name())).date()


def to_local(value: datetime, tz_name: str | None = None) -> datetime:
    """An instant as wall-clock time in the configured zone (or `tz_name`)."""
    return value.astimezone(ZoneInfo(tz_name or timezone_name()))


def local_midnight(day: date) -> datetime:
    """The instant a day starts in the configured zone (for "submitted on or after this date")."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone_name()))
