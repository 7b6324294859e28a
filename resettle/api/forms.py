"""The form for making a personal API token."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from resettle.api.models import TokenScope
from resettle.api.tokens import EXPIRY_CHOICES_DAYS
from resettle.web.forms import BoundedForm


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class NewTokenForm(BoundedForm):
    name = StringField(
        "Name",
        description="What the token is for, so you know it again, such as 'Finance system export'",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            InputRequired("Enter a name for the token"),
            Length(max=80, message="Name must be 80 characters or fewer"),
        ],
    )
    scope = RadioField(
        "What may it do?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(TokenScope.READ.value, "Read only"),
            SelectChoice(TokenScope.READ_WRITE.value, "Read and change, as you can in the pages"),
        ],
        validators=[InputRequired("Select what the token may do")],
    )
    expires_in_days = RadioField(
        "When does it expire?",
        widget=GovRadioInput(),
        choices=[SelectChoice(str(days), f"In {days} days") for days in EXPIRY_CHOICES_DAYS],
        default=str(EXPIRY_CHOICES_DAYS[1]),
        validators=[InputRequired("Select when the token expires")],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())
