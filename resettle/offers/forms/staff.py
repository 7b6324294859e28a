"""Staff forms for the review queue: filters, the verification checklist, rejection, duplicates, status, edits."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from resettle.bounds import (
    AVAILABILITY,
    CERTIFICATE,
    MAX_BEDROOMS,
    MAX_OFFER_CAPACITY,
    MAX_OFFER_COST_PENCE,
    MAX_RENT_PENCE,
)
from resettle.offers.forms.fields import (
    Checkboxes,
    PoundsField,
    Radios,
    WholeNumberField,
    YesNoField,
    strip,
    valid_postcode,
    yes_no_value,
)
from resettle.offers.models import EPC_RATINGS, DbsStatus, Offer, OfferStatus
from resettle.offers.queries import POOL_ACTIVE, POOL_WAITING
from resettle.offers.review import editable_fields
from resettle.offers.rules import LANGUAGES, MANUAL_STATUSES
from resettle.taxonomy import CATEGORIES
from resettle.web.fields import GovDateField
from resettle.web.forms import BoundedForm
from resettle.web.versions import VersionedFormMixin

ANY_STATUS = "any"


class QueueFilterForm(BoundedForm):
    """A GET form: bookmarkable, and it changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        widget=GovSelect(),
        validate_choice=False,
        default=OfferStatus.SUBMITTED.value,
        choices=[SelectChoice(ANY_STATUS, "Any status")]
        + [SelectChoice(status.value, status.label) for status in OfferStatus],
    )
    category = SelectField(
        "Type",
        widget=GovSelect(),
        validate_choice=False,
        choices=[SelectChoice("", "Any type")]
        + [SelectChoice(category.value, info.label) for category, info in CATEGORIES.items()],
    )
    pool = SelectField(
        "Pool",
        widget=GovSelect(),
        validate_choice=False,
        choices=[
            SelectChoice("", "Active pool and waiting list"),
            SelectChoice(POOL_ACTIVE, "Active pool only"),
            SelectChoice(POOL_WAITING, "Waiting list only"),
        ],
    )
    search = StringField(
        "Reference, name or email",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Optional(), Length(max=120, message="Search must be 120 characters or fewer")],
    )
    dbs_due = BooleanField("Only DBS checks due for renewal", widget=GovCheckboxInput())
    submit = SubmitField("Apply filters", widget=GovSubmitInput())


class VerifyForm(BoundedForm):
    has_gas_supply = YesNoField(
        "Does the home have a gas supply?", validators=[InputRequired("Select yes if the home has a gas supply")]
    )
    gas_safety_checked_on = GovDateField(
        "Date of the last gas safety check (CP12)",
        short_name="The date of the gas safety check",
        window=CERTIFICATE,
        description="By a Gas Safe registered engineer, within the last 12 months",
    )
    electrical_report_on = GovDateField(
        "Date of the electrical installation condition report (EICR)",
        short_name="The date of the electrical report",
        window=CERTIFICATE,
        description="Needed at least every 5 years",
    )
    epc_rating = RadioField(
        "Energy performance certificate (EPC) rating",
        widget=Radios(),
        choices=[SelectChoice(rating, rating) for rating in EPC_RATINGS],
        validators=[Optional()],
        description="The minimum for a tenancy is E",
    )
    smoke_alarms_every_storey = BooleanField(
        "There is a working smoke alarm on every storey", widget=GovCheckboxInput()
    )
    co_alarm_where_needed = BooleanField(
        "There is a carbon monoxide alarm in every room with a fixed combustion appliance (or there are none)",
        widget=GovCheckboxInput(),
    )
    inspected_on = GovDateField(
        "Date of the inspection visit", short_name="The date of the inspection visit", window=CERTIFICATE
    )
    dbs_status = RadioField(
        "DBS check seen",
        widget=Radios(),
        validators=[Optional()],
        choices=[SelectChoice(status.value, status.label) for status in DbsStatus],
    )
    dbs_expires_on = GovDateField(
        "Date the DBS check is due for renewal",
        short_name="The DBS renewal date",
        window=CERTIFICATE,
        description="The council rechecks DBS certificates every 3 years",
    )
    note = TextAreaField(
        "Notes (optional)",
        widget=GovTextArea(),
        filters=[strip],
        validators=[Optional(), Length(max=500, message="Notes must be 500 characters or fewer")],
    )
    submit = SubmitField("Verify offer", widget=GovSubmitInput())

    def keep_only(self, housing: bool, dbs: bool) -> None:
        """Drop the questions this offer's type does not need."""
        housing_fields = (
            "has_gas_supply",
            "gas_safety_checked_on",
            "electrical_report_on",
            "epc_rating",
            "smoke_alarms_every_storey",
            "co_alarm_where_needed",
            "inspected_on",
        )
        if not housing:
            for name in housing_fields:
                delattr(self, name)
        if not dbs:
            delattr(self, "dbs_status")
            delattr(self, "dbs_expires_on")


