"""Forms for registering a webhook endpoint and for the buttons that change one."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput

from resettle.web.forms import BoundedForm
from resettle.webhooks.addresses import URL_MAX_LENGTH
from resettle.webhooks.models import SUBSCRIBABLE
from resettle.webhooks.services import DESCRIPTION_MAX_LENGTH


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class EndpointForm(BoundedForm):
    url = StringField(
        "Web address that receives events",
        widget=GovTextInput(),
        filters=[_strip],
        description="It must start with https://. The partner's system receives a POST for each event.",
        validators=[
            InputRequired("Enter the web address that should receive events"),
            Length(max=URL_MAX_LENGTH, message=f"Web address must be {URL_MAX_LENGTH} characters or fewer"),
        ],
    )
    description = StringField(
        "Who is it for (optional)",
        widget=GovTextInput(),
        filters=[_strip],
        description="For example, the partner organisation's name.",
        validators=[
            Length(
                max=DESCRIPTION_MAX_LENGTH,
                message=f"Description must be {DESCRIPTION_MAX_LENGTH} characters or fewer",
            )
        ],
    )
    events = SelectMultipleField(
        "Which events should it receive?",
        choices=[SelectChoice(kind.value, kind.label) for kind in SUBSCRIBABLE],
        widget=GovCheckboxesInput(),
        option_widget=CheckboxInput(),
        description="Each event carries references and links to the API only, never a family's details.",
        validate_choice=False,
    )
    submit = SubmitField("Register endpoint", widget=GovSubmitInput())


class ActionForm(BoundedForm):
    """A button that changes an endpoint (its label is set by the page)."""

    submit = SubmitField("Continue", widget=GovSubmitInput())
