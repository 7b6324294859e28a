"""Forms for entering spend, uploading receipts and reviewing."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from resettle.bounds import CASE_PAST, CASE_PLANNED
from resettle.funding.forms.fields import PoundsField
from resettle.funding.forms.widgets import LongSelect
from resettle.funding.spend_models import SpendStatus
from resettle.web.fields import GovDateField
from resettle.web.forms import BoundedForm
from resettle.web.submissions import OneTimeSubmissionMixin


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class SpendLineForm(OneTimeSubmissionMixin, BoundedForm):
    family = SelectField("Family", widget=LongSelect(), validators=[InputRequired("Select the family")])
    need = SelectField("Need it meets (optional)", widget=GovSelect(), validators=[Optional()], validate_choice=False)
    expense_category = SelectField(
        "What was bought", widget=GovSelect(), validators=[InputRequired("Select what was bought")]
    )
    item_description = StringField(
        "Description",
        widget=GovTextInput(),
        filters=[_strip],
        description="For example, the make and model, or the course name",
        validators=[
            InputRequired("Enter a description"),
            Length(max=200, message="Description must be 200 characters or fewer"),
        ],
    )
    amount = PoundsField("Amount in pounds", validators=[InputRequired("Enter the amount")])
    payee = StringField(
        "Paid to",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            InputRequired("Enter who was paid"),
            Length(max=120, message="Paid to must be 120 characters or fewer"),
        ],
    )
    spend_date = GovDateField(
        "Date of purchase", window=CASE_PAST, validators=[InputRequired("Enter the date of purchase")]
    )
    stream = SelectField("Funding stream", widget=GovSelect(), validators=[InputRequired("Select a funding stream")])
    agreement_reference = StringField(
        "Home Office agreement reference",
        widget=GovTextInput(),
        filters=[_strip],
        description="Needed for exceptional costs, which the Home Office must agree "
        "in writing before they are incurred",
        validators=[Optional(), Length(max=100, message="Reference must be 100 characters or fewer")],
    )
    submit = SubmitField("Save as draft", widget=GovSubmitInput())


class ReceiptForm(BoundedForm):
    receipt = FileField(
        "Upload a receipt",
        widget=GovFileInput(),
        description="PDF, JPG or PNG, smaller than 5MB",
        validators=[InputRequired("Select a receipt")],
    )
    upload = SubmitField("Upload receipt", widget=GovSubmitInput())


class ActionForm(BoundedForm):
    """A button that posts: submit for review, remove a receipt."""

    submit_for_review = SubmitField("Submit for review", widget=GovSubmitInput())


class ApproveForm(BoundedForm):
    note = StringField(
        "Reviewer's note",
        widget=GovTextArea(),
        filters=[_strip],
        description="Needed for items the scheme pays for only with approval",
        validators=[Optional(), Length(max=1000, message="Note must be 1000 characters or fewer")],
    )
    # Asked only when the line is for a need still open or matched (see spend_line.html).
    need_met = RadioField(
        "Is the need now met?",
        choices=[SelectChoice("yes", "Yes, mark the need as met"), SelectChoice("no", "No, the need stays open")],
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    approve = SubmitField("Approve", widget=GovSubmitInput())


class RejectForm(BoundedForm):
    reason = StringField(
        "Reason for rejecting",
        widget=GovTextArea(),
        filters=[_strip],
        validators=[
            InputRequired("Enter the reason for rejecting this spend"),
            Length(max=1000, message="Reason must be 1000 characters or fewer"),
        ],
    )
    reject = SubmitField("Reject", widget=GovSubmitInput())


DECISION_CHOICES = [
    SelectChoice("approve", "Approve the selected spend"),
    SelectChoice("reject", "Reject the selected spend"),
]


class BulkDecisionForm(BoundedForm):
    decision = RadioField(
        "Decision",
        widget=GovRadioInput(),
        choices=DECISION_CHOICES,
        validators=[InputRequired("Select approve or reject")],
    )
    text = StringField(
        "Note or reason",
        widget=GovTextArea(),
        filters=[_strip],
        description="A note for approvals (needed for items that need approval), or the reason for rejections",
        validators=[Optional(), Length(max=1000, message="Note must be 1000 characters or fewer")],
    )
    submit = SubmitField("Apply to selected spend", widget=GovSubmitInput())


# The review queue's statuses: committed lines are not in it until they are submitted.
STATUS_CHOICES = [SelectChoice("", "Any status")] + [
    SelectChoice(s.value, s.label) for s in SpendStatus if s is not SpendStatus.COMMITTED
]


class SpendFilterForm(BoundedForm):
    """A GET form: bookmarkable, and it changes nothing, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField("Status", widget=GovSelect(), choices=STATUS_CHOICES, validators=[Optional()])
    scheme = SelectField("Scheme", widget=GovSelect(), validators=[Optional()], validate_choice=False)
    stream = SelectField("Stream", widget=GovSelect(), validators=[Optional()], validate_choice=False)
    family = StringField(
        "Family reference",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[Optional(), Length(max=16, message="Family reference must be 16 characters or fewer")],
    )
    search = StringField(
        "Search",
        description="Spend, family or offer reference, or the item",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[Optional(), Length(max=100, message="Search must be 100 characters or fewer")],
    )
    needs_approval = BooleanField("Only items that need approval", widget=GovCheckboxInput())
    submitted_from = GovDateField("Submitted from", validators=[Optional()])
    submitted_to = GovDateField("Submitted up to", validators=[Optional()])
    apply = SubmitField("Apply filters", widget=GovSubmitInput())


class ClaimBatchForm(BoundedForm):
    scheme = SelectField("Scheme", widget=GovSelect(), validators=[InputRequired("Select the scheme to claim for")])
    period_end = GovDateField(
        "Include spend dated up to",
        short_name="The last date to include",
        window=CASE_PLANNED,
        validators=[InputRequired("Enter the last date to include")],
    )
    # The preview's lines ("count:total pence"): confirming creates the batch only if they are still the same.
    previewed = HiddenField()
    submit = SubmitField("Preview the claim", widget=GovSubmitInput())
    confirm = SubmitField("Create claim batch", widget=GovSubmitInput())
