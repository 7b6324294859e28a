"""Administrators keep the funding configuration in step with each funding instruction. Services flush only
and audit every change, because council staff answer for every pound and must be able to show which rule
was in force when."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from resettle import bounds
from resettle.audit.services import describe_changes, record
from resettle.clock import local_today
from resettle.errors import FieldError
from resettle.extensions import db
from resettle.funding.allocation import RuleBasis, RuleTerms
from resettle.funding.models import (
    AmountRule,
    CategoryEligibility,
    Eligibility,
    ExpenseCategory,
    FundingScheme,
    FundingStream,
    StreamCategory,
    StreamScope,
)
from resettle.funding.rules import bands_overlap, dates_overlap
from resettle.taxonomy import Category


class FundingConfigError(FieldError):
    """A funding configuration rule was broken."""


@dataclass
class SchemeFields:
    name: str
    funder: str
    notes: str = ""


@dataclass
class StreamFields:
    name: str
    scope: StreamScope
    categories: list[Category]
    requires_prior_agreement: bool
    effective_from: date
    effective_to: date | None = None
    source_ref: str = ""
    description: str = ""


@dataclass(frozen=True)
class RuleFields(RuleTerms):
    """A rule's terms as an administrator enters them, with where they come from."""

    source_ref: str = ""
    is_confirmed: bool = True
    note: str = ""


def _check_dates(effective_from: date, effective_to: date | None) -> None:
    today = local_today()
    bounds.check_date("effective_from", effective_from, bounds.FUNDING_PERIOD, "Start date", today, FundingConfigError)
    bounds.check_date("effective_to", effective_to, bounds.FUNDING_PERIOD, "End date", today, FundingConfigError)
    if effective_to is not None and effective_to < effective_from:
        raise FundingConfigError("effective_to", "End date must be the same as or after the start date")


def create_scheme(code: str, fields: SchemeFields) -> FundingScheme:
    code = code.strip().upper()
    if db.session.execute(select(FundingScheme.id).where(FundingScheme.code == code)).first():
        raise FundingConfigError("code", f"A scheme with the code {code} already exists")
    scheme = FundingScheme(code=code, **asdict(fields))
    db.session.add(scheme)
    db.session.flush()
    record("funding_scheme_created", "funding_scheme", scheme.id, f"{code} created")
    return scheme


def update_scheme(scheme: FundingScheme, fields: SchemeFields) -> FundingScheme:
    before = {"name": scheme.name, "funder": scheme.funder, "notes": scheme.notes}
    for key, value in asdict(fields).items():
        setattr(scheme, key, value)
    db.session.flush()
    record("funding_scheme_updated", "funding_scheme", scheme.id, describe_changes(before, asdict(fields)))
    return scheme


def _set_categories(stream: FundingStream, categories: list[Category]) -> None:
    wanted = set(categories)
    for link in list(stream.category_links):
        if link.category not in wanted:
            stream.category_links.remove(link)
    have = {link.category for link in stream.category_links}
    for category in categories:
        if category not in have:
            stream.category_links.append(StreamCategory(category=category))


def _stream_snapshot(stream: FundingStream) -> dict[str, Any]:
    return {
        "name": stream.name,
        "scope": stream.scope,
        "categories": ",".join(sorted(stream.categories)),
        "requires_prior_agreement": stream.requires_prior_agreement,
        "effective_from": stream.effective_from,
        "effective_to": stream.effective_to,
        "source_ref": stream.source_ref,
        "description": stream.description,
    }


def create_stream(scheme: FundingScheme, code: str, fields: StreamFields) -> FundingStream:
    code = code.strip().lower()
    _check_dates(fields.effective_from, fields.effective_to)
    if db.session.execute(select(FundingStream.id).where(FundingStream.code == code)).first():
        raise FundingConfigError("code", f"A stream with the code {code} already exists")
    values = asdict(fields)
    categories = values.pop("categories")
    stream = FundingStream(scheme=scheme, code=code, **values)
    _set_categories(stream, categories)
    db.session.add(stream)
    db.session.flush()
    record("funding_stream_created", "funding_stream", stream.id, f"{scheme.code} {code} created")
    return stream


def update_stream(stream: FundingStream, fields: StreamFields) -> FundingStream:
    _check_dates(fields.effective_from, fields.effective_to)
    if fields.scope is not stream.scope and stream.rules:
        raise FundingConfigError(
            "scope", "Scope cannot change once the stream has amount rules; end this stream and create a new one"
        )
    before = _stream_snapshot(stream)
    values = asdict(fields)
    _set_categories(stream, values.pop("categories"))
    for key, value in values.items():
        setattr(stream, key, value)
    db.session.flush()
    record("funding_stream_updated", "funding_stream", stream.id, describe_changes(before, _stream_snapshot(stream)))
    return stream


