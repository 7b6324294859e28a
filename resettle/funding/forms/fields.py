"""Form fields shared by the funding pages: GOV.UK date inputs and money in pounds, with GOV.UK error wording."""

from __future__ import annotations

from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import Field, IntegerField, StringField
from wtforms.validators import ValidationError

from resettle.bounds import parse_whole_number
from resettle.funding.money import MoneyError, parse_pounds, pounds_text


class PoundsField(StringField):
    """Pounds typed by a person, held as integer pence in `pence`."""

    widget = GovTextInput()

    def __init__(self, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("filters", [lambda value: value.strip() if isinstance(value, str) else value])
        super().__init__(label, **kwargs)
        self.pence: int | None = None

    def process_data(self, value: Any) -> None:
        # Initial data is pence (from the database); show it as pounds.
        self.pence = value if isinstance(value, int) else None
        self.data = pounds_text(value) if isinstance(value, int) else value

    def pre_validate(self, form: Any) -> None:
        self.pence = None
        if self.data:
            try:
                self.pence = parse_pounds(self.data)
            except MoneyError as error:
                raise ValidationError(str(error)) from None


def date_or_none(field: Field) -> date | None:
    return field.data if isinstance(field.data, date) else None


class WholeNumberField(IntegerField):
    """A whole number typed by a person; anything else gets '<short name> must be a whole number'."""

    widget = GovTextInput()

    def __init__(self, label: str, *, short_name: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.short_name_for_errors = short_name

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.data = parse_whole_number(valuelist[0])  # ASCII digits only, at most 12: never '²' or 40 digits
        if self.data is None:
            raise ValueError(f"{self.short_name_for_errors} must be a whole number")
