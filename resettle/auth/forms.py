"""Sign-in and account forms, rendered with GOV.UK widgets."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length

from resettle.auth.models import Role
from resettle.web.forms import BoundedForm


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in Role]


class LoginForm(BoundedForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[InputRequired("Enter your email address"), Length(max=254, message="Email address is too long")],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=200, message="Password is too long")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class UserForm(BoundedForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            InputRequired("Enter the person's full name"),
            Length(max=120, message="Name must be 120 characters or fewer"),
        ],
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=ROLE_CHOICES,
        validators=[InputRequired("Select a role")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class InviteUserForm(UserForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[_strip],
        description="They will get an email with a link to set their password",
        validators=[
            InputRequired("Enter their email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email("Enter an email address in the correct format, like name@example.com", check_deliverability=False),
        ],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class EditUserForm(UserForm):
    is_active = BooleanField("Account is active (the person can sign in)", widget=GovCheckboxInput())


class SetPasswordForm(BoundedForm):
    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="Use 12 characters or more. Three random words together work well.",
        validators=[InputRequired("Enter a new password")],
    )
    confirm = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Confirm your new password"), EqualTo("password", "Passwords must match")],
    )
    submit = SubmitField("Set password", widget=GovSubmitInput())


class SecondFactorForm(BoundedForm):
    code = StringField(
        "Code",
        widget=GovTextInput(),
        filters=[_strip],
        description="The 6-digit code from your authenticator app, or one of your recovery codes",
        validators=[
            InputRequired("Enter the code from your authenticator app"),
            Length(max=20, message="Code is too long"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SetUpTwoFactorForm(BoundedForm):
    code = StringField(
        "Code from the app",
        widget=GovTextInput(),
        filters=[_strip],
        description="Enter the 6-digit code the app shows for this account",
        validators=[InputRequired("Enter the 6-digit code from the app"), Length(max=20, message="Code is too long")],
    )
    submit = SubmitField("Turn on two-factor authentication", widget=GovSubmitInput())
