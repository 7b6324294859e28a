"""Form fields shared by every feature, speaking GOV.UK: one day-month-year date field with the Design
System's error wording ("… must include a month", "… must be a real date")."""

from __future__ import annotations

from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field
from wtforms.validators import StopValidation


class KeepLegend:
    """govuk-frontend-wtf fills in the legend only when the template passes no `fieldset` of its own, so a
    template that only sizes the legend would lose its text. Keep the label as the legend either way, and drop
    an empty hint so nothing points at it."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)  # type: ignore[misc]
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

    def __init__(self, label: str, *, short_name: str | None = None, required: bool = False, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
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
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1000:
                raise ValueError("year")
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
