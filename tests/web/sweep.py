"""What the input sweep needs: the hostile values people and robots send, a reader for the forms on a page,
and a count of every table's rows (to prove a refused POST saved nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

from sqlalchemy import func, select

from resettle.extensions import db

FORTY_DIGITS = "1" * 40

# Values that broke the service before it had one input layer, plus their relatives.
PAYLOADS: list[str] = [
    "a\x00b",
    "\x00",
    FORTY_DIGITS,
    "-" + FORTY_DIGITS,
    "²",
    "٣",  # ARABIC-INDIC DIGIT THREE: passes isdigit(), and int() accepts it
    "inf",
    "-inf",
    "nan",
    "1e309",
    "1e400",
    "-1",
    "0",
    "99999999999",
    "1.5",
    "x" * 20_000,
    "line\x07bell\x1b[31m",
    "\u202eevil",
    "   ",
    "9999-12-31",
    "0001-01-01",
    "<script>alert(1)</script>",
]

# Hostile day-month-year triples for GOV.UK date inputs.
DATE_PAYLOADS: list[list[str]] = [
    ["31", "12", "9999"],
    ["1", "1", "1000"],
    ["1", "1", "1800"],
    ["1", "1", "2200"],
    [FORTY_DIGITS, "1", "2020"],
    ["1", "1", FORTY_DIGITS],
    ["²", "1", "2020"],
    ["1", "1", "٢٠٢٠"],
    ["\x00", "1", "2020"],
    ["29", "2", "2023"],
    ["inf", "nan", "1e309"],
]

QUERY_NAMES = ["page", "q", "status", "scheme", "caseworker", "family", "category", "pool", "search", "date_from",
               "date_to", "stream", "submitted_from", "submitted_to", "action", "object_type", "object_id",
               "actor_email", "needs_approval", "dbs_due", "next", "sort", "run",
               "bedrooms", "rent", "step_free", "item", "language", "halal"]  # fmt: skip


@dataclass
class FormOnPage:
    method: str
    action: str | None
    # name -> list of values the browser would send as they stand (a date input sends three)
    values: dict[str, list[str]] = field(default_factory=dict)
    # name -> the choices offered (radios, checkboxes, selects)
    choices: dict[str, list[str]] = field(default_factory=dict)
    date_names: set[str] = field(default_factory=set)
    checkbox_names: set[str] = field(default_factory=set)
    submit: tuple[str, str] | None = None

    def text_names(self) -> list[str]:
        return [name for name in self.values if name not in self.choices and name not in self.date_names]


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[FormOnPage] = []
        self._select: str | None = None
        self._textarea: str | None = None

    @property
    def _form(self) -> FormOnPage | None:
        return self.forms[-1] if self.forms else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(FormOnPage(method=(a.get("method") or "get").lower(), action=a.get("action") or None))
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name and name != "csrf_token":
            self._input(form, name, a)
        elif tag == "button" and name and form.submit is None:
            form.submit = (name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            form.choices.setdefault(name, [])
            form.values.setdefault(name, [])
        elif tag == "option" and self._select:
            form.choices[self._select].append(a.get("value", ""))
            if "selected" in a:
                form.values[self._select] = [a.get("value", "")]
        elif tag == "textarea" and name:
            self._textarea = name
            form.values[name] = [""]

    @staticmethod
    def _input(form: FormOnPage, name: str, a: dict[str, str]) -> None:
        kind = a.get("type", "text").lower()
        if kind == "submit":
            form.submit = form.submit or (name, a.get("value", ""))
        elif kind in ("radio", "checkbox"):
            if kind == "checkbox":
                form.checkbox_names.add(name)
            form.choices.setdefault(name, []).append(a.get("value", "y"))
            form.values.setdefault(name, [])
            if "checked" in a:
                form.values[name].append(a.get("value", "y"))
        elif kind != "file":
            form.values.setdefault(name, []).append(a.get("value", ""))
            if "govuk-date-input__input" in a.get("class", ""):
                form.date_names.add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            self._form.values[self._textarea][-1] += data


def forms_on(html: str) -> list[FormOnPage]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def plausible_answers(form: FormOnPage, today: date) -> dict[str, list[str]]:
    """Answers that pass most checks, so hostile values in a few fields reach the code behind the form."""
    answers: dict[str, list[str]] = {}
    for name, values in form.values.items():
        if name in form.date_names:
            answers[name] = values if any(values) else [str(today.day), str(today.month), str(today.year)]
        elif name in form.checkbox_names:
            answers[name] = values  # as the page left them, ticked or not
        elif name in form.choices:
            offered = [choice for choice in form.choices[name] if choice]
            answers[name] = values if any(values) else offered[:1]
        else:
            answers[name] = values if any(values) else ["2"]
    if form.submit:
        answers[form.submit[0]] = [form.submit[1]]
    return answers


def row_counts() -> dict[str, int]:
    """Rows in every table, in one statement."""
    tables = list(db.metadata.sorted_tables)
    statement = select(*[select(func.count()).select_from(table).scalar_subquery() for table in tables])
    return dict(zip((table.name for table in tables), db.session.execute(statement).one(), strict=True))
