"""Form fields shared by the funding pages: GOV.UK date inputs and money in pounds, with GOV.UK error wording."""

from __future__ import annotations

from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import Field, StringField
from wtforms.validators import ValidationError

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
