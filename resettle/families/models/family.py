"""A resettled family, its members and the records kept about them.

Health notes are special category data (UK GDPR Art. 9): they live in their own table, are never loaded
with a member, and only caseworkers read them (see `resettle.families.health`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resettle.auth.models import User
from resettle.db import UTCDateTime, utcnow
from resettle.extensions import Model
from resettle.families.models.columns import enum_column_type, new_family_reference
from resettle.search import trigram_index

if TYPE_CHECKING:
    from resettle.families.models.need import Need
    from resettle.families.models.task import Task


class Scheme(enum.StrEnum):
    VPRS = "VPRS"
    VCRS = "VCRS"
    UKRS = "UKRS"
    ARP = "ARP"
    HFU = "HFU"
    CS = "CS"

    @property
    def label(self) -> str:
        return SCHEME_LABELS[self]


SCHEME_LABELS = {
    Scheme.VPRS: "Syrian Vulnerable Persons Resettlement Scheme (VPRS)",
    Scheme.VCRS: "Vulnerable Children's Resettlement Scheme (VCRS)",
    Scheme.UKRS: "UK Resettlement Scheme (UKRS)",
    Scheme.ARP: "Afghan Resettlement Programme (ARP)",
    Scheme.HFU: "Homes for Ukraine (HFU)",
    Scheme.CS: "Community Sponsorship (CS)",
}


class FamilyStatus(enum.StrEnum):
    REFERRED = "referred"
    ARRIVING = "arriving"
    ARRIVED = "arrived"
    MOVED_ON = "moved_on"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            "referred": "Referred",
            "arriving": "Arriving",
            "arrived": "Arrived",
            "moved_on": "Moved on",
            "closed": "Closed",
        }[self.value]


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Relationship(enum.StrEnum):
    """Relationship to the principal applicant. The applicant and a partner make the couple of the
    bedroom standard."""

    APPLICANT = "applicant"
    PARTNER = "partner"
    CHILD = "child"
    GRANDCHILD = "grandchild"
    PARENT = "parent"
    SIBLING = "sibling"
    OTHER_RELATIVE = "other_relative"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "applicant": "Principal applicant",
            "partner": "Partner or spouse",
            "child": "Son or daughter",
            "grandchild": "Grandchild",
            "parent": "Parent",
            "sibling": "Brother or sister",
            "other_relative": "Other relative",
            "other": "Other",
        }[self.value]


class EnglishLevel(enum.StrEnum):
    """ESOL levels, as an assessment would record them."""

    NOT_ASSESSED = "not_assessed"
    PRE_ENTRY = "pre_entry"
    ENTRY_1 = "entry_1"
    ENTRY_2 = "entry_2"
    ENTRY_3 = "entry_3"
    LEVEL_1 = "level_1"
    LEVEL_2 = "level_2"
    FLUENT = "fluent"

    @property
    def label(self) -> str:
        return {
            "not_assessed": "Not assessed yet",
            "pre_entry": "Pre-entry",
            "entry_1": "Entry 1",
            "entry_2": "Entry 2",
            "entry_3": "Entry 3",
            "level_1": "Level 1",
            "level_2": "Level 2",
            "fluent": "Fluent",
        }[self.value]


class MemberActivity(enum.StrEnum):
    """School or work status."""

    PRE_SCHOOL = "pre_school"
    NURSERY = "nursery"
    SCHOOL = "school"
    COLLEGE = "college"
    EMPLOYED = "employed"
    SEEKING_WORK = "seeking_work"
    NOT_WORKING = "not_working"
    RETIRED = "retired"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            "pre_school": "Not yet at nursery or school",
            "nursery": "Nursery or early years",
            "school": "At school",
            "college": "College or university",
            "employed": "In work",
            "seeking_work": "Looking for work",
            "not_working": "Not working",
            "retired": "Retired",
            "unknown": "Not known yet",
        }[self.value]


class ConsentPurpose(enum.StrEnum):
    """Optional uses of a family's data that need their consent; core casework rests on public task."""

    SHARE_WITH_VOLUNTEERS = "share_with_volunteers"
    PHOTOGRAPHS = "photographs"
    PUBLICITY = "publicity"
    CONTACT_BY_COMMUNITY_GROUPS = "contact_by_community_groups"

    @property
    def label(self) -> str:
        return {
            "share_with_volunteers": "Share details with community volunteers",
            "photographs": "Take photographs",
            "publicity": "Use their story in publicity",
            "contact_by_community_groups": "Be contacted by community groups",
        }[self.value]


