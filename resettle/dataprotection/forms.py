"""Forms for data protection requests, erasure, restriction and legal holds."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import BooleanField, HiddenField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from resettle.families.forms import strip
from resettle.web.fields import GovDateField


class SubjectAccessRequestForm(FlaskForm):
    subject_kind = RadioField(
        "Who is the request about",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("member", "A member of a family we support"),
            SelectChoice("offerer", "Someone who offered help"),
        ],
        validators=[InputRequired("Select who the request is about")],
    )
    family_reference = StringField(
        "Family reference (for a family member)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=16, message="Family reference must be 16 characters or fewer")],
    )
    member_name = StringField(
        "Member's full name, as recorded (for a family member)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=120, message="Full name must be 120 characters or fewer")],
    )
    offerer_email = StringField(
        "Email address they offered help with (for someone who offered help)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email("Enter an email address in the correct format, like name@example.com"),
        ],
    )
    requester_name = StringField(
        "Who made the request",
        description="The person themself, or their representative (name and role)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired("Enter who made the request"),
            Length(max=120, message="Who made the request must be 120 characters or fewer"),
        ],
    )
    received_on = GovDateField("Date received", validators=[InputRequired("Enter the date the request was received")])
    note = StringField(
        "Note (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=500, message="Note must be 500 characters or fewer")],
    )
    submit = SubmitField("Record the request", widget=GovSubmitInput())

    def validate_family_reference(self, field: StringField) -> None:
        if self.subject_kind.data == "member" and not field.data:
            raise ValidationError("Enter the family reference")

    def validate_member_name(self, field: StringField) -> None:
        if self.subject_kind.data == "member" and not field.data:
            raise ValidationError("Enter the member's full name")

    def validate_offerer_email(self, field: StringField) -> None:
        if self.subject_kind.data == "offerer" and not field.data:
            raise ValidationError("Enter the email address they offered help with")


class CloseRequestForm(FlaskForm):
    outcome = RadioField(
        "Outcome",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("completed", "Completed: the export was sent"),
            SelectChoice("withdrawn", "Withdrawn by the person"),
        ],
        validators=[InputRequired("Select the outcome")],
    )
    submit = SubmitField("Close the request", widget=GovSubmitInput())


class RestrictionForm(FlaskForm):
    action = HiddenField(default="restrict")
    reason = StringField(
        "Why is processing restricted",
        description="For example: the family contest the accuracy of their record (request received 3 May)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=500, message="Reason must be 500 characters or fewer")],
    )
    submit = SubmitField("Restrict processing", widget=GovSubmitInput())


class ErasureForm(FlaskForm):
    email = StringField(
        "Email address the person offered help with",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired("Enter the email address the person offered help with"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email("Enter an email address in the correct format, like name@example.com"),
        ],
    )
    confirm = BooleanField(
        "I have checked the request and no legal reason requires us to keep these details",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Confirm that you have checked the request")],
    )
    submit = SubmitField("Erase their personal data", widget=GovSubmitInput())


class LegalHoldForm(FlaskForm):
    kind = RadioField(
        "What to hold",
        widget=GovRadioInput(),
        choices=[SelectChoice("family", "A family (by reference)"), SelectChoice("offerer", "An offerer (by email)")],
        validators=[InputRequired("Choose a family or an offerer")],
    )
    key = StringField(
        "Family reference or offerer's email address",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired("Enter the family reference or the offerer's email address"),
            Length(max=254, message="This must be 254 characters or fewer"),
        ],
    )
    hold = HiddenField(default="on")
    submit = SubmitField("Place on legal hold", widget=GovSubmitInput())
