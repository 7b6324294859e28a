"""Form fields shared by every feature, speaking GOV.UK: one day-month-year date field with the Design
System's error wording ("… must include a month", "… must be a real date", "… must be today or in the
past"), each with the window of dates its field accepts (resettle/bounds.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextArea
from wtforms import Field, FieldList, FileField, FormField, PasswordField, TextAreaField
from wtforms.validators import StopValidation

from resettle.bounds import ANY_REAL_DATE, DateWindow, clean_text, parse_decimal, parse_whole_number


class KeepLegend:
    """govuk-frontend-wtf fills in the legend only when the template passes no `fieldset` of its own, so a
    template that only sizes the legend would lose its text. Keep the label as the legend either way, and drop
    an empty hint so nothing points at it."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)  # type: ignore[misc]
        legend = params.setdefault("fieldset", {}).setdefault("legend", {})
        legend.setdefault("text", field.label.text)
        if not field.description:
            params.pop("hint", None)
        return params


class DateInput(KeepLegend, GovDateInput):
    pass


class GovDateField(Field):
    """A GOV.UK date input (day, month, year). Empty is None; partly filled or impossible dates are errors."""

    widget = DateInput()

    def __init__(
        self,
        label: str,
        *,
        short_name: str | None = None,
        required: bool = False,
        window: DateWindow = ANY_REAL_DATE,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, **kwargs)
        self.window = window
        # How error messages name the date ("The date it is available from"); the label by default.
        self.short_name_for_errors = short_name or label.removesuffix(" (optional)")
        self.required = required
        self.data: date | None = None
        self._problem: str | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        self._problem = None
        self.data = None
        parts = [(value or "").strip() for value in valuelist[:3]] + [""] * (3 - len(valuelist[:3]))
        self.raw_data = parts
        if not any(parts):
            return
        names = ("day", "month", "year")
        missing = [name for name, part in zip(names, parts, strict=True) if not part]
        if missing:
            self._problem = f"{self.short_name_for_errors} must include a {' and '.join(missing)}"
            return
        # ASCII digits only: "²" and Arabic-Indic digits are not a day, month or year here.
        day, month, year = (parse_whole_number(part) if "," not in part else None for part in parts)
        try:
            if day is None or month is None or year is None or year < 1000:
                raise ValueError("not a date")
            self.data = date(year, month, day)
        except (ValueError, OverflowError):  # an impossible date, or a number too large for any date
            self._problem = f"{self.short_name_for_errors} must be a real date"

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""

    def pre_validate(self, form: Any) -> None:
        if self._problem:
            raise StopValidation(self._problem)
        if self.data is None and self.required:
            raise StopValidation(f"Enter {self.short_name_for_errors[0].lower()}{self.short_name_for_errors[1:]}")
        if self.data is not None:
            from resettle.clock import local_today  # here: the families package imports these fields

            problem = self.window.problem(self.short_name_for_errors, self.data, local_today())
            if problem:
                raise StopValidation(problem)


class CleanTextMeta:
    """Form Meta that puts `clean_text` first in every field's filters: NUL and other control characters are
    dropped from what people type (line breaks kept in text areas) before any other filter or check sees it.
    Passwords and files are left as they are."""

    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
        field = super().bind_field(form, unbound_field, options)  # type: ignore[misc]
        if not isinstance(field, (PasswordField, FileField, FormField, FieldList)):
            multiline = isinstance(field, TextAreaField) or isinstance(field.widget, GovTextArea)
            field.filters = (partial(clean_text, multiline=multiline), *field.filters)
        return field


def whole_number(message: str, minimum: int, maximum: int, range_message: str) -> Any:
    """A validator for a whole number typed as text: ASCII digits only (so '²', '٣', '1e3' and 40-digit
    numbers get `message`), then within [minimum, maximum] (else `range_message`)."""

    def check(form: Any, field: Field) -> None:
        if field.data in (None, ""):
            return
        value = parse_whole_number(str(field.data))
        if value is None:
            raise StopValidation(message)
        if not minimum <= value <= maximum:
            raise StopValidation(range_message)

    return check


def decimal_number(message: str, minimum: Decimal, maximum: Decimal, too_small: str, too_large: str) -> Any:
    """A validator for a number that may have a decimal point: finite, ASCII digits (so 'inf', 'nan',
    '1e309' and '²' get `message`), then above `minimum` (else `too_small`) and at most `maximum` (else `too_large`)."""

    def check(form: Any, field: Field) -> None:
        if field.data in (None, ""):
            return
        value = parse_decimal(str(field.data).removeprefix("£"))
        if value is None:
            raise StopValidation(message)
        if value < minimum:
            raise StopValidation(too_small)
        if value > maximum:
            raise StopValidation(too_large)

    return check
