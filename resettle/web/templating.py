"""Jinja set-up: GOV.UK Frontend macros, WTForms helpers, and filters for dates (in the configured zone) and money."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from resettle.clock import to_local
from resettle.words import date_in_words, format_pence

# An ISO date (with a time, if any) or a snake_case code inside text written by the system, such as an audit
# summary from before summaries were written in words: shown as "3 March 2026" and "task completed".
ISO_DATE_IN_TEXT = re.compile(
    r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
)
SNAKE_CASE_IN_TEXT = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def _date_words(match: re.Match[str]) -> str:
    try:
        return date_in_words(date(int(match[1]), int(match[2]), int(match[3])))
    except ValueError:
        return match[0]


def plain_words(text: str | None) -> str:
    """`text` with ISO dates written in words and snake_case codes as words."""
    if not text:
        return ""
    text = ISO_DATE_IN_TEXT.sub(_date_words, text)
    return SNAKE_CASE_IN_TEXT.sub(lambda match: match[0].replace("_", " "), text)


def code_label(code: str | None) -> str:
    """A code such as "task_completed" as a label: "Task completed"."""
    return (code or "").replace("_", " ").capitalize()


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
    app.add_template_filter(plain_words, "plain_words")
    app.add_template_filter(code_label, "code_label")
