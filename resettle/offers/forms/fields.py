"""Form fields that speak GOV.UK: day-month-year dates, whole numbers, amounts of money and yes/no questions,
with error messages in the Design System's wording instead of WTForms' defaults."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovTextInput
from wtforms import Field, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from resettle.bounds import parse_decimal, parse_whole_number
from resettle.families.places import normalise_postcode
from resettle.web.fields import KeepLegend

YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


class Radios(KeepLegend, GovRadioInput):
    pass


class Checkboxes(KeepLegend, GovCheckboxesInput):
    pass


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def blank_to_none(value: Any) -> Any:
    return value or None


class WholeNumberField(StringField):
    """A whole number typed by a person: '3' or ' 3 '. Range checks give GOV.UK messages."""

    widget = GovTextInput()

    def __init__(
        self, label: str, *, short_name: str, minimum: int, maximum: int, required: bool = True, **kwargs: Any
    ) -> None:
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
        value = parse_whole_number(text)
        if value is None:
            raise StopValidation(f"{_capitalised(self.short_name_for_errors)} must be a whole number")
        if not self.minimum <= value <= self.maximum:
            raise StopValidation(
                f"{_capitalised(self.short_name_for_errors)} must be between {self.minimum} and {self.maximum}"
            )
        self.number = value


class PoundsField(StringField):
    """An amount in pounds ('1,450' or '1450.50'), held as integer pence in `pence`."""

    widget = GovTextInput()

    def __init__(
        self, label: str, *, short_name: str, maximum_pounds: int, required: bool = True, **kwargs: Any
    ) -> None:
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
        amount = parse_decimal(text)  # finite, ASCII digits only: never inf, nan or 1e309
        if amount is None or amount != amount.quantize(Decimal("0.01")) or amount < 0:
            raise StopValidation(
                f"{_capitalised(self.short_name_for_errors)} must be an amount of money, like 1450 or 1450.50"
            )
        if amount > self.maximum_pounds:
            raise StopValidation(f"{_capitalised(self.short_name_for_errors)} must be £{self.maximum_pounds:,} or less")
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