class RejectForm(BoundedForm):
    reason = TextAreaField(
        "Why is the offer being rejected?",
        widget=GovTextArea(),
        filters=[strip],
        description="This is emailed to the person who made the offer, so write it for them",
        validators=[
            InputRequired("Enter the reason for rejecting the offer"),
            Length(max=500, message="Reason must be 500 characters or fewer"),
        ],
    )
    submit = SubmitField("Reject offer and email the reason", widget=GovSubmitInput())


class DuplicateForm(BoundedForm):
    original_reference = StringField(
        "Reference of the offer this repeats",
        widget=GovTextInput(),
        filters=[strip],
        description="For example, OF-7KQ2MX",
        validators=[
            InputRequired("Enter the reference of the original offer"),
            Length(max=16, message="Reference must be 16 characters or fewer"),
        ],
    )
    submit = SubmitField("Mark as duplicate", widget=GovSubmitInput())


class StatusForm(BoundedForm):
    status = RadioField(
        "New status",
        widget=Radios(),
        validators=[InputRequired("Select a status")],
        choices=[SelectChoice(status.value, status.label) for status in MANUAL_STATUSES],
    )
    note = TextAreaField(
        "Note (optional)",
        widget=GovTextArea(),
        filters=[strip],
        validators=[Optional(), Length(max=500, message="Note must be 500 characters or fewer")],
    )
    submit = SubmitField("Change status", widget=GovSubmitInput())


class PoolForm(BoundedForm):
    submit = SubmitField("Move to the active pool", widget=GovSubmitInput())


class EditOfferForm(VersionedFormMixin, BoundedForm):
    description = TextAreaField(
        "Description",
        widget=GovTextArea(),
        filters=[strip],
        validators=[Optional(), Length(max=2000, message=("Description must be 2000 characters or fewer"))],
    )
    capacity = WholeNumberField(
        "Capacity",
        short_name="the capacity",
        minimum=1,
        maximum=MAX_OFFER_CAPACITY,
        description="Households for a home, places for lessons, pieces for goods",
    )
    cost = PoundsField(
        "Cost per unit",
        short_name="the cost per unit",
        maximum_pounds=MAX_OFFER_COST_PENCE // 100,
        description="0 for a donation. For paid offers, such as a paid tutor or a retailer",
    )
    available_from = GovDateField("Available from", short_name="The date it is available from", window=AVAILABILITY)
    available_until = GovDateField("Available until", short_name="The date it is available until", window=AVAILABILITY)
    postcode = StringField(
        "Postcode",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Optional(), Length(max=10, message="Postcode must be 10 characters or fewer"), valid_postcode],
    )
    address = StringField(
        "Address of the home",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired("Enter the address of the home"),
            Length(max=300, message="Address must be 300 characters or fewer"),
        ],
    )
    bedrooms = WholeNumberField("Bedrooms", short_name="the number of bedrooms", minimum=1, maximum=MAX_BEDROOMS)
    rent = PoundsField("Monthly rent", short_name="the monthly rent", maximum_pounds=MAX_RENT_PENCE // 100)
    step_free = YesNoField("Step-free access", validators=[InputRequired("Select yes if it has step-free access")])
    languages = SelectMultipleField(
        "Languages",
        widget=Checkboxes(),
        validators=[Optional()],
        choices=[SelectChoice(code, name) for code, name in LANGUAGES],
    )
    home_visit = YesNoField("Home visits", validators=[InputRequired("Select yes if they can visit at home")])
    halal = YesNoField("Halal", validators=[InputRequired("Select yes if the food is halal")])
    hours_per_week = WholeNumberField("Hours a week", short_name="the hours a week", minimum=1, maximum=40)
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    FORM_NAMES = {"cost_pence": "cost", "rent_pence": "rent"}

    def keep_only_for(self, offer: Offer) -> None:
        wanted = {self.FORM_NAMES.get(name, name) for name in editable_fields(offer)}
        for name in (
            "capacity",
            "address",
            "bedrooms",
            "rent",
            "step_free",
            "languages",
            "home_visit",
            "halal",
            "hours_per_week",
        ):
            if name not in wanted:
                delattr(self, name)


def edit_form_data(offer: Offer) -> dict[str, Any]:
    yes_no = yes_no_value
    return {
        "description": offer.description,
        "capacity": str(offer.capacity),
        "cost": f"{offer.cost_pence / 100:.2f}",
        "available_from": offer.available_from,
        "available_until": offer.available_until,
        "postcode": offer.postcode or "",
        "address": offer.address or "",
        "bedrooms": str(offer.bedrooms) if offer.bedrooms is not None else "",
        "rent": f"{offer.rent_pence / 100:.2f}" if offer.rent_pence is not None else "",
        "step_free": yes_no(offer.step_free),
        "languages": list(offer.languages or []),
        "home_visit": yes_no(offer.home_visit),
        "halal": yes_no(offer.halal),
        "hours_per_week": str(offer.hours_per_week) if offer.hours_per_week is not None else "",
    }
