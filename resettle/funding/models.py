"""Funding configuration held as data: schemes, their streams, dated amount rules, expense categories and
which categories each scheme may pay for. Every amount lives here, never in code, because each funding
instruction changes them and council finance staff must be able to follow a new one without a release."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resettle.db import UTCDateTime, utcnow
from resettle.extensions import Model
from resettle.funding.allocation import RuleBasis, RuleTerms
from resettle.taxonomy import Category


def _values(enum_class: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_class]


def string_enum(enum_class: type[enum.Enum], name: str, length: int = 32) -> Enum:
    """A VARCHAR with a CHECK constraint: no PostgreSQL enum type to collide with other features' types."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=_values,
        validate_strings=True,
    )


class StreamScope(enum.StrEnum):
    FAMILY = "family"  # each family has its own budget in the stream
    POOL = "pool"  # one council-level budget shared by the families of the scheme

    @property
    def label(self) -> str:
        return {"family": "Each family's own budget", "pool": "Shared council pool"}[self.value]


class Eligibility(enum.StrEnum):
    ALLOWED = "allowed"
    BLOCKED = "blocked"
    NEEDS_APPROVAL = "needs_approval"

    @property
    def label(self) -> str:
        return {"allowed": "Allowed", "blocked": "Blocked", "needs_approval": "Needs approval"}[self.value]