class Family(Model):
    __tablename__ = "families"
    __table_args__ = (
        CheckConstraint("arrival_date IS NULL OR arrival_date >= referral_date", name="arrival_not_before_referral"),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude_in_range"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude_in_range"),
        # The family search looks for text anywhere in these (resettle/search.py).
        trigram_index("ix_families_reference_trgm", "reference"),
        trigram_index("ix_families_name_trgm", "name"),
        trigram_index("ix_families_postcode_trgm", "postcode"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    # Counts saves: an edit form carries it and saves only over the version it was opened on (no lost updates).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1", info={"pii": "none"})
    __mapper_args__ = {"version_id_col": version}
    # Shown to staff and used in URLs; random so that it reveals nothing and cannot be guessed.
    reference: Mapped[str] = mapped_column(
        String(16), unique=True, default=new_family_reference, info={"pii": "personal", "purpose": "casework"}
    )
    # How the family is known on screen, for example "Family of Ahmad Al-Hassan".
    name: Mapped[str] = mapped_column(String(120), info={"pii": "personal", "purpose": "casework"})
    scheme: Mapped[Scheme] = mapped_column(
        enum_column_type(Scheme, "family_scheme"), index=True, info={"pii": "personal", "purpose": "casework"}
    )
    status: Mapped[FamilyStatus] = mapped_column(
        enum_column_type(FamilyStatus, "family_status"),
        default=FamilyStatus.REFERRED,
        index=True,
        info={"pii": "personal", "purpose": "casework"},
    )
    referral_date: Mapped[date] = mapped_column(Date, info={"pii": "personal", "purpose": "casework"})
    # Expected until confirmed; confirming it creates the arrival checklist's tasks.
    arrival_date: Mapped[date | None] = mapped_column(Date, info={"pii": "personal", "purpose": "casework"})
    arrival_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})
    caseworker_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True, info={"pii": "personal", "purpose": "accountability"}
    )
    address_line_1: Mapped[str | None] = mapped_column(String(120), info={"pii": "personal", "purpose": "casework"})
    address_line_2: Mapped[str | None] = mapped_column(String(120), info={"pii": "personal", "purpose": "casework"})
    town: Mapped[str | None] = mapped_column(String(60), info={"pii": "personal", "purpose": "casework"})
    postcode: Mapped[str | None] = mapped_column(String(10), info={"pii": "personal", "purpose": "casework"})
    # Broad Rental Market Area code (see LhaRate.brma); stored against the home, not derived from the borough.
    brma: Mapped[str | None] = mapped_column(String(64), info={"pii": "personal", "purpose": "casework"})
    # From the postcode district (resettle.families.places); used for distances to offers.
    latitude: Mapped[float | None] = mapped_column(Float, info={"pii": "personal", "purpose": "casework"})
    longitude: Mapped[float | None] = mapped_column(Float, info={"pii": "personal", "purpose": "casework"})
    # Language names, for example ["Arabic", "Kurdish"].
    preferred_languages: Mapped[list[str]] = mapped_column(
        JSON, default=list, info={"pii": "personal", "purpose": "casework"}
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, info={"pii": "none"})
    # Restriction of processing (UK GDPR Art. 18): the record is kept, but not matched, emailed about or exported.
    restricted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})
    restriction_reason: Mapped[str] = mapped_column(
        String(500), default="", info={"pii": "personal", "purpose": "data subject rights"}
    )
    # A legal hold stops the retention job anonymising the case, whatever its age.
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False, info={"pii": "none"})
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"pii": "none"})

    caseworker: Mapped[User | None] = relationship(foreign_keys=[caseworker_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    members: Mapped[list[Member]] = relationship(
        back_populates="family", order_by="Member.date_of_birth", cascade="all, delete-orphan"
    )
    needs: Mapped[list[Need]] = relationship(
        back_populates="family", order_by="Need.raised_at", cascade="all, delete-orphan"
    )
    tasks: Mapped[list[Task]] = relationship(
        back_populates="family", order_by="Task.due_on", cascade="all, delete-orphan"
    )

    @property
    def location(self) -> tuple[float, float] | None:
        """[lat, lon] as the matching engine takes it, or None when the home is not placed yet."""
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    @property
    def is_restricted(self) -> bool:
        return self.restricted_at is not None

    @property
    def current_members(self) -> list[Member]:
        return [member for member in self.members if member.left_on is None]

    def __repr__(self) -> str:
        return f"<Family {self.reference} {self.scheme}>"


class Member(Model):
    __tablename__ = "family_members"
    __table_args__ = (
        UniqueConstraint("family_id", "full_name", "date_of_birth", name="uq_family_members_one_entry_per_person"),
        trigram_index("ix_family_members_full_name_trgm", "full_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    # Counts saves: an edit form carries it and saves only over the version it was opened on (no lost updates).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1", info={"pii": "none"})
    __mapper_args__ = {"version_id_col": version}
    family_id: Mapped[int] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    full_name: Mapped[str] = mapped_column(String(120), info={"pii": "personal", "purpose": "casework"})
    date_of_birth: Mapped[date] = mapped_column(Date, info={"pii": "personal", "purpose": "casework"})
    sex: Mapped[Sex] = mapped_column(
        enum_column_type(Sex, "member_sex"), info={"pii": "personal", "purpose": "casework"}
    )
    relationship_to_applicant: Mapped[Relationship] = mapped_column(
        "relationship",
        enum_column_type(Relationship, "member_relationship"),
        info={"pii": "personal", "purpose": "casework"},
    )
    languages: Mapped[list[str]] = mapped_column(JSON, default=list, info={"pii": "personal", "purpose": "casework"})
    english_level: Mapped[EnglishLevel] = mapped_column(
        enum_column_type(EnglishLevel, "english_level"),
        default=EnglishLevel.NOT_ASSESSED,
        info={"pii": "personal", "purpose": "casework"},
    )
    # Mobility and access needs. Step-free access feeds housing needs' `step_free` requirement.
    needs_step_free_access: Mapped[bool] = mapped_column(
        Boolean, default=False, info={"pii": "special", "purpose": "casework"}
    )
    access_needs: Mapped[str] = mapped_column(Text, default="", info={"pii": "special", "purpose": "casework"})
    # Dietary needs, for example "halal", "vegetarian", "no nuts"; `eats_halal` feeds `halal` requirements.
    eats_halal: Mapped[bool] = mapped_column(Boolean, default=False, info={"pii": "special", "purpose": "casework"})
    dietary_needs: Mapped[str] = mapped_column(String(200), default="", info={"pii": "special", "purpose": "casework"})
    activity: Mapped[MemberActivity] = mapped_column(
        enum_column_type(MemberActivity, "member_activity"),
        default=MemberActivity.UNKNOWN,
        info={"pii": "personal", "purpose": "casework"},
    )
    school_or_employer: Mapped[str] = mapped_column(
        String(200), default="", info={"pii": "personal", "purpose": "casework"}
    )
    # A member who leaves the household is kept on record with the date; the bedroom standard ignores them.
    joined_on: Mapped[date | None] = mapped_column(Date, info={"pii": "personal", "purpose": "casework"})
    left_on: Mapped[date | None] = mapped_column(Date, info={"pii": "personal", "purpose": "casework"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})

    family: Mapped[Family] = relationship(back_populates="members")

    def age_on(self, day: date) -> int:
        had_birthday = (day.month, day.day) >= (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - (0 if had_birthday else 1)

    def __repr__(self) -> str:
        return f"<Member {self.id} of family {self.family_id}>"


class HealthNote(Model):
    """Special category data, apart from the member record; read only through resettle.families.health."""

    __tablename__ = "health_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    family_id: Mapped[int] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("family_members.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    body: Mapped[str] = mapped_column(Text, info={"pii": "special", "purpose": "casework"})
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})

    family: Mapped[Family] = relationship()
    member: Mapped[Member | None] = relationship()
    author: Mapped[User | None] = relationship()


class ConsentRecord(Model):
    """What the family agreed to, or refused, and when. The newest record per purpose is the one in force."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    family_id: Mapped[int] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    purpose: Mapped[ConsentPurpose] = mapped_column(
        enum_column_type(ConsentPurpose, "consent_purpose"), info={"pii": "personal", "purpose": "casework"}
    )
    is_given: Mapped[bool] = mapped_column(Boolean, info={"pii": "personal", "purpose": "casework"})
    note: Mapped[str] = mapped_column(String(500), default="", info={"pii": "personal", "purpose": "casework"})
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})

    family: Mapped[Family] = relationship()
    recorded_by: Mapped[User | None] = relationship()


class CaseNote(Model):
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    family_id: Mapped[int] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    body: Mapped[str] = mapped_column(Text, info={"pii": "special", "purpose": "casework"})
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True, info={"pii": "none"})

    family: Mapped[Family] = relationship()
    author: Mapped[User | None] = relationship()


class FamilyStatusChange(Model):
    """Each change of a family's status, for the family timeline."""

    __tablename__ = "family_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    family_id: Mapped[int] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    from_status: Mapped[FamilyStatus | None] = mapped_column(
        enum_column_type(FamilyStatus, "family_status"), info={"pii": "none"}
    )
    to_status: Mapped[FamilyStatus] = mapped_column(
        enum_column_type(FamilyStatus, "family_status"), info={"pii": "none"}
    )
    reason: Mapped[str] = mapped_column(String(500), default="", info={"pii": "personal", "purpose": "casework"})
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), info={"pii": "personal", "purpose": "accountability"}
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})

    family: Mapped[Family] = relationship()
    changed_by: Mapped[User | None] = relationship()
