"""Local Housing Allowance rates as dated data per Broad Rental Market Area (domain.md §2.2).

Rates change by financial year (and are sometimes frozen), so they are rows with `effective_from` and
`effective_to`, never constants in code. `bedrooms` 0 is the shared accommodation rate; the LHA is capped
at 4 bedrooms, so there is no row above 4.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from resettle.extensions import Model


class LhaRate(Model):
    __tablename__ = "lha_rates"
    __table_args__ = (
        UniqueConstraint("brma", "bedrooms", "effective_from", name="uq_lha_rates_one_rate_per_start"),
        CheckConstraint("bedrooms BETWEEN 0 AND 4", name="bedrooms_0_to_4"),
        CheckConstraint("weekly_rate > 0", name="weekly_rate_positive"),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"pii": "none"})
    brma: Mapped[str] = mapped_column(String(64), index=True, info={"pii": "none"})
    brma_name: Mapped[str] = mapped_column(String(120), info={"pii": "none"})
    bedrooms: Mapped[int] = mapped_column(Integer, info={"pii": "none"})
    weekly_rate: Mapped[int] = mapped_column(Integer, info={"pii": "none"})  # pence per week
    effective_from: Mapped[date] = mapped_column(Date, info={"pii": "none"})
    effective_to: Mapped[date | None] = mapped_column(Date, info={"pii": "none"})
    source_ref: Mapped[str] = mapped_column(String(200), default="", info={"pii": "none"})

    @property
    def monthly_rate(self) -> int:
        """Pence per month: weekly × 52 ÷ 12, rounded to the nearest penny."""
        return round(self.weekly_rate * 52 / 12)
