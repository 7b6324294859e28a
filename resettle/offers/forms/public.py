"""The public offer form: the type of help first, then the questions for that type, then the offerer's details.

Field groups are small classes combined per type; fields are made by functions called in each class body,
so every form lists its fields (and its error summary) in the order the page shows them. Every text field
has a length limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, ValidationError

from resettle.bounds import AVAILABILITY, MAX_BEDROOMS, MAX_RENT_PENCE, parse_whole_number
from resettle.offers.forms.fields import (
    Checkboxes,
    PoundsField,
    Radios,
    WholeNumberField,
    YesNoField,
    blank_to_none,
    strip,
    valid_postcode,
)
from resettle.offers.models import DbsStatus, Handover, ItemCondition, LandlordType
from resettle.offers.rules import (
    CERTIFICATES,
    HOME_VISIT_CATEGORIES,
    LANGUAGE_LABELS,
    LANGUAGES,
    OFFER_TYPES,
    WORKS_WITH_FAMILIES,
)
from resettle.offers.services import ItemLine, OfferSubmission
from resettle.taxonomy import ITEM_KINDS, Category
from resettle.web.fields import CleanTextMeta, GovDateField
from resettle.web.forms import BoundedForm
from resettle.web.submissions import OneTimeSubmissionMixin

ITEM_ROWS = 5
DESCRIPTION_LIMIT = 2000


def offer_type_label(category: Category) -> str:
    return category.info.offer_label or category.label


class OfferTypeForm(BoundedForm):
    offer_type = RadioField(
        "What would you like to offer?",
        widget=Radios(),
        choices=[SelectChoice(category.value, offer_type_label(category)) for category in OFFER_TYPES],
        validators=[InputRequired("Select what you would like to offer")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


# Field makers: each call makes a new field, so its position follows the class body it is called in.
def _postcode(label: str, hint: str) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        description=hint,
        filters=[strip],
        validators=[
            InputRequired("Enter a postcode"),
            Length(max=10, message="Postcode must be 10 characters or fewer"),
            valid_postcode,
        ],
    )


def _description(label: str, hint: str, required: bool = False) -> TextAreaField:
    first = InputRequired("Describe what you are offering") if required else Optional()
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description=hint,
        filters=[strip],
        validators=[
            first,
            Length(
                max=DESCRIPTION_LIMIT, message=(f"{label.rstrip('?')} must be {DESCRIPTION_LIMIT} characters or fewer")
            ),
        ],
    )


def _available_from(required: bool = False) -> GovDateField:
    hint = "For example, 27 3 2027." + ("" if required else " Leave empty if it is available now.")
    return GovDateField(
        "When is it available from?",
        short_name="The date it is available from",
        required=required,
        description=hint,
        window=AVAILABILITY,
    )


def _available_until() -> GovDateField:
    return GovDateField(
        "When is it available until?",
        short_name="The date it is available until",
        description="For example, 30 9 2027. Leave empty if there is no end date.",
        window=AVAILABILITY,
    )


def _languages(label: str = "Which languages do you speak, other than English?") -> SelectMultipleField:
    return SelectMultipleField(
        label,
        widget=Checkboxes(),
        description="Select all that apply",
        choices=[SelectChoice(code, name) for code, name in LANGUAGES],
        validators=[Optional()],
    )


def _home_visit(label: str) -> YesNoField:
    return YesNoField(label, validators=[InputRequired("Select yes if you could visit the family at home")])


def _dbs_status() -> RadioField:
    return RadioField(
        "Do you have a DBS check?",
        widget=Radios(),
        description="Anyone who spends time with families needs an enhanced DBS check. If you do not have one, "
        "the council can arrange it.",
        choices=[SelectChoice(status.value, status.label) for status in DbsStatus],
        validators=[InputRequired("Select whether you have a DBS check")],
    )


class HousingFields:
    address = StringField(
        "Address of the home",
        widget=GovTextInput(),
        filters=[strip],
        description="House or flat number and street",
        validators=[
            InputRequired("Enter the address of the home"),
            Length(max=300, message="Address must be 300 characters or fewer"),
        ],
    )
    postcode = _postcode("Postcode", "For example, SE6 4RU")
    bedrooms = WholeNumberField(
        "How many bedrooms does it have?", short_name="the number of bedrooms", minimum=1, maximum=MAX_BEDROOMS
    )
    rent = PoundsField(
        "Monthly rent",
        short_name="the monthly rent",
        maximum_pounds=MAX_RENT_PENCE // 100,
        description="Families can usually pay up to the Local Housing Allowance rate for the area",
    )
    step_free = YesNoField(
        "Does it have step-free access?",
        description="Level or ramped entry, and a lift to any upper floor",
        validators=[InputRequired("Select yes if the home has step-free access")],
    )
    landlord_type = RadioField(
        "Who is offering the home?",
        widget=Radios(),
        choices=[SelectChoice(kind.value, kind.label) for kind in LandlordType],
        validators=[InputRequired("Select who is offering the home")],
    )
    certificates_held = SelectMultipleField(
        "Which safety certificates do you have?",
        widget=Checkboxes(),
        description="Select all that apply. We will ask to see them, and visit the home, before it is offered to a "
        "family.",
        choices=[SelectChoice(code, label) for code, label in CERTIFICATES],
        validators=[Optional()],
    )
    available_from = _available_from(required=True)
    available_until = _available_until()
    description = _description(
        "Anything else we should know about the home?",
        "For example, a garden, parking, or how close it is to schools and shops",
    )


def rent_hint(example_monthly_pence: int | None) -> str:
    """The rent question's hint, quoting today's 3-bedroom rate (rates are data, never written into code)."""
    hint = "Families can usually pay up to the Local Housing Allowance rate for the area"
    if example_monthly_pence is None:
        return hint
    return f"{hint}, for example £{example_monthly_pence / 100:,.2f} a month for 3 bedrooms in inner South East London"


class ItemLineForm(Form):
    """One line of a goods offer. Rows left empty are ignored."""

    class Meta(CleanTextMeta):
        pass

    kind = SelectField(
        "Item",
        widget=GovSelect(),
        validate_choice=False,
        choices=[SelectChoice("", "Choose an item")]
        + [SelectChoice(code, item.label) for code, item in ITEM_KINDS.items()],
    )
    quantity = WholeNumberField("How many", short_name="how many", minimum=1, maximum=50, required=False)
    condition = SelectField(
        "Condition",
        widget=GovSelect(),
        validate_choice=False,
        choices=[SelectChoice("", "Choose a condition")]
        + [SelectChoice(condition.value, condition.label) for condition in ItemCondition],
    )

    def validate_kind(self, field: Any) -> None:
        if field.data and field.data not in ITEM_KINDS:
            raise ValidationError("Select an item from the list")
        if not field.data and (self.quantity.data or self.condition.data):
            raise ValidationError("Select the item")

    def validate_quantity(self, field: Any) -> None:
        if self.kind.data and field.number is None and not field.errors:
            raise ValidationError("Enter how many")

    def validate_condition(self, field: Any) -> None:
        if field.data and field.data not in {condition.value for condition in ItemCondition}:
            raise ValidationError("Select the condition from the list")
        if self.kind.data and not field.data:
            raise ValidationError("Select the condition")


class GoodsFields:
    items = FieldList(FormField(ItemLineForm), min_entries=ITEM_ROWS, max_entries=ITEM_ROWS)
    handover = RadioField(
        "How would the items reach the family?",
        widget=Radios(),
        choices=[SelectChoice(way.value, way.label) for way in Handover],
        validators=[InputRequired("Select how the items would reach the family")],
    )
    postcode = _postcode("Postcode where the items are", "For example, SE13 5AB")
    available_from = _available_from()
    description = _description(
        "Anything else we should know about the items?",
        "For example, sizes, or whether furniture carries its fire safety labels",
    )


class TutoringFields:
    languages = _languages()
    capacity = WholeNumberField(
        "How many learners could you teach?", short_name="how many learners", minimum=1, maximum=30
    )
    hours_per_week = WholeNumberField(
        "How many hours a week could you give?", short_name="the hours a week", minimum=1, maximum=40
    )
    home_visit = _home_visit("Could you teach in the family's home?")
    dbs_status = _dbs_status()
    postcode = _postcode("Postcode where you live or would teach", "We use it only to find families near you")
    available_from = _available_from()
    available_until = _available_until()
    description = _description(
        "Tell us about your teaching", "For example, qualifications, experience, or levels you teach"
    )


class MealFields:
    halal = YesNoField("Is the food halal?", validators=[InputRequired("Select yes if the food is halal")])
    capacity = WholeNumberField(
        "How many families could you welcome?", short_name="how many families", minimum=1, maximum=50
    )
    postcode = _postcode("Postcode where the meal would be", "For example, the restaurant's postcode")
    available_from = _available_from()
    available_until = _available_until()
    description = _description(
        "Tell us about the meal", "For example, the days you could host, or dietary needs you can meet"
    )


class ServiceFields:
    description = _description(
        "What are you offering?", "For example, weekly football coaching for children aged 8 to 14", required=True
    )
    capacity = WholeNumberField(
        "How many families could you help?", short_name="how many families", minimum=1, maximum=50
    )
    languages = _languages()
    home_visit = _home_visit("Could you visit the family at home?")
    dbs_status = _dbs_status()
    postcode = _postcode("Postcode where you live or would meet", "We use it only to find families near you")
    available_from = _available_from()
    available_until = _available_until()


class OffererFields:
    offerer_name = StringField(
        "Your full name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired("Enter your full name"),
            Length(max=120, message="Your name must be 120 characters or fewer"),
        ],
    )
    organisation = StringField(
        "Organisation, business or group (optional)",
        widget=GovTextInput(),
        filters=[strip, blank_to_none],
        validators=[Optional(), Length(max=120, message=("Organisation must be 120 characters or fewer"))],
    )
    offerer_email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip],
        description="We will send your reference and a private link to this address",
        validators=[
            InputRequired("Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email("Enter an email address in the correct format, like name@example.com", check_deliverability=False),
        ],
    )
    offerer_phone = StringField(
        "Phone number (optional)",
        widget=GovTextInput(),
        filters=[strip, blank_to_none],
        validators=[
            Optional(),
            Length(max=30, message="Phone number must be 30 characters or fewer"),
            Regexp(r"^\+?[0-9 ()-]{7,}$", message=("Enter a phone number, like 020 7946 0000 or +44 7700 900 982")),
        ],
    )
    consent = BooleanField(
        "I agree that the council may keep these details and contact me about this offer",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Confirm that you agree to the council keeping your details")],
    )
    # Honeypot: hidden from people (and from screen readers); form-filling robots tend to complete it.
    website = StringField("Leave this field empty", filters=[strip], validators=[Length(max=200)])
    submit = SubmitField("Send offer", widget=GovSubmitInput())


class OfferForm(OneTimeSubmissionMixin, BoundedForm):
    category: Category

    @property
    def is_robot(self) -> bool:
        return bool(self.website.data)

    def validate_available_until(self, field: Any) -> None:
        start = getattr(self, "available_from", None)
        if field.data and start is not None and start.data and field.data < start.data:
            raise ValidationError("The date it is available until must be after the date it is available from")


class HousingOfferForm(OfferForm, HousingFields, OffererFields):
    pass


class GoodsOfferForm(OfferForm, GoodsFields, OffererFields):
    def validate_items(self, field: Any) -> None:
        if not any(row.form.kind.data for row in field):
            raise ValidationError("Select at least one item you are offering")


class TutoringOfferForm(OfferForm, TutoringFields, OffererFields):
    pass


class MealOfferForm(OfferForm, MealFields, OffererFields):
    pass


class ServiceOfferForm(OfferForm, ServiceFields, OffererFields):
    def __init__(self, *args: Any, category: Category, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if category not in HOME_VISIT_CATEGORIES:
            del self.home_visit
        if category not in WORKS_WITH_FAMILIES:
            del self.dbs_status


FORMS_BY_TYPE: dict[Category, type[OfferForm]] = {
    Category.HOUSING: HousingOfferForm,
    Category.FURNITURE: GoodsOfferForm,
    Category.ESOL: TutoringOfferForm,
    Category.MEAL: MealOfferForm,
}


def offer_form_for(
    category: Category, lha_example_pence: int | None = None, data: dict[str, Any] | None = None
) -> OfferForm:
    form_class = FORMS_BY_TYPE.get(category)
    form = form_class(data=data) if form_class is not None else ServiceOfferForm(category=category, data=data)
    form.category = category
    if isinstance(form, HousingOfferForm):
        form.rent.description = rent_hint(lha_example_pence)
    return form


def prefill_from(category: Category, args: Mapping[str, str]) -> dict[str, Any]:
    """The answers a /needed line links with (`/offer/housing?bedrooms=4&step_free=yes&rent=1650`), each kept
    only when it is a value the form itself accepts; anything else is ignored, never shown back."""
    data: dict[str, Any] = {}
    if category is Category.HOUSING:
        bedrooms = parse_whole_number((args.get("bedrooms") or "")[:3])
        if bedrooms is not None and 1 <= bedrooms <= MAX_BEDROOMS:
            data["bedrooms"] = str(bedrooms)
        rent = parse_whole_number((args.get("rent") or "")[:6])
        if rent is not None and 1 <= rent <= MAX_RENT_PENCE // 100:
            data["rent"] = str(rent)
        if args.get("step_free") in ("yes", "no"):
            data["step_free"] = args["step_free"]
    elif category is Category.FURNITURE:
        item = args.get("item") or ""
        if item in ITEM_KINDS:
            data["items"] = [{"kind": item}]
    elif category is Category.MEAL:
        if args.get("halal") in ("yes", "no"):
            data["halal"] = args["halal"]
    if category is Category.ESOL or category not in FORMS_BY_TYPE:  # the forms that ask for languages
        language = args.get("language") or ""
        if language in LANGUAGE_LABELS:
            data["languages"] = [language]
    return data


def _field(form: OfferForm, name: str) -> Any:
    return getattr(form, name, None)


def submission_from(form: OfferForm) -> OfferSubmission:
    """The validated answers as a service call's argument."""
    values: dict[str, Any] = {
        "category": form.category,
        "offerer_name": form.offerer_name.data,
        "offerer_email": form.offerer_email.data,
        "offerer_phone": form.offerer_phone.data,
        "organisation": form.organisation.data,
        "description": form.description.data or "",
        "postcode": form.postcode.data,
    }
    for name in ("available_from", "available_until"):
        if _field(form, name) is not None:
            values[name] = _field(form, name).data
    for name in ("capacity", "hours_per_week", "bedrooms"):
        if _field(form, name) is not None:
            values[name] = _field(form, name).number
    for name in ("home_visit", "halal", "step_free"):
        if _field(form, name) is not None:
            values[name] = _field(form, name).answer
    if _field(form, "languages") is not None:
        values["languages"] = list(form.languages.data or [])
    if _field(form, "dbs_status") is not None:
        values["dbs_status"] = DbsStatus(form.dbs_status.data)
    if isinstance(form, HousingOfferForm):
        values.update(
            address=form.address.data,
            rent_pence=form.rent.pence,
            landlord_type=LandlordType(form.landlord_type.data),
            certificates_held=list(form.certificates_held.data or []),
        )
    if isinstance(form, GoodsOfferForm):
        values["handover"] = Handover(form.handover.data)
        values["items"] = [
            ItemLine(row.form.kind.data, row.form.quantity.number or 1, ItemCondition(row.form.condition.data))
            for row in form.items
            if row.form.kind.data
        ]
        values["capacity"] = sum(line.quantity for line in values["items"])
    return OfferSubmission(**values)


class AvailabilityForm(BoundedForm):
    available_from = _available_from()
    available_until = _available_until()
    submit = SubmitField("Save dates", widget=GovSubmitInput())

    def validate_available_until(self, field: Any) -> None:
        if field.data and self.available_from.data and field.data < self.available_from.data:
            raise ValidationError("The date it is available until must be after the date it is available from")


class NewLinkForm(BoundedForm):
    reference = StringField(
        "Your offer's reference",
        widget=GovTextInput(),
        filters=[strip],
        description="It is in the email we sent, for example OF-7KQ2MX",
        validators=[
            InputRequired("Enter your offer's reference"),
            Length(max=16, message="Reference must be 16 characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip],
        description="The address you gave when you made the offer",
        validators=[
            InputRequired("Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    submit = SubmitField("Send me a new link", widget=GovSubmitInput())


class WithdrawForm(BoundedForm):
    reason = TextAreaField(
        "Why are you withdrawing it? (optional)",
        widget=GovTextArea(),
        filters=[strip],
        description="This helps us improve how we ask for help",
        validators=[Optional(), Length(max=500, message="Reason must be 500 characters or fewer")],
    )
    submit = SubmitField("Withdraw offer", widget=GovSubmitInput())
