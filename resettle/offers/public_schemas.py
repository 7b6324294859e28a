"""The public offer form as JSON (`POST /api/v1/public/offers`) and the `/needed` figures
(`GET /api/v1/public/needed`).

The schema says what shape the JSON has (for the OpenAPI document and for type errors); the answers are then
checked by the very form the public pages use (resettle/offers/forms/public.py), so the API accepts and refuses
exactly what the form does, with the same messages, and the same service saves the offer and sends the email.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from werkzeug.datastructures import MultiDict

from resettle.offers.forms.public import (
    DESCRIPTION_LIMIT,
    FORMS_BY_TYPE,
    ITEM_ROWS,
    OfferForm,
    ServiceOfferForm,
    offer_type_label,
)
from resettle.offers.rules import OFFER_TYPES
from resettle.taxonomy import Category

OFFER_TYPE_VALUES = [category.value for category in OFFER_TYPES]
# JSON names that differ from the form's.
FORM_NAMES = {"rent_pence": "rent"}
JSON_NAMES = {form: json for json, form in FORM_NAMES.items()}
YES_NO_FIELDS = ("step_free", "home_visit", "halal")
NUMBER_FIELDS = ("bedrooms", "capacity", "hours_per_week")
DATE_FIELDS = ("available_from", "available_until")
LIST_FIELDS = ("languages", "certificates_held")
TEXT_FIELDS = (
    "offerer_name",
    "offerer_email",
    "offerer_phone",
    "organisation",
    "postcode",
    "description",
    "address",
    "landlord_type",
    "handover",
    "dbs_status",
    "website",
)


class PublicOfferItemSchema(Schema):
    kind = fields.String(
        required=True,
        validate=validate.Length(max=40),
        metadata={"description": "An item code, as on the form (bed, cot, sofa…)"},
    )
    quantity = fields.Integer(strict=True, load_default=1, metadata={"description": "How many, 1 to 50"})
    condition = fields.String(
        required=True, validate=validate.Length(max=40), metadata={"description": "new, as_new, good or fair"}
    )


class PublicOfferSchema(Schema):
    """What someone offering help sends; which fields are asked depends on `offer_type`, as on the form."""

    offer_type = fields.String(
        required=True,
        validate=validate.OneOf(OFFER_TYPE_VALUES, error="Choose an offer type from the list"),
        metadata={"description": "What is offered: " + ", ".join(OFFER_TYPE_VALUES)},
    )
    offerer_name = fields.String(required=True, validate=validate.Length(max=120))
    offerer_email = fields.String(required=True, validate=validate.Length(max=254))
    offerer_phone = fields.String(allow_none=True, validate=validate.Length(max=30))
    organisation = fields.String(allow_none=True, validate=validate.Length(max=120))
    consent = fields.Boolean(
        required=True,
        metadata={"description": "true: the council may keep these details and contact the person about the offer"},
    )
    # The form's honeypot: people never fill it in. A request that does is answered as if accepted, and dropped.
    website = fields.String(load_default="", validate=validate.Length(max=200), metadata={"description": "Leave empty"})
    postcode = fields.String(allow_none=True, validate=validate.Length(max=10))
    description = fields.String(allow_none=True, validate=validate.Length(max=DESCRIPTION_LIMIT))
    available_from = fields.Date(allow_none=True)
    available_until = fields.Date(allow_none=True)
    # Housing
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    bedrooms = fields.Integer(strict=True, allow_none=True)
    rent_pence = fields.Integer(strict=True, allow_none=True, metadata={"description": "Monthly rent in pence"})
    step_free = fields.Boolean(allow_none=True)
    landlord_type = fields.String(allow_none=True, validate=validate.Length(max=40))
    certificates_held = fields.List(fields.String(validate=validate.Length(max=40)), allow_none=True)
    # Furniture and household goods
    items = fields.List(
        fields.Nested(PublicOfferItemSchema),
        validate=validate.Length(max=ITEM_ROWS, error=f"Offer at most {ITEM_ROWS} kinds of item at a time"),
        allow_none=True,
    )
    handover = fields.String(
        allow_none=True, validate=validate.Length(max=40), metadata={"description": "collection or delivery"}
    )
    # Lessons, meals and other services
    languages = fields.List(fields.String(validate=validate.Length(max=40)), allow_none=True)
    capacity = fields.Integer(strict=True, allow_none=True)
    hours_per_week = fields.Integer(strict=True, allow_none=True)
    home_visit = fields.Boolean(allow_none=True)
    dbs_status = fields.String(allow_none=True, validate=validate.Length(max=40))
    halal = fields.Boolean(allow_none=True)

    @validates_schema
    def only_asked_fields(self, data: dict[str, Any], **kwargs: Any) -> None:
        """A field the form for this type does not ask is refused, rather than silently dropped."""
        offer_type = data.get("offer_type")
        if offer_type not in OFFER_TYPE_VALUES:
            return
        form = offer_form_for_data(Category(offer_type), MultiDict())
        asked = {JSON_NAMES.get(name, name) for name in form._fields}
        extra = sorted(name for name in data if name != "offer_type" and name not in asked)
        if extra:
            label = offer_type_label(Category(offer_type)).lower()
            raise ValidationError({name: [f"Not asked for this type of offer ({label})"] for name in extra})


class OfferReceivedSchema(Schema):
    reference = fields.String(metadata={"description": "The offer's reference, also emailed to the person"})
    status = fields.String(metadata={"description": "'submitted'"})
    message = fields.String()


class NeededLineSchema(Schema):
    offer_type = fields.String(metadata={"description": "The offer type that answers it (offer_type above)"})
    text = fields.String(metadata={"description": "What is needed, as the /needed page says it"})
    families = fields.Integer(metadata={"description": "About how many families: rounded to 5, never below 5"})


class NeededSchema(Schema):
    lines = fields.List(fields.Nested(NeededLineSchema))
    minimum_families = fields.Integer(
        metadata={"description": "A need is listed only when at least this many families share it"}
    )


def offer_form_for_data(category: Category, formdata: MultiDict[str, Any]) -> OfferForm:
    """The public form for this type, filled from `formdata`, with no CSRF token (the API has no cookies)."""
    meta = {"csrf": False}
    form_class = FORMS_BY_TYPE.get(category)
    if form_class is not None:
        form = form_class(formdata=formdata, meta=meta)
    else:
        form = ServiceOfferForm(formdata=formdata, meta=meta, category=category)
    form.category = category
    return form


def _pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def _answer_pairs(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Text, yes or no, numbers and money, as typed into the form."""
    pairs = [(name, str(data[name])) for name in TEXT_FIELDS if data.get(name) is not None]
    if data.get("consent"):
        pairs.append(("consent", "y"))
    pairs += [(name, "yes" if data[name] else "no") for name in YES_NO_FIELDS if data.get(name) is not None]
    pairs += [(name, str(data[name])) for name in NUMBER_FIELDS if data.get(name) is not None]
    if data.get("rent_pence") is not None:
        pairs.append(("rent", _pounds(int(data["rent_pence"]))))
    return pairs


