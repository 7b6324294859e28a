"""Forms for deciding on proposals. Buttons that only confirm (accept, fulfil, run now) need no form: the app
checks the CSRF token on every POST."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from resettle.web.forms import BoundedForm


class RejectForm(BoundedForm):
    reason = TextAreaField(
        "Why does this offer not suit the family?",
        widget=GovTextArea(),
        validators=[
            InputRequired("Enter why this offer does not suit the family"),
            Length(max=500, message="Reason must be 500 characters or fewer"),
        ],
        description="The offer will not be proposed for this need again.",
    )
    submit = SubmitField("Reject proposal", widget=GovSubmitInput())


class PickOfferForm(BoundedForm):
    offer = RadioField(
        "Choose an offer", widget=GovRadioInput(), validate_choice=False, validators=[InputRequired("Select an offer")]
    )
    submit = SubmitField("Match with this offer", widget=GovSubmitInput())


class CancelMatchForm(BoundedForm):
    reason = TextAreaField(
        "Why is the match cancelled?",
        widget=GovTextArea(),
        validators=[
            InputRequired("Enter why the match is cancelled"),
            Length(max=500, message="Reason must be 500 characters or fewer"),
        ],
        description="The need opens again and this offer will not be proposed for it again.",
    )
    submit = SubmitField("Cancel the match", widget=GovSubmitInput())
