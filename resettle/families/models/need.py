"""What a family needs, in the shape the matching engine reads (shared/matching/SPEC.md).

A Need maps onto one entry of the engine's `needs` list:

- `category` and `item` use the shared taxonomy (`resettle.taxonomy`), the same codes as offers; each
  category belongs to an Indicators of Integration domain (`Need.domain`).
- `units` is how much of an offer's capacity the need takes: households for housing, places for a class
  or club, pieces for goods.
- `priority` 1 (can wait) to 5 (urgent) and `needed_by` go across unchanged.
- The requirement columns become `requires` keys (see `Need.requires()`): `bedrooms_min`, `rent_max`
  (pence per month), `step_free`, `language`, `halal`, `home_visit`, `max_distance_km`, `item`. A column
  that is empty (or false, for yes/no requirements) is left out, which the engine reads as "no requirement",
  and so is one that does not apply to the category (`resettle.taxonomy.applicable_requirements`: halal only
  for food, step-free only for places people go to).
- For a housing need that `follows_bedroom_standard`, `bedrooms_min` and `rent_max` are computed from the
  household (bedroom standard) and the LHA rate for the family's BRMA, and recomputed as the household
  changes (`resettle.families.housing`).
- Only `open` needs go to the engine; `matched` means an offer is agreed, `met` that it was delivered.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resettle.auth.models import User
from resettle.db import UTCDateTime, utcnow
from resettle.extensions import Model
from resettle.families.models.columns import enum_column_type
from resettle.taxonomy import ITEM_KINDS, Category, IntegrationDomain, applicable_requirements

if TYPE_CHECKING:
    from resettle.families.models.family import Family, Member


class NeedStatus(enum.StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    MET = "met"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Need(Model):
    __tablename__ = "needs"
    __table_args__ = (
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_1_to_5"),
        CheckConstraint("units >= 1", name="units_positive"),
        CheckConstraint("bedrooms_min IS NULL OR bedrooms_min >= 0", name="bedrooms_min_not_negative"),
        CheckConstraint("rent_max IS NULL OR rent_max >= 0", name="rent_max_not_negative"),
        CheckConstraint("max_distance_km IS NULL OR max_distance_km > 0", name="max_distance_positive"),
        CheckConstraint("item IS NULL OR category IN ('furniture', 'household')", name="item_only_for_goods"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    # Counts saves: an edit form carries it and saves only over the version it was opened on (no lost updates).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1", info={"pii": "none"})
    __mapper_args__ = {"version_id_col": version}
    family_id: Mapped[int] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    # The member the need is for, when it is one person's (an ESOL place, a school place).
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("family_members.id", ondelete="SET NULL"), info={"pii": "none"}
    )
    category: Mapped[Category] = mapped_column(
        enum_column_type(Category, "need_category"), index=True, info={"pii": "none"}
    )
    item: Mapped[str | None] = mapped_column(String(32), info={"pii": "none"})
    description: Mapped[str] = mapped_column(Text, default="", info={"pii": "personal", "purpose": "casework"})
    units: Mapped[int] = mapped_column(Integer, default=1, info={"pii": "none"})
    priority: Mapped[int] = mapped_column(Integer, default=3, info={"pii": "none"})
    needed_by: Mapped[date | None] = mapped_column(Date, info={"pii": "none"})
    status: Mapped[NeedStatus] = mapped_column(
        enum_column_type(NeedStatus, "need_status"), default=NeedStatus.OPEN, index=True, info={"pii": "none"}
    )
    # Requirements (SPEC `requires` keys).
    bedrooms_min: Mapped[int | None] = mapped_column(Integer, info={"pii": "none"})
    rent_max: Mapped[int | None] = mapped_column(Integer, info={"pii": "none"})  # pence per month
    step_free: Mapped[bool] = mapped_column(Boolean, default=False, info={"pii": "special", "purpose": "casework"})
    language: Mapped[str | None] = mapped_column(String(60), info={"pii": "personal", "purpose": "casework"})
    halal: Mapped[bool] = mapped_column(Boolean, default=False, info={"pii": "special", "purpose": "casework"})
    home_visit: Mapped[bool] = mapped_column(Boolean, default=False, info={"pii": "none"})
    max_distance_km: Mapped[float | None] = mapped_column(Float, info={"pii": "none"})
    # Housing: bedrooms and rent come from the bedroom standard and LHA rate and follow household changes.
    follows_bedroom_standard: Mapped[bool] = mapped_column(Boolean, default=False, info={"pii": "none"})
    raised_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, info={"pii": "none"})
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})

    family: Mapped[Family] = relationship(back_populates="needs")
    member: Mapped[Member | None] = relationship()
    raised_by: Mapped[User | None] = relationship()

    @property
    def domain(self) -> IntegrationDomain:
        return self.category.info.domain

    @property
    def item_label(self) -> str:
        return ITEM_KINDS[self.item].label if self.item in ITEM_KINDS else ""

    @property
    def title(self) -> str:
        return self.title_of(self.category, self.item)

    @staticmethod
    def title_of(category: Category, item: str | None) -> str:
        """`title` from the need's columns (for exports that read plain columns)."""
        return f"{category.label}: {ITEM_KINDS[item].label if item in ITEM_KINDS else ''}" if item else category.label

    def requires(self) -> dict[str, Any]:
        """The engine's `requires` object: only the requirements that are set and apply to the category."""
        return need_requires(self)

    def as_problem_need(self, need_id: str, family_id: str) -> dict[str, Any]:
        """This need as an entry of the engine's `needs` list."""
        return problem_need(self, need_id, family_id)

    def __repr__(self) -> str:
        return f"<Need {self.id} {self.category} {self.status}>"


# The columns a need's engine entry is made of: the problem builder reads these as rows, not whole records.
NEED_FIELDS = (
    Need.id,
    Need.family_id,
    Need.category,
    Need.priority,
    Need.units,
    Need.needed_by,
    Need.bedrooms_min,
    Need.rent_max,
    Need.step_free,
    Need.halal,
    Need.home_visit,
    Need.language,
    Need.max_distance_km,
    Need.item,
)


def need_requires(need: Any) -> dict[str, Any]:
    """The `requires` object of a need (a record, or a row of NEED_FIELDS)."""
    requires: dict[str, Any] = {}
    if need.bedrooms_min is not None:
        requires["bedrooms_min"] = need.bedrooms_min
    if need.rent_max is not None:
        requires["rent_max"] = need.rent_max
    for flag in ("step_free", "halal", "home_visit"):
        if getattr(need, flag):
            requires[flag] = True
    if need.language:
        requires["language"] = need.language
    if need.max_distance_km is not None:
        requires["max_distance_km"] = need.max_distance_km
    if need.item:
        requires["item"] = need.item
    return applicable_requirements(need.category, requires)


def problem_need(need: Any, need_id: str, family_id: str) -> dict[str, Any]:
    """A need (a record, or a row of NEED_FIELDS) as an entry of the engine's `needs` list."""
    return {
        "id": need_id,
        "family": family_id,
        "category": need.category.value,
        "priority": need.priority,
        "units": need.units,
        "needed_by": need.needed_by.isoformat() if need.needed_by else None,
        "requires": need_requires(need),
    }
