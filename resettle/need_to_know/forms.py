"""Forms for breaking glass and for managing teams."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from resettle.need_to_know.policy import REASON_MAX_LENGTH, REASON_MIN_LENGTH
from resettle.web.forms import BoundedForm


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class BreakGlassForm(BoundedForm):
    reason = TextAreaField(
        "Why do you need to see this family's health and other sensitive details?",
        widget=GovTextArea(),
        filters=[_strip],
        description="Your reason is kept and shown to administrators. Access lasts for the rest of the working day.",
        validators=[
            DataRequired("Enter your reason"),
            Length(
                min=REASON_MIN_LENGTH,
                max=REASON_MAX_LENGTH,
                message=f"Reason must be between {REASON_MIN_LENGTH} and {REASON_MAX_LENGTH} characters",
            ),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class NewTeamForm(BoundedForm):
    name = StringField(
        "Team name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            InputRequired("Enter the team name"),
            Length(max=80, message="Team name must be 80 characters or fewer"),
        ],
    )
    submit = SubmitField("Add team", widget=GovSubmitInput())


class TeamMemberForm(BoundedForm):
    user = SelectField("Person", widget=GovSelect(), validate_choice=False)
    team = SelectField("Team", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Save team", widget=GovSubmitInput())
