"""Finding values stored before the input bounds existed (resettle/bounds.py) that the service would now refuse:
an arrival on 31/12/9999, a maximum distance of `inf`, a NUL byte in a name. `flask --app wsgi check-data` lists
them, each with a link to the page where a person can fix it.

Each rule is one SQL query for the rows out of bounds (a number above its maximum or not finite, a date outside
its window), so the check costs the same however much good data there is. Text columns are read once to look
for control characters, which SQL cannot match portably.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import url_for
from sqlalchemy import String, Text, or_, select

from resettle import bounds
from resettle.bounds import MAX_AGE_YEARS, MAX_BEDROOMS, MAX_OFFER_CAPACITY
from resettle.extensions import db
from resettle.families.models import Family, Member, Need, Task
from resettle.funding.models import AmountRule, FundingStream
from resettle.funding.spend_models import SpendLine
from resettle.offers.models import Offer


@dataclass(frozen=True)
class Finding:
    record: str  # "Family 7KQ3-XW9P-M2DA"
    field: str
    value: str
    problem: str
    fix_url: str

    def line(self) -> str:
        return f"{self.record}: {self.field} = {self.value}: {self.problem}. Fix it at {self.fix_url}"


@dataclass(frozen=True)
class NumberRule:
    column: Any
    smallest: float
    largest: float
    message: str


@dataclass(frozen=True)
class DateRule:
    column: Any
    window: bounds.DateWindow
    name: str


def _family_url(family: Family) -> str:
    return url_for("families.edit_family", reference=family.reference, _external=True)


# For each model: how to name a record, where to fix it, and the rules its columns must keep.
RULES: list[tuple[Any, Callable[[Any], str], Callable[[Any], str], list[NumberRule | DateRule]]] = [
    (
        Family,
        lambda family: f"Family {family.reference}",
        _family_url,
        [
            DateRule(Family.referral_date, bounds.CASE_PAST, "Referral date"),
            DateRule(Family.arrival_date, bounds.CASE_PLANNED, "Arrival date"),
        ],
    ),
    (
        Member,
        lambda member: f"Member {member.id} of family {member.family.reference}",
        lambda member: url_for(
            "families.edit_family_member", reference=member.family.reference, member_id=member.id, _external=True
        ),
        [
            DateRule(Member.date_of_birth, bounds.BIRTH_DATE, "Date of birth"),
            DateRule(Member.left_on, bounds.CASE_PAST, "Date they left"),
        ],
    ),
    (
        Need,
        lambda need: f"Need {need.id} of family {need.family.reference}",
        lambda need: url_for("families.edit_need", reference=need.family.reference, need_id=need.id, _external=True),
        [
            NumberRule(
                Need.max_distance_km,
                0,
                bounds.MAX_DISTANCE_KM,
                f"Maximum distance must be {bounds.MAX_DISTANCE_KM:,} km or less",
            ),
            NumberRule(Need.units, 1, bounds.MAX_NEED_UNITS, f"How many must be between 1 and {bounds.MAX_NEED_UNITS}"),
            NumberRule(
                Need.bedrooms_min,
                0,
                bounds.MAX_BEDROOMS,
                f"Minimum bedrooms must be between 0 and {MAX_BEDROOMS}",
            ),
            NumberRule(
                Need.rent_max,
                0,
                bounds.MAX_RENT_PENCE,
                f"Maximum rent must be {bounds.pounds(bounds.MAX_RENT_PENCE)} or less",
            ),
            DateRule(Need.needed_by, bounds.CASE_PLANNED, "Needed by date"),
        ],
    ),
    (
        Task,
        lambda task: f"Task {task.id} of family {task.family.reference}",
        lambda task: url_for("families.view_family", reference=task.family.reference, _external=True) + "#tasks",
        [
            DateRule(Task.due_on, bounds.CASE_PLANNED, "Due date"),
            DateRule(Task.snoozed_until, bounds.CASE_PLANNED, "Snooze until date"),
        ],
    ),
    (
        Offer,
        lambda offer: f"Offer {offer.reference}",
        lambda offer: url_for("offers.edit", offer_id=offer.id, _external=True),
        [
            NumberRule(
                Offer.capacity,
                1,
                bounds.MAX_OFFER_CAPACITY,
                f"Capacity must be between 1 and {MAX_OFFER_CAPACITY}",
            ),
            NumberRule(
                Offer.cost_pence,
                0,
                bounds.MAX_OFFER_COST_PENCE,
                f"Cost per unit must be {bounds.pounds(bounds.MAX_OFFER_COST_PENCE)} or less",
            ),
            NumberRule(
                Offer.rent_pence,
                0,
                bounds.MAX_RENT_PENCE,
                f"Monthly rent must be {bounds.pounds(bounds.MAX_RENT_PENCE)} or less",
            ),
            NumberRule(Offer.bedrooms, 1, bounds.MAX_BEDROOMS, f"Bedrooms must be between 1 and {bounds.MAX_BEDROOMS}"),
            NumberRule(
                Offer.hours_per_week,
                1,
                bounds.MAX_HOURS_PER_WEEK,
                f"Hours a week must be between 1 and {bounds.MAX_HOURS_PER_WEEK}",
            ),
            DateRule(Offer.available_from, bounds.AVAILABILITY, "Available from"),
            DateRule(Offer.available_until, bounds.AVAILABILITY, "Available until"),
        ],
    ),
    (
        SpendLine,
        lambda line: f"Spend line {line.public_id}",
        lambda line: url_for("funding.show_spend_line", public_id=line.public_id, _external=True),
        [
            NumberRule(
                SpendLine.amount_pence, 1, bounds.MAX_PENCE, f"Amount must be {bounds.pounds(bounds.MAX_PENCE)} or less"
            ),
            DateRule(SpendLine.spend_date, bounds.CASE_PAST, "Date of purchase"),
        ],
    ),
    (
        AmountRule,
        lambda rule: f"Funding rule {rule.id}",
        lambda rule: url_for("funding.edit_rule", rule_id=rule.id, _external=True),
        [
            NumberRule(
                AmountRule.amount_pence,
                0,
                bounds.MAX_PENCE,
                f"Amount must be {bounds.pounds(bounds.MAX_PENCE)} or less",
            ),
            NumberRule(AmountRule.age_min, 0, bounds.MAX_AGE_YEARS, f"Youngest age must be 0 to {MAX_AGE_YEARS}"),
            NumberRule(AmountRule.age_max, 0, bounds.MAX_AGE_YEARS, f"Oldest age must be 0 to {bounds.MAX_AGE_YEARS}"),
            DateRule(AmountRule.effective_from, bounds.FUNDING_PERIOD, "Start date"),
            DateRule(AmountRule.effective_to, bounds.FUNDING_PERIOD, "End date"),
        ],
    ),
    (
        FundingStream,
        lambda stream: f"Funding stream {stream.code}",
        lambda stream: url_for("funding.edit_stream", stream_id=stream.id, _external=True),
        [
            DateRule(FundingStream.effective_from, bounds.FUNDING_PERIOD, "Start date"),
            DateRule(FundingStream.effective_to, bounds.FUNDING_PERIOD, "End date"),
        ],
    ),
]

# Where a record with control characters in its text can be fixed, by table.
TEXT_FIX: dict[str, tuple[Any, Callable[[Any], str], Callable[[Any], str]]] = {
    model.__tablename__: (model, name, link) for model, name, link, _ in RULES
}


def _out_of_bounds(rule: NumberRule | DateRule, today: date) -> Any:
    column = rule.column
    if isinstance(rule, NumberRule):
        # NaN and infinities compare above every number in PostgreSQL and SQLite (SQLite stores NaN as NULL).
        return or_(column < rule.smallest, column > rule.largest)
    return or_(column < rule.window.earliest(today), column > rule.window.latest(today))


def _shown(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else repr(value) if isinstance(value, str) else str(value)


def _problem(rule: NumberRule | DateRule, value: Any, today: date) -> str:
    if isinstance(rule, DateRule):
        return rule.window.problem(rule.name, value, today) or f"{rule.name} is out of bounds"
    if not bounds.is_finite_number(value):
        return f"{rule.message} (it is not a finite number)"
    return rule.message


def out_of_bounds_values(today: date) -> Iterator[Finding]:
    for model, name, link, rules in RULES:
        for rule in rules:
            statement = select(model).where(rule.column.is_not(None), _out_of_bounds(rule, today))
            for record in db.session.execute(statement.order_by(model.id)).scalars():
                value = getattr(record, rule.column.key)
                yield Finding(name(record), rule.column.key, _shown(value), _problem(rule, value, today), link(record))


def control_characters_in_text() -> Iterator[Finding]:
    """Text with NUL or other control characters (line breaks and tabs are allowed)."""
    for table_name, (model, name, link) in TEXT_FIX.items():
        table = db.metadata.tables[table_name]
        text_columns = [column for column in table.columns if isinstance(column.type, (String, Text))]
        rows = db.session.execute(select(table.c.id, *text_columns).order_by(table.c.id))
        for row in rows:
            for column in text_columns:
                value = getattr(row, column.key)
                if isinstance(value, str) and bounds.has_control_characters(value):
                    record = db.session.get(model, row.id)
                    yield Finding(
                        name(record), column.key, _shown(value)[:60], "Contains control characters", link(record)
                    )


def find_out_of_bounds(today: date) -> list[Finding]:
    return [*out_of_bounds_values(today), *control_characters_in_text()]
