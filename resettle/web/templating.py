"""Jinja set-up: GOV.UK Frontend macros, WTForms helpers, and filters for dates (in the configured zone) and money."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from resettle.clock import to_local
from resettle.words import date_in_words, format_pence


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
