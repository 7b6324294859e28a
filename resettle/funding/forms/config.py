"""Forms for the funding configuration pages (administrators only)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from resettle.bounds import FUNDING_PERIOD
from resettle.funding.allocation import RuleBasis
from resettle.funding.forms.fields import PoundsField, WholeNumberField
from resettle.funding.models import Eligibility, StreamScope
from resettle.taxonomy import CATEGORIES
from resettle.web.fields import GovDateField
from resettle.web.forms import BoundedForm
from resettle.web.versions import VersionedFormMixin


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


CATEGORY_CHOICES = [SelectChoice(category.value, info.label) for category, info in CATEGORIES.items()]
SCOPE_CHOICES = [SelectChoice(scope.value, scope.label) for scope in StreamScope]
BASIS_CHOICES = [SelectChoice(basis.value, basis.label) for basis in RuleBasis]
ELIGIBILITY_CHOICES = [SelectChoice(value.value, value.label) for value in Eligibility]


class MultiCheckboxField(SelectMultipleField):
    widget = GovCheckboxesInput()


class SchemeForm(BoundedForm):
    code = StringField(
        "Scheme code",
        widget=GovTextInput(),
        filters=[_strip],
        description="Capital letters, as families' cases record it, like UKRS",
        validators=[
            InputRequired("Enter the scheme code"),
            Regexp(r"^[A-Za-z]{2,16}$", message="Scheme code must be 2 to 16 letters"),
        ],
    )
    name = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            InputRequired("Enter the scheme's name"),
            Length(max=120, message="Name must be 120 characters or fewer"),
        ],
    )
    funder = StringField(
        "Funder",
        widget=GovTextInput(),
        filters=[_strip],
        default="Home Office",
        validators=[
            InputRequired("Enter who funds the scheme"),
            Length(max=120, message="Funder must be 120 characters or fewer"),
        ],
    )
    notes = StringField(
        "Notes",
        widget=GovTextArea(),
        filters=[_strip],
        validators=[Optional(), Length(max=2000, message="Notes must be 2000 characters or fewer")],
    )
    submit = SubmitField("Save scheme", widget=GovSubmitInput())


class StreamForm(BoundedForm):
    code = StringField(
        "Stream code",
        widget=GovTextInput(),
        filters=[_strip],
        description="Lower case letters, numbers and hyphens, like ukrs-education",
        validators=[
            InputRequired("Enter the stream code"),
            Regexp(
                r"^[a-z0-9][a-z0-9-]{1,39}$",
                message="Stream code must be 2 to 40 lower case letters, numbers or hyphens",
            ),
        ],
    )
    name = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            InputRequired("Enter the stream's name"),
            Length(max=120, message="Name must be 120 characters or fewer"),
        ],
    )
    scope = RadioField(
        "Whose budget is it?",
        widget=GovRadioInput(),
        choices=SCOPE_CHOICES,
        validators=[InputRequired("Select whose budget it is")],
    )
    categories = MultiCheckboxField(
        "What it may pay for", choices=CATEGORY_CHOICES, validators=[InputRequired("Select at least one kind of spend")]
    )
    requires_prior_agreement = BooleanField(
        "Spend needs the Home Office's written agreement first (exceptional costs)", widget=GovCheckboxInput()
    )
    effective_from = GovDateField(
        "Start date", window=FUNDING_PERIOD, validators=[InputRequired("Enter the start date")]
    )
    effective_to = GovDateField(
        "End date (optional)", short_name="End date", window=FUNDING_PERIOD, validators=[Optional()]
    )
    source_ref = StringField(
        "Source",
        widget=GovTextInput(),
        filters=[_strip],
        description="The funding instruction or guidance, with its date",
        validators=[Optional(), Length(max=300, message="Source must be 300 characters or fewer")],
    )
    description = StringField(
        "Description",
        widget=GovTextArea(),
        filters=[_strip],
        validators=[Optional(), Length(max=2000, message="Description must be 2000 characters or fewer")],
    )
    submit = SubmitField("Save stream", widget=GovSubmitInput())


class RuleForm(VersionedFormMixin, BoundedForm):
    basis = RadioField(
        "How the amount is counted",
        widget=GovRadioInput(),
        choices=BASIS_CHOICES,
        validators=[InputRequired("Select how the amount is counted")],
    )
    amount = PoundsField("Amount in pounds", validators=[InputRequired("Enter the amount")])
    age_min = WholeNumberField(
        "Youngest age at arrival (optional)",
        short_name="Youngest age",
        validators=[Optional(), NumberRange(min=0, max=120, message="Youngest age must be between 0 and 120")],
    )
    age_max = WholeNumberField(
        "Oldest age at arrival (optional)",
        short_name="Oldest age",
        validators=[Optional(), NumberRange(min=0, max=120, message="Oldest age must be between 0 and 120")],
    )
    support_year = WholeNumberField(
        "Year of support (optional)",
        short_name="Year of support",
        description="Leave empty for year one; 2 means due from the first anniversary of arrival",
        validators=[Optional(), NumberRange(min=1, max=10, message="Year of support must be between 1 and 10")],
    )
    effective_from = GovDateField(
        "For arrivals from",
        window=FUNDING_PERIOD,
        validators=[InputRequired("Enter the start date")],
    )
    effective_to = GovDateField("For arrivals up to (optional)", window=FUNDING_PERIOD, validators=[Optional()])
    source_ref = StringField(
        "Source",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[Optional(), Length(max=300, message="Source must be 300 characters or fewer")],
    )
    is_confirmed = BooleanField("Confirmed in a published source", widget=GovCheckboxInput(), default=True)
    note = StringField(
        "Note",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[Optional(), Length(max=300, message="Note must be 300 characters or fewer")],
    )
    submit = SubmitField("Save rule", widget=GovSubmitInput())


class ExpenseCategoryForm(BoundedForm):
    code = StringField(
        "Code",
        widget=GovTextInput(),
        filters=[_strip],
        description=(
            "Lower case letters, numbers and underscores. For goods, use the code of the kind of item residents "
            "offer: its name in lower case with underscores between the words"
        ),
        validators=[
            InputRequired("Enter the code"),
            Regexp(
                r"^[a-z][a-z0-9_]{1,39}$", message="Code must be 2 to 40 lower case letters, numbers or underscores"
            ),
        ],
    )
    label = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[InputRequired("Enter the name"), Length(max=120, message="Name must be 120 characters or fewer")],
    )
    category = SelectField(
        "Kind of need",
        widget=GovSelect(),
        choices=CATEGORY_CHOICES,
        validators=[InputRequired("Select the kind of need")],
    )
    is_active = BooleanField("Can be chosen for new spend", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save category", widget=GovSubmitInput())


class EligibilityForm(BoundedForm):
    eligibility = RadioField(
        "May this scheme's money pay for it?",
        widget=GovRadioInput(),
        choices=ELIGIBILITY_CHOICES,
        validators=[InputRequired("Select allowed, blocked or needs approval")],
    )
    note = StringField(
        "Reason or source",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[Optional(), Length(max=300, message="Reason must be 300 characters or fewer")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
