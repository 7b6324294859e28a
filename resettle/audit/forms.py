"""Filters for the audit log (a GET form: bookmarkable, no CSRF needed because it changes nothing)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = SelectField("Action", widget=GovSelect(), validators=[Optional()], validate_choice=False)
    object_type = SelectField("Record type", widget=GovSelect(), validators=[Optional()], validate_choice=False)
    object_id = StringField("Record id", widget=GovTextInput(), validators=[Optional(), Length(max=64)])
    actor_email = StringField("Who (email contains)", widget=GovTextInput(), validators=[Optional(), Length(max=254)])
    date_from = DateField("From date", widget=GovTextInput(), validators=[Optional()],
                          description="For example, 2026-11-01", format="%Y-%m-%d")
    date_to = DateField("To date", widget=GovTextInput(), validators=[Optional()],
                        description="For example, 2026-11-30", format="%Y-%m-%d")
    submit = SubmitField("Apply filters", widget=GovSubmitInput())