def _choice_pairs(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Dates as the form's day, month and year boxes; lists as repeated values; items as the form's rows."""
    pairs: list[tuple[str, str]] = []
    for name in DATE_FIELDS:
        value = data.get(name)
        if isinstance(value, date):
            pairs += [(name, str(value.day)), (name, str(value.month)), (name, str(value.year))]
    for name in LIST_FIELDS:
        pairs += [(name, str(value)) for value in data.get(name) or []]
    for index, item in enumerate(data.get("items") or []):
        pairs += [
            (f"items-{index}-kind", str(item.get("kind", ""))),
            (f"items-{index}-quantity", str(item.get("quantity", 1))),
            (f"items-{index}-condition", str(item.get("condition", ""))),
        ]
    return pairs


def formdata_from(data: Mapping[str, Any]) -> MultiDict[str, Any]:
    """The JSON answers as the form would receive them from a browser."""
    return MultiDict(_answer_pairs(data) + _choice_pairs(data))


def form_errors(form: OfferForm) -> dict[str, Any]:
    """The form's messages by JSON field name; an item's by its position: {"items": {"0": {"kind": [...]}}}."""
    errors: dict[str, Any] = {}
    for name, messages in form.errors.items():
        key = JSON_NAMES.get(str(name), str(name))
        if name == "items" and isinstance(messages, list):
            rows = {str(i): row for i, row in enumerate(messages) if isinstance(row, dict) and row}
            texts = [message for message in messages if isinstance(message, str)]
            errors[key] = rows or texts
        else:
            errors[key] = list(messages) if isinstance(messages, list | tuple) else [str(messages)]
    return errors
