"""Community offers: what a resident, landlord, faith group or business offers, its checks and its history.

One `Offer` per form submission. Goods offers list their items in `OfferItem` (each item line becomes one
offer for the matching engine, with its own item code and quantity). `OfferEvent` is the offer's own
history, shown to staff: every status change and edit with who made it and when (the audit log has the
same facts for administrators).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resettle.db import UTCDateTime, new_public_id, utcnow
from resettle.extensions import Model
from resettle.taxonomy import ITEM_KINDS, Category


def _values(enum_class: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_class]


def _enum(enum_class: type[enum.Enum], name: str) -> Enum:
    return Enum(enum_class, name=name, values_callable=_values, validate_strings=True)


class OfferStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    MATCHED = "matched"
    FULFILLED = "fulfilled"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def tag_class(self) -> str:
        return {
            "submitted": "govuk-tag--blue",
            "verified": "govuk-tag--green",
            "matched": "govuk-tag--turquoise",
            "fulfilled": "govuk-tag--purple",
            "withdrawn": "govuk-tag--grey",
            "rejected": "govuk-tag--red",
            "expired": "govuk-tag--orange",
        }[self.value]


class LandlordType(enum.StrEnum):
    PRIVATE = "private"
    LETTING_AGENT = "letting_agent"
    HOUSING_ASSOCIATION = "housing_association"
    FAITH_OR_COMMUNITY = "faith_or_community"
    BUSINESS = "business"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "private": "Private landlord (an individual)",
            "letting_agent": "Letting agent acting for a landlord",
            "housing_association": "Housing association",
            "faith_or_community": "Faith or community group",
            "business": "Business or company",
            "other": "Other",
        }[self.value]


class DbsStatus(enum.StrEnum):
    ENHANCED_BARRED = "enhanced_barred"
    ENHANCED = "enhanced"
    BASIC = "basic"
    APPLIED = "applied"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            "enhanced_barred": "Enhanced check with barred list",
            "enhanced": "Enhanced check",
            "basic": "Basic check",
            "applied": "Applied for, not received yet",
            "none": "No DBS check",
        }[self.value]


class Handover(enum.StrEnum):
    COLLECTION = "collection"
    DELIVERY = "delivery"
    EITHER = "either"

    @property
    def label(self) -> str:
        return {
            "collection": "The items need to be collected from me",
            "delivery": "I can deliver the items",
            "either": "Either",
        }[self.value]


class ItemCondition(enum.StrEnum):
    NEW = "new"
    AS_NEW = "as_new"
    GOOD = "good"
    FAIR = "fair"

    @property
    def label(self) -> str:
        return {"new": "New", "as_new": "As new", "good": "Good, lightly used", "fair": "Fair, some wear"}[self.value]


EPC_RATINGS = ("A", "B", "C", "D", "E", "F", "G")
TITLE_LENGTH = 60


def offer_title(category: Category, bedrooms: int | None, items: Sequence[tuple[int, str]], description: str) -> str:
    """`Offer.title` from the offer's columns and its items as (quantity, item kind), in the items' order: for
    exports that read plain columns rather than offers."""
    if category is Category.HOUSING and bedrooms is not None:
        return f"{bedrooms}-bedroom home"
    if items:
        return ", ".join(f"{quantity} × {ITEM_KINDS[kind].label}" for quantity, kind in items)
    if description:
        # The offerer's own words say best what it is; shortened for lists and email subjects' bodies.
        first_line = description.strip().splitlines()[0]
        return first_line if len(first_line) <= TITLE_LENGTH else first_line[: TITLE_LENGTH - 1].rstrip() + "…"
    return category.info.offer_label or category.label


class Offer(Model):
    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("cost_pence >= 0", name="cost_not_negative"),
        CheckConstraint(
            "available_until IS NULL OR available_from IS NULL OR available_until >= available_from",
            name="available_dates_in_order",
        ),
        CheckConstraint("bedrooms IS NULL OR (bedrooms >= 0 AND bedrooms <= 12)", name="bedrooms_range"),
        CheckConstraint("rent_pence IS NULL OR rent_pence >= 0", name="rent_not_negative"),
        CheckConstraint(
            "hours_per_week IS NULL OR (hours_per_week >= 1 AND hours_per_week <= 60)", name="hours_per_week_range"
        ),
        CheckConstraint(
            "epc_rating IS NULL OR epc_rating IN ('A', 'B', 'C', 'D', 'E', 'F', 'G')", name="epc_rating_known"
        ),
        CheckConstraint("duplicate_of_id IS NULL OR duplicate_of_id <> id", name="not_duplicate_of_itself"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    # Counts saves: an edit form carries it and saves only over the version it was opened on (no lost updates).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1", info={"pii": "none"})
    __mapper_args__ = {"version_id_col": version}
    # In the offerer's private link and the confirmation page address: unguessable.
    public_id: Mapped[str] = mapped_column(
        String(32), unique=True, default=new_public_id, info={"pii": "personal", "purpose": "community offers"}
    )
    # Short, readable, quoted on the phone and in emails; gives no access by itself.
    reference: Mapped[str] = mapped_column(String(16), unique=True, info={"pii": "none"})
    category: Mapped[Category] = mapped_column(_enum(Category, "offer_category"), index=True, info={"pii": "none"})
    status: Mapped[OfferStatus] = mapped_column(
        _enum(OfferStatus, "offer_status"), default=OfferStatus.SUBMITTED, index=True, info={"pii": "none"}
    )
    # Not needed now: kept, kindly, on a waiting list instead of the pool that matching draws from.
    on_waiting_list: Mapped[bool] = mapped_column(Boolean, default=False, info={"pii": "none"})

    offerer_name: Mapped[str] = mapped_column(String(120), info={"pii": "personal", "purpose": "community offers"})
    organisation: Mapped[str | None] = mapped_column(
        String(120), info={"pii": "personal", "purpose": "community offers"}
    )
    offerer_email: Mapped[str] = mapped_column(
        String(254), index=True, info={"pii": "personal", "purpose": "community offers"}
    )
    offerer_phone: Mapped[str | None] = mapped_column(
        String(30), info={"pii": "personal", "purpose": "community offers"}
    )
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, info={"pii": "personal", "purpose": "community offers"})
    description: Mapped[str] = mapped_column(Text, default="", info={"pii": "personal", "purpose": "community offers"})

    # What the matching engine reads (../shared/matching/SPEC.md).
    capacity: Mapped[int] = mapped_column(Integer, default=1, info={"pii": "none"})  # households, places or families
    cost_pence: Mapped[int] = mapped_column(
        Integer, default=0, info={"pii": "none"}
    )  # per unit; 0 for donations, set by staff
    available_from: Mapped[date | None] = mapped_column(Date, info={"pii": "none"})
    available_until: Mapped[date | None] = mapped_column(Date, info={"pii": "none"})
    postcode: Mapped[str | None] = mapped_column(String(8), info={"pii": "personal", "purpose": "community offers"})
    latitude: Mapped[float | None] = mapped_column(Float, info={"pii": "personal", "purpose": "community offers"})
    longitude: Mapped[float | None] = mapped_column(Float, info={"pii": "personal", "purpose": "community offers"})
    languages: Mapped[list[str]] = mapped_column(JSON, default=list, info={"pii": "none"})
    home_visit: Mapped[bool | None] = mapped_column(Boolean, info={"pii": "none"})
    halal: Mapped[bool | None] = mapped_column(Boolean, info={"pii": "none"})
    hours_per_week: Mapped[int | None] = mapped_column(Integer, info={"pii": "none"})
    handover: Mapped[Handover | None] = mapped_column(_enum(Handover, "offer_handover"), info={"pii": "none"})

    # Housing.
    address: Mapped[str | None] = mapped_column(String(300), info={"pii": "personal", "purpose": "community offers"})
    bedrooms: Mapped[int | None] = mapped_column(Integer, info={"pii": "none"})
    rent_pence: Mapped[int | None] = mapped_column(Integer, info={"pii": "none"})  # a month
    step_free: Mapped[bool | None] = mapped_column(Boolean, info={"pii": "none"})
    landlord_type: Mapped[LandlordType | None] = mapped_column(
        _enum(LandlordType, "offer_landlord_type"), info={"pii": "none"}
    )
    certificates_held: Mapped[list[str]] = mapped_column(
        JSON, default=list, info={"pii": "none"}
    )  # as the landlord told us

    # Checks staff record when they verify (domain.md §2.3 for homes; DBS for anyone working with families).
    has_gas_supply: Mapped[bool | None] = mapped_column(Boolean, info={"pii": "none"})
    gas_safety_checked_on: Mapped[date | None] = mapped_column(Date, info={"pii": "none"})
    electrical_report_on: Mapped[date | None] = mapped_column(Date, info={"pii": "none"})
    epc_rating: Mapped[str | None] = mapped_column(String(1), info={"pii": "none"})
    smoke_alarms_every_storey: Mapped[bool | None] = mapped_column(Boolean, info={"pii": "none"})
    co_alarm_where_needed: Mapped[bool | None] = mapped_column(Boolean, info={"pii": "none"})
    inspected_on: Mapped[date | None] = mapped_column(Date, info={"pii": "none"})
    dbs_status: Mapped[DbsStatus | None] = mapped_column(
        _enum(DbsStatus, "offer_dbs_status"), info={"pii": "special", "purpose": "community offers"}
    )
    dbs_expires_on: Mapped[date | None] = mapped_column(
        Date, index=True, info={"pii": "special", "purpose": "community offers"}
    )
    # The expiry date staff were last told about, so the daily job flags each expiry once.
    dbs_expiry_flagged_for: Mapped[date | None] = mapped_column(Date, info={"pii": "none"})
    # The end date the offerer was last reminded about, so the daily job reminds once per end date.
    extension_reminder_sent_for: Mapped[date | None] = mapped_column(Date, info={"pii": "none"})

    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("offers.id", ondelete="SET NULL"), info={"pii": "none"}
    )
    rejection_reason: Mapped[str | None] = mapped_column(
        String(500), info={"pii": "personal", "purpose": "community offers"}
    )
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True, info={"pii": "none"})
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, info={"pii": "none"})

    # A legal hold stops erasure and the retention job; erased_at marks an offer whose offerer was anonymised.
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False, info={"pii": "none"})
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})

    items: Mapped[list[OfferItem]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="OfferItem.id"
    )
    events: Mapped[list[OfferEvent]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="OfferEvent.id"
    )
    duplicate_of: Mapped[Offer | None] = relationship(remote_side=[id])

    @property
    def location(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    @property
    def title(self) -> str:
        """A one-line description for lists and emails (no personal details)."""
        return offer_title(
            self.category, self.bedrooms, [(item.quantity, item.item_kind) for item in self.items], self.description
        )

    def __repr__(self) -> str:
        return f"<Offer {self.reference} {self.category} {self.status}>"


class OfferItem(Model):
    __tablename__ = "offer_items"
    __table_args__ = (
        CheckConstraint("quantity >= 1 AND quantity <= 50", name="quantity_range"),
        CheckConstraint("item_kind IN (" + ", ".join(f"'{code}'" for code in ITEM_KINDS) + ")", name="item_kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True, info={"pii": "none"})
    item_kind: Mapped[str] = mapped_column(String(32), info={"pii": "none"})
    quantity: Mapped[int] = mapped_column(Integer, default=1, info={"pii": "none"})
    condition: Mapped[ItemCondition] = mapped_column(_enum(ItemCondition, "offer_item_condition"), info={"pii": "none"})

    offer: Mapped[Offer] = relationship(back_populates="items")

    @property
    def kind_label(self) -> str:
        return ITEM_KINDS[self.item_kind].label

    @property
    def category(self) -> Category:
        return ITEM_KINDS[self.item_kind].category


class OfferEvent(Model):
    """One change to an offer: who (a staff member, the offerer through their link, or a scheduled job) and when."""

    __tablename__ = "offer_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True, info={"pii": "none"})
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    action: Mapped[str] = mapped_column(String(40), info={"pii": "none"})
    from_status: Mapped[OfferStatus | None] = mapped_column(_enum(OfferStatus, "offer_status"), info={"pii": "none"})
    to_status: Mapped[OfferStatus | None] = mapped_column(_enum(OfferStatus, "offer_status"), info={"pii": "none"})
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    actor_label: Mapped[str] = mapped_column(String(120), info={"pii": "personal", "purpose": "community offers"})
    note: Mapped[str] = mapped_column(String(1000), default="", info={"pii": "personal", "purpose": "community offers"})

    offer: Mapped[Offer] = relationship(back_populates="events")
