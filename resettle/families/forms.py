"""Family, member, need and task forms with GOV.UK widgets and GOV.UK error wording.

Choices are checked by the services (which give the GOV.UK message for an unknown scheme or a priority out
of range), so choice fields here do not reject values themselves.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from resettle import bounds
from resettle.bounds import (
    BIRTH_DATE,
    CASE_PAST,
    CASE_PLANNED,
    MAX_BEDROOMS,
    MAX_DISTANCE_KM,
    MAX_NEED_UNITS,
    MAX_RENT_PENCE,
    pounds,
)
from resettle.families.models import ConsentPurpose, EnglishLevel, MemberActivity, Relationship, Scheme, Sex
from resettle.web.fields import GovDateField, decimal_number, whole_number
from resettle.web.forms import BoundedForm
from resettle.web.submissions import OneTimeSubmissionMixin
from resettle.web.versions import VersionedFormMixin


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def choices(enum_class: Any, blank: str | None = None) -> list[SelectChoice]:
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(member.value, member.label) for member in enum_class]


def open_choice(
    label: str, field_choices: list[SelectChoice], message: str | None = None, radios: bool = False, **kwargs: Any
) -> Any:
    field_class, widget = (RadioField, GovRadioInput()) if radios else (SelectField, GovSelect())
    validators = [InputRequired(message)] if message else [Optional()]
    return field_class(
        label, widget=widget, choices=field_choices, validate_choice=False, validators=validators, **kwargs
    )


def comma_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class FamilyForm(VersionedFormMixin, BoundedForm):
    name = StringField(
        "Family name",
        widget=GovTextInput(),
        filters=[strip],
        description="How the case is known, for example ‘Al-Hassan family’",
        validators=[
            InputRequired("Enter a name for the family"),
            Length(max=120, message="Family name must be 120 characters or fewer"),
        ],
    )
    scheme = open_choice("Resettlement scheme", choices(Scheme), "Select the resettlement scheme", radios=True)
    referral_date = GovDateField(
        "Referral date", window=CASE_PAST, validators=[InputRequired("Enter the referral date")]
    )
    arrival_date = GovDateField("Expected arrival date (optional)", window=CASE_PLANNED, validators=[Optional()])
    caseworker = open_choice("Caseworker", [])
    address_line_1 = StringField(
        "Address line 1 (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=120, message="Address line 1 must be 120 characters or fewer")],
    )
    address_line_2 = StringField(
        "Address line 2 (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=120, message="Address line 2 must be 120 characters or fewer")],
    )
    town = StringField(
        "Town or city (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=60, message="Town or city must be 60 characters or fewer")],
    )
    postcode = StringField(
        "Postcode (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=10, message="Postcode must be 10 characters or fewer")],
    )
    brma = open_choice(
        "Broad Rental Market Area", [], description="Leave as it is to work it out from the postcode district"
    )
    preferred_languages = StringField(
        "Preferred languages",
        widget=GovTextInput(),
        filters=[strip],
        description="Separate languages with commas, for example ‘Arabic, Kurdish’",
        validators=[Length(max=200, message="Languages must be 200 characters or fewer")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class NewFamilyForm(OneTimeSubmissionMixin, FamilyForm):
    applicant_name = StringField(
        "Principal applicant's full name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired("Enter the principal applicant's full name"),
            Length(max=120, message="Full name must be 120 characters or fewer"),
        ],
    )
    applicant_date_of_birth = GovDateField(
        "Principal applicant's date of birth",
        short_name="Date of birth",
        window=BIRTH_DATE,
        validators=[InputRequired("Enter the principal applicant's date of birth")],
    )
    applicant_sex = open_choice(
        "Principal applicant's sex", choices(Sex), "Select the principal applicant's sex", radios=True
    )
    submit = SubmitField("Create family", widget=GovSubmitInput())


class MemberForm(OneTimeSubmissionMixin, VersionedFormMixin, BoundedForm):
    full_name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired("Enter the person's full name"),
            Length(max=120, message="Full name must be 120 characters or fewer"),
        ],
    )
    date_of_birth = GovDateField(
        "Date of birth", window=BIRTH_DATE, validators=[InputRequired("Enter the date of birth")]
    )
    sex = open_choice("Sex", choices(Sex), "Select the person's sex", radios=True)
    relationship_to_applicant = open_choice(
        "Relationship to the principal applicant", choices(Relationship), "Select the relationship"
    )
    languages = StringField(
        "Languages spoken",
        widget=GovTextInput(),
        filters=[strip],
        description="Separate languages with commas",
        validators=[Length(max=200, message="Languages must be 200 characters or fewer")],
    )
    english_level = open_choice("English level", choices(EnglishLevel), "Select the English level")
    activity = open_choice("School or work", choices(MemberActivity), "Select school or work status")
    school_or_employer = StringField(
        "School, college or employer (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=200, message=("School, college or employer must be 200 characters or fewer"))],
    )
    needs_step_free_access = BooleanField("Needs step-free access", widget=GovCheckboxInput())
    access_needs = TextAreaField(
        "Mobility and access needs (optional)",
        widget=GovTextArea(),
        filters=[strip],
        validators=[Length(max=2000, message="Access needs must be 2000 characters or fewer")],
    )
    eats_halal = BooleanField("Eats halal food", widget=GovCheckboxInput())
    dietary_needs = StringField(
        "Other dietary needs (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=200, message="Dietary needs must be 200 characters or fewer")],
    )
    submit = SubmitField("Save member", widget=GovSubmitInput())


class MemberLeftForm(BoundedForm):
    left_on = GovDateField(
        "Date they left the household",
        short_name="Date they left",
        window=CASE_PAST,
        validators=[InputRequired("Enter the date they left")],
    )
    submit = SubmitField("Record that they left", widget=GovSubmitInput())


PRIORITY_CHOICES = [
    SelectChoice(str(n), label)
    for n, label in [(5, "5 – urgent"), (4, "4 – high"), (3, "3 – normal"), (2, "2 – low"), (1, "1 – can wait")]
]


class NeedForm(OneTimeSubmissionMixin, VersionedFormMixin, BoundedForm):
    category = open_choice("What is needed", [], "Select what the family needs")
    item = open_choice("Item (furniture and household items only)", [])
    description = TextAreaField(
        "Details (optional)",
        widget=GovTextArea(),
        filters=[strip],
        validators=[Length(max=2000, message="Details must be 2000 characters or fewer")],
    )
    member = open_choice("For which member (optional)", [])
    priority = open_choice("Priority", PRIORITY_CHOICES, "Select a priority", radios=True)
    units = StringField(
        "How many",
        widget=GovTextInput(),
        filters=[strip],
        default="1",
        description="Households for housing, places for classes, pieces for goods",
        validators=[
            InputRequired("Enter how many are needed"),
            whole_number(
                "How many must be a whole number, like 2",
                1,
                MAX_NEED_UNITS,
                f"How many must be between 1 and {MAX_NEED_UNITS}",
            ),
        ],
    )
    needed_by = GovDateField(
        "Needed by (optional)", short_name="Needed by date", window=CASE_PLANNED, validators=[Optional()]
    )
    follows_bedroom_standard = BooleanField(
        "Work out bedrooms and maximum rent from the bedroom standard and LHA rate", widget=GovCheckboxInput()
    )
    bedrooms_min = StringField(
        "Minimum bedrooms (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            whole_number(
                "Minimum bedrooms must be a whole number, like 3",
                0,
                MAX_BEDROOMS,
                f"Minimum bedrooms must be between 0 and {MAX_BEDROOMS}",
            )
        ],
    )
    rent_max = StringField(
        "Maximum rent per month, in pounds (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            decimal_number(
                "Maximum rent must be an amount in pounds, like 1545.74",
                Decimal(0),
                Decimal(MAX_RENT_PENCE) / 100,
                "Maximum rent must be £0 or more",
                f"Maximum rent must be {pounds(MAX_RENT_PENCE)} or less",
            )
        ],
    )
    step_free = BooleanField("Needs step-free access", widget=GovCheckboxInput())
    language = StringField(
        "Language the helper must speak (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=60, message="Language must be 60 characters or fewer")],
    )
    halal = BooleanField("Must be halal", widget=GovCheckboxInput())
    home_visit = BooleanField("Must be given at home", widget=GovCheckboxInput())
    max_distance_km = StringField(
        "Maximum distance from home, in km (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            decimal_number(
                "Maximum distance must be a number of kilometres, like 5",
                Decimal("0.1"),
                Decimal(MAX_DISTANCE_KM),
                "Maximum distance must be 0.1 km or more",
                f"Maximum distance must be {MAX_DISTANCE_KM:,} km or less",
            )
        ],
    )
    status = open_choice("Status", [])
    submit = SubmitField("Save need", widget=GovSubmitInput())


class StatusForm(BoundedForm):
    status = open_choice("New status", [], "Select the family's status", radios=True)
    reason = StringField(
        "Reason (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=500, message="Reason must be 500 characters or fewer")],
    )
    submit = SubmitField("Change status", widget=GovSubmitInput())


class ArrivalForm(BoundedForm):
    arrival_date = GovDateField(
        "Arrival date", window=CASE_PLANNED, validators=[InputRequired("Enter the arrival date")]
    )
    submit = SubmitField("Confirm arrival date", widget=GovSubmitInput())


class CaseNoteForm(OneTimeSubmissionMixin, BoundedForm):
    body = TextAreaField(
        "Case note",
        widget=GovTextArea(),
        filters=[strip],
        validators=[
            InputRequired("Enter the case note"),
            Length(max=10000, message="Case note must be 10000 characters or fewer"),
        ],
    )
    submit = SubmitField("Add case note", widget=GovSubmitInput())


class HealthNoteForm(BoundedForm):
    member = open_choice("About which member (optional)", [])
    body = TextAreaField(
        "Health note",
        widget=GovTextArea(),
        filters=[strip],
        validators=[
            InputRequired("Enter the health note"),
            Length(max=10000, message="Health note must be 10000 characters or fewer"),
        ],
    )
    submit = SubmitField("Add health note", widget=GovSubmitInput())


class ConsentForm(BoundedForm):
    purpose = open_choice(
        "What is the consent for", choices(ConsentPurpose), "Select what the consent is for", radios=True
    )
    answer = open_choice(
        "Does the family agree",
        [SelectChoice("yes", "Yes, they agree"), SelectChoice("no", "No, they refuse or withdraw consent")],
        "Select whether the family agrees",
        radios=True,
    )
    note = StringField(
        "Note (optional)",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=500, message="Note must be 500 characters or fewer")],
    )
    submit = SubmitField("Record consent", widget=GovSubmitInput())


class CompleteTaskForm(BoundedForm):
    evidence = TextAreaField(
        "Evidence or notes (optional)",
        widget=GovTextArea(),
        filters=[strip],
        validators=[Length(max=2000, message="Evidence must be 2000 characters or fewer")],
    )
    submit = SubmitField("Mark as done", widget=GovSubmitInput())


class BulkCompleteTasksForm(BoundedForm):
    """Marks the ticked tasks done; the tasks come as repeated `task` values, read by the view."""

    submit = SubmitField("Mark selected tasks as done", widget=GovSubmitInput())


class ReassignTaskForm(BoundedForm):
    assignee = open_choice("Give the task to", [], "Select a caseworker")
    submit = SubmitField("Reassign task", widget=GovSubmitInput())


class SnoozeTaskForm(BoundedForm):
    until = GovDateField(
        "Snooze until",
        short_name="The date to snooze until",
        window=CASE_PLANNED,
        validators=[InputRequired("Enter the date to snooze until")],
    )
    reason = StringField(
        "Reason",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired("Enter why the task is snoozed"),
            Length(max=500, message="Reason must be 500 characters or fewer"),
        ],
    )
    submit = SubmitField("Snooze task", widget=GovSubmitInput())


class AddTaskForm(BoundedForm):
    title = StringField(
        "What needs to be done",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired("Enter what needs to be done"),
            Length(max=200, message="Task must be 200 characters or fewer"),
        ],
    )
    due_on = GovDateField("Due date", window=CASE_PLANNED, validators=[InputRequired("Enter the due date")])
    assignee = open_choice("Give the task to", [], "Select a caseworker")
    submit = SubmitField("Add task", widget=GovSubmitInput())


def parse_whole_number(value: str | None) -> int | None:
    return bounds.parse_whole_number(value)


def parse_pounds_to_pence(value: str | None) -> int | None:
    amount = bounds.parse_decimal((value or "").replace("£", ""))
    return None if amount is None else int((amount * 100).to_integral_value())
