"""Form fields that speak GOV.UK: day-month-year dates, whole numbers, amounts of money and yes/no questions,
with error messages in the Design System's wording instead of WTForms' defaults."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovDateInput, GovRadioInput, GovTextInput
from wtforms import Field, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from resettle.families.places import normalise_postcode

YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


class _KeepLegend:
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


class Radios(_KeepLegend, GovRadioInput):
    pass


class Checkboxes(_KeepLegend, GovCheckboxesInput):
    pass


class DateInput(_KeepLegend, GovDateInput):
    pass


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def blank_to_none(value: Any) -> Any:
    return value or None


class GovDateField(Field):
    """A GOV.UK date input (day, month, year). Empty is None; partly filled or impossible dates are errors."""

    widget = DateInput()

    def __init__(self, label: str, *, short_name: str, required: bool = False, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.short_name_for_errors = short_name  # "The date it is available from"
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


class WholeNumberField(StringField):
    """A whole number typed by a person: '3' or ' 3 '. Range checks give GOV.UK messages."""

    widget = GovTextInput()

    def __init__(self, label: str, *, short_name: str, minimum: int, maximum: int, required: bool = True,
                 **kwargs: Any) -> None:
        kwargs.setdefault("filters", [strip])
        super().__init__(label, **kwargs)
        self.short_name_for_errors, self.minimum, self.maximum, self.required = short_name, minimum, maximum, required
        self.number: int | None = None

    def pre_validate(self, form: Any) -> None:
        self.number = None
        text = (self.data or "").replace(",", "")
        if not text:
            if self.required:
                raise StopValidation(f"Enter {self.short_name_for_errors}")
            return
        if len(text) > 6 or not re.fullmatch(r"-?\d+", text):
            raise StopValidation(f"{_capitalised(self.short_name_for_errors)} must be a whole number")
        value = int(text)
        if not self.minimum <= value <= self.maximum:
            raise StopValidation(f"{_capitalised(self.short_name_for_errors)} must be between {self.minimum} "
                                 f"and {self.maximum}")
        self.number = value


class PoundsField(StringField):
    """An amount in pounds ('1,450' or '1450.50'), held as integer pence in `pence`."""

    widget = GovTextInput()

    def __init__(self, label: str, *, short_name: str, maximum_pounds: int, required: bool = True,
                 **kwargs: Any) -> None:
        kwargs.setdefault("filters", [strip])
        super().__init__(label, **kwargs)
        self.short_name_for_errors, self.maximum_pounds, self.required = short_name, maximum_pounds, required
        self.pence: int | None = None

    def pre_validate(self, form: Any) -> None:
        self.pence = None
        text = (self.data or "").replace(",", "").removeprefix("£").strip()
        if not text:
            if self.required:
                raise StopValidation(f"Enter {self.short_name_for_errors}")
            return
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
        if amount is None or len(text) > 12 or amount != amount.quantize(Decimal("0.01")) or amount < 0:
            raise StopValidation(f"{_capitalised(self.short_name_for_errors)} must be an amount of money, "
                                 "like 1450 or 1450.50")
        if amount > self.maximum_pounds:
            raise StopValidation(f"{_capitalised(self.short_name_for_errors)} must be £{self.maximum_pounds:,} "
                                 "or less")
        self.pence = int(amount * 100)


class YesNoField(RadioField):
    widget = Radios()

    def __init__(self, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("choices", YES_NO)
        super().__init__(label, **kwargs)

    @property
    def answer(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.data or "")


def valid_postcode(form: Any, field: Field) -> None:
    if field.data and normalise_postcode(field.data) is None:
        raise ValidationError("Enter a real postcode, like SE6 4RU")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def yes_no_value(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")
