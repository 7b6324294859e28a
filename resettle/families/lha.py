"""Looking up LHA rates, which are dated rows per BRMA (`LhaRate`), never constants in code."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select

from resettle.extensions import db
from resettle.families.models import LhaRate

# The rates first loaded by migration 0002 (pence per week: shared, 1, 2, 3, 4 bedrooms). Also used to
# fill an empty table in development and tests, where the schema comes from the models.
SOURCE = "Bromley Council LHA page (ISEL/OSEL rates); held for 2025/26 (Hansard, 22 Oct 2025)"
BRMA_NAMES = {
    "inner_south_east_london": "Inner South East London (BRMA 144)",
    "outer_south_east_london": "Outer South East London (BRMA 151)",
}
INITIAL_RATES = [
    ("inner_south_east_london", date(2023, 4, 1), date(2024, 3, 31), [11887, 26466, 31068, 38548, 50630]),
    ("inner_south_east_london", date(2024, 4, 1), None, [14959, 29815, 35671, 44877, 50630]),
    ("outer_south_east_london", date(2024, 4, 1), None, [13808, 24164, 29918, 35671, 41422]),
]


def ensure_lha_rates() -> None:
    """Load the initial rates when the table is empty (a database made from the models, not migrations)."""
    if db.session.execute(select(func.count()).select_from(LhaRate)).scalar_one():
        return
    for brma, start, end, weekly_rates in INITIAL_RATES:
        for bedrooms, weekly in enumerate(weekly_rates):
            db.session.add(
                LhaRate(
                    brma=brma,
                    brma_name=BRMA_NAMES[brma],
                    bedrooms=bedrooms,
                    weekly_rate=weekly,
                    effective_from=start,
                    effective_to=end,
                    source_ref=SOURCE,
                )
            )
    db.session.flush()


def rate_on(brma: str, bedrooms: int, day: date) -> LhaRate | None:
    """The rate in force on `day` for this size of home (bedrooms above 4 use the 4-bedroom rate)."""
    statement = (
        select(LhaRate)
        .where(
            LhaRate.brma == brma,
            LhaRate.bedrooms == min(bedrooms, 4),
            LhaRate.effective_from <= day,
            or_(LhaRate.effective_to.is_(None), LhaRate.effective_to >= day),
        )
        .order_by(LhaRate.effective_from.desc())
        .limit(1)
    )
    return db.session.execute(statement).scalar_one_or_none()


def known_brmas() -> dict[str, str]:
    """BRMA code → name: the South-East London BRMAs and any other BRMA that has rates."""
    rows = db.session.execute(select(LhaRate.brma, LhaRate.brma_name).distinct())
    return dict(sorted({**BRMA_NAMES, **dict(rows.tuples().all())}.items(), key=lambda pair: pair[1]))
