"""Jinja set-up: GOV.UK Frontend macros, WTForms helpers and date filters shown in Europe/London."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader


def to_local(value: datetime, tz_name: str) -> datetime:
    return value.astimezone(ZoneInfo(tz_name))


def format_pence(pence: int | None) -> str:
    """Money is held as integer pence; shown as pounds."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(int(pence)), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def date_in_words(value: date) -> str:
    """21 December 2026: how dates are written on pages, in emails and in histories."""
    return f"{value.day} {value:%B %Y}"


def init_templates(app: Flask, template_folder: str) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(template_folder),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    tz_name = app.config["DISPLAY_TIMEZONE"]

    @app.template_filter("datetime")
    def format_datetime(value: datetime | None) -> str:
        if value is None:
            return ""
        local = to_local(value, tz_name)
        return f"{local.day} {local:%B %Y} at {local:%H:%M}"

    @app.template_filter("date")
    def format_date(value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = to_local(value, tz_name).date()
        return date_in_words(value)

    app.add_template_filter(format_pence, "pence")