class FundingScheme(Model):
    __tablename__ = "funding_schemes"
    __table_args__ = (CheckConstraint("code = upper(code)", name="code_upper_case"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    # The code a family's scheme carries (VPRS, UKRS, ACRS, ...).
    code: Mapped[str] = mapped_column(String(16), unique=True, info={"pii": "none"})
    name: Mapped[str] = mapped_column(String(120), info={"pii": "none"})
    funder: Mapped[str] = mapped_column(String(120), default="Home Office", info={"pii": "none"})
    notes: Mapped[str] = mapped_column(Text, default="", info={"pii": "none"})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, info={"pii": "none"})

    streams: Mapped[list[FundingStream]] = relationship(back_populates="scheme", order_by="FundingStream.code")

    def __repr__(self) -> str:
        return f"<FundingScheme {self.code}>"


class FundingStream(Model):
    """A pot of money under a scheme (core tariff, education, ESOL, exceptional costs...). Its `code` is the
    stream id the matching engine sees."""

    __tablename__ = "funding_streams"
    __table_args__ = (
        CheckConstraint("code = lower(code)", name="code_lower_case"),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("funding_schemes.id", ondelete="RESTRICT"), index=True, info={"pii": "none"}
    )
    code: Mapped[str] = mapped_column(String(40), unique=True, info={"pii": "none"})
    name: Mapped[str] = mapped_column(String(120), info={"pii": "none"})
    scope: Mapped[StreamScope] = mapped_column(string_enum(StreamScope, "funding_stream_scope"), info={"pii": "none"})
    # Exceptional costs: the Home Office must agree in writing before the cost is incurred.
    requires_prior_agreement: Mapped[bool] = mapped_column(Boolean, default=False, info={"pii": "none"})
    effective_from: Mapped[date] = mapped_column(Date, info={"pii": "none"})
    effective_to: Mapped[date | None] = mapped_column(Date, info={"pii": "none"})
    source_ref: Mapped[str] = mapped_column(String(300), default="", info={"pii": "none"})
    description: Mapped[str] = mapped_column(Text, default="", info={"pii": "none"})

    scheme: Mapped[FundingScheme] = relationship(back_populates="streams")
    category_links: Mapped[list[StreamCategory]] = relationship(
        back_populates="stream", cascade="all, delete-orphan", order_by="StreamCategory.category"
    )
    rules: Mapped[list[AmountRule]] = relationship(
        back_populates="stream", order_by=lambda: [AmountRule.effective_from, AmountRule.id]
    )

    @property
    def categories(self) -> list[Category]:
        return [link.category for link in self.category_links]

    def is_open_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def rule_terms(self) -> list[RuleTerms]:
        return [rule.terms() for rule in self.rules]

    def __repr__(self) -> str:
        return f"<FundingStream {self.code}>"


class StreamCategory(Model):
    """Which kinds of need a stream may pay for (taxonomy categories, shared with needs and offers)."""

    __tablename__ = "funding_stream_categories"
    __table_args__ = (UniqueConstraint("stream_id", "category", name="uq_funding_stream_categories_stream_category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    stream_id: Mapped[int] = mapped_column(
        ForeignKey("funding_streams.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    category: Mapped[Category] = mapped_column(string_enum(Category, "funding_stream_category"), info={"pii": "none"})

    stream: Mapped[FundingStream] = relationship(back_populates="category_links")


class AmountRule(Model):
    """One dated amount: how much a stream holds per person, per child in an age band, per ESOL adult, per
    family or as a fixed council pool. `is_confirmed` records whether the figure was confirmed in a published
    source or still needs checking by the finance lead."""

    __tablename__ = "funding_amount_rules"
    __table_args__ = (
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
        CheckConstraint("age_min IS NULL OR age_min >= 0", name="age_min_not_negative"),
        CheckConstraint("age_max IS NULL OR age_min IS NULL OR age_max >= age_min", name="age_band_in_order"),
        CheckConstraint(
            "support_year IS NULL OR (support_year >= 1 AND support_year <= 10)", name="support_year_in_range"
        ),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    # Counts saves: an edit form carries it and saves only over the version it was opened on (no lost updates).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1", info={"pii": "none"})
    __mapper_args__ = {"version_id_col": version}
    stream_id: Mapped[int] = mapped_column(
        ForeignKey("funding_streams.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    basis: Mapped[RuleBasis] = mapped_column(string_enum(RuleBasis, "funding_rule_basis"), info={"pii": "none"})
    amount_pence: Mapped[int] = mapped_column(Integer, info={"pii": "none"})
    age_min: Mapped[int | None] = mapped_column(Integer, info={"pii": "none"})
    age_max: Mapped[int | None] = mapped_column(Integer, info={"pii": "none"})
    support_year: Mapped[int | None] = mapped_column(Integer, info={"pii": "none"})
    effective_from: Mapped[date] = mapped_column(Date, info={"pii": "none"})
    effective_to: Mapped[date | None] = mapped_column(Date, info={"pii": "none"})
    source_ref: Mapped[str] = mapped_column(String(300), default="", info={"pii": "none"})
    is_confirmed: Mapped[bool] = mapped_column(Boolean, default=True, info={"pii": "none"})
    note: Mapped[str] = mapped_column(String(300), default="", info={"pii": "none"})

    stream: Mapped[FundingStream] = relationship(back_populates="rules")

    def terms(self) -> RuleTerms:
        return RuleTerms(
            basis=self.basis,
            amount_pence=self.amount_pence,
            effective_from=self.effective_from,
            effective_to=self.effective_to,
            age_min=self.age_min,
            age_max=self.age_max,
            support_year=self.support_year,
        )


class ExpenseCategory(Model):
    """What money is spent on. Goods use the shared item-kind codes (so the matching engine can exclude
    them from a stream); services and costs have their own codes."""

    __tablename__ = "expense_categories"
    __table_args__ = (CheckConstraint("code = lower(code)", name="code_lower_case"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    code: Mapped[str] = mapped_column(String(40), unique=True, info={"pii": "none"})
    label: Mapped[str] = mapped_column(String(120), info={"pii": "none"})
    category: Mapped[Category] = mapped_column(string_enum(Category, "expense_need_category"), info={"pii": "none"})
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, info={"pii": "none"})

    def __repr__(self) -> str:
        return f"<ExpenseCategory {self.code}>"


class CategoryEligibility(Model):
    """Whether a scheme's money may pay for an expense category. No row means "needs approval": the
    cautious answer while the finance lead confirms the scheme's eligible-expenditure annex."""

    __tablename__ = "expense_category_eligibility"
    __table_args__ = (
        UniqueConstraint("scheme_id", "expense_category_id", name="uq_expense_category_eligibility_scheme_category"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    scheme_id: Mapped[int] = mapped_column(
        ForeignKey("funding_schemes.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    expense_category_id: Mapped[int] = mapped_column(
        ForeignKey("expense_categories.id", ondelete="CASCADE"), index=True, info={"pii": "none"}
    )
    eligibility: Mapped[Eligibility] = mapped_column(
        string_enum(Eligibility, "funding_eligibility"), info={"pii": "none"}
    )
    note: Mapped[str] = mapped_column(String(300), default="", info={"pii": "none"})

    scheme: Mapped[FundingScheme] = relationship()
    expense_category: Mapped[ExpenseCategory] = relationship()