def _check_rule(stream: FundingStream, fields: RuleFields, rule_id: int | None) -> None:
    _check_dates(fields.effective_from, fields.effective_to)
    if fields.amount_pence < 0:
        raise FundingConfigError("amount", "Amount must be £0 or more")
    if fields.amount_pence > bounds.MAX_PENCE:
        raise FundingConfigError("amount", f"Amount must be {bounds.pounds(bounds.MAX_PENCE)} or less")
    for name, label, largest in (
        ("age_min", "Youngest age", bounds.MAX_AGE_YEARS),
        ("age_max", "Oldest age", bounds.MAX_AGE_YEARS),
        ("support_year", "Year of support", 10),
    ):
        value = getattr(fields, name)
        if value is not None:
            smallest = 1 if name == "support_year" else 0
            message = f"{label} must be between {smallest} and {largest}"
            bounds.check_whole_number(name, value, smallest, largest, message, FundingConfigError)
    if fields.age_min is not None and fields.age_max is not None and fields.age_max < fields.age_min:
        raise FundingConfigError("age_max", "Oldest age must be the same as or more than the youngest age")
    if fields.basis is RuleBasis.COUNCIL_FIXED and stream.scope is not StreamScope.POOL:
        raise FundingConfigError("basis", "A fixed council amount can only be given to a pooled stream")
    for other in stream.rules:
        if other.id == rule_id or other.basis is not fields.basis or other.support_year != fields.support_year:
            continue
        if dates_overlap(
            other.effective_from, other.effective_to, fields.effective_from, fields.effective_to
        ) and bands_overlap(other.age_min, other.age_max, fields.age_min, fields.age_max):
            raise FundingConfigError(
                "effective_from",
                "Another rule for the same people is in force on some of these dates. Give that rule an end date first",
            )


def create_rule(stream: FundingStream, fields: RuleFields) -> AmountRule:
    _check_rule(stream, fields, None)
    rule = AmountRule(stream=stream, **asdict(fields))
    db.session.add(rule)
    db.session.flush()
    record("funding_rule_created", "funding_rule", rule.id, f"{stream.code}: {describe_changes({}, asdict(fields))}")
    return rule


def update_rule(rule: AmountRule, fields: RuleFields) -> AmountRule:
    _check_rule(rule.stream, fields, rule.id)
    before = {key: getattr(rule, key) for key in asdict(fields)}
    for key, value in asdict(fields).items():
        setattr(rule, key, value)
    db.session.flush()
    record(
        "funding_rule_updated",
        "funding_rule",
        rule.id,
        f"{rule.stream.code}: {describe_changes(before, asdict(fields))}",
    )
    return rule


def create_expense_category(code: str, label: str, category: Category) -> ExpenseCategory:
    code = code.strip().lower()
    if db.session.execute(select(ExpenseCategory.id).where(ExpenseCategory.code == code)).first():
        raise FundingConfigError("code", f"An expense category with the code {code} already exists")
    expense_category = ExpenseCategory(code=code, label=label, category=category, is_active=True)
    db.session.add(expense_category)
    db.session.flush()
    record("expense_category_created", "expense_category", expense_category.id, f"{code} created")
    return expense_category


def update_expense_category(
    expense_category: ExpenseCategory, label: str, category: Category, is_active: bool
) -> ExpenseCategory:
    before = {
        "label": expense_category.label,
        "category": expense_category.category,
        "is_active": expense_category.is_active,
    }
    after = {"label": label, "category": category, "is_active": is_active}
    for key, value in after.items():
        setattr(expense_category, key, value)
    db.session.flush()
    record("expense_category_updated", "expense_category", expense_category.id, describe_changes(before, after))
    return expense_category


def set_eligibility(
    scheme: FundingScheme, expense_category: ExpenseCategory, eligibility: Eligibility, note: str = ""
) -> CategoryEligibility:
    row = db.session.execute(
        select(CategoryEligibility).where(
            CategoryEligibility.scheme_id == scheme.id, CategoryEligibility.expense_category_id == expense_category.id
        )
    ).scalar_one_or_none()
    before = "needs_approval (no rule)" if row is None else row.eligibility.value
    if row is None:
        row = CategoryEligibility(scheme=scheme, expense_category=expense_category, eligibility=eligibility, note=note)
        db.session.add(row)
    else:
        row.eligibility = eligibility
        row.note = note
    db.session.flush()
    record(
        "funding_eligibility_set",
        "funding_scheme",
        scheme.id,
        f"{expense_category.code}: {before} → {eligibility.value}",
    )
    return row
