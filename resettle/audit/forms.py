"""Filters for the audit log (a GET form: bookmarkable, no CSRF needed because it changes nothing)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from resettle.web.forms import BoundedForm


class IsoDateField(DateField):
    """A date typed as 1/11/2026 (or 2026-11-01, as links and older bookmarks have it); anything else gets
    '<label> must be a real date, like 1/11/2026'."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            if valuelist and not all(value.isascii() for value in valuelist):
                raise ValueError("not ASCII digits")  # strptime would read Arabic-Indic digits as a year
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(f"{self.label.text} must be a real date, like 1/11/2026") from None


class AuditFilterForm(BoundedForm):
    class Meta:
        csrf = False

    action = SelectField("Action", widget=GovSelect(), validators=[Optional()], validate_choice=False)
    object_type = SelectField("Record type", widget=GovSelect(), validators=[Optional()], validate_choice=False)
    object_id = StringField(
        "Record id",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=64, message="Record id must be 64 characters or fewer")],
    )
    actor_email = StringField(
        "Who (email contains)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=254, message="Email must be 254 characters or fewer")],
    )
    date_from = IsoDateField(
        "From date",
        widget=GovTextInput(),
        validators=[Optional()],
        description="For example, 1/11/2026",
        format=["%d/%m/%Y", "%Y-%m-%d"],
    )
    date_to = IsoDateField(
        "To date",
        widget=GovTextInput(),
        validators=[Optional()],
        description="For example, 30/11/2026",
        format=["%d/%m/%Y", "%Y-%m-%d"],
    )
    submit = SubmitField("Apply filters", widget=GovSubmitInput())
