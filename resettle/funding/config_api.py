"""The funding configuration API: every member of staff reads the schemes, their streams and dated amount
rules, the expense categories and which schemes may pay for them; administrators add and change them, through
the services the configuration pages use.

Amount rules carry a version column, so their ETag is that version. Schemes, streams and expense categories
have none: their ETag is a checksum of what they hold, compared after their row is locked, which gives the
same guarantee.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from resettle.api.blueprint import ApiBlueprint
from resettle.api.errors import api_abort
from resettle.api.versions import check_if_match, matching_version, send_etag
from resettle.auth.models import Role
from resettle.auth.permissions import STAFF, roles_required
from resettle.extensions import db
from resettle.funding.config_services import (
    RuleFields,
    SchemeFields,
    StreamFields,
    create_expense_category,
    create_rule,
    create_scheme,
    create_stream,
    set_eligibility,
    update_expense_category,
    update_rule,
    update_scheme,
    update_stream,
)
from resettle.funding.models import AmountRule, ExpenseCategory, FundingScheme, FundingStream
from resettle.funding.queries import (
    DEFAULT_ELIGIBILITY,
    eligibility_map,
    eligibility_table,
    list_expense_categories,
    list_schemes,
    list_streams,
)
from resettle.funding.schemas import (
    AmountRuleSchema,
    EligibilityCellSchema,
    EligibilityInputSchema,
    ExpenseCategoryChangesSchema,
    ExpenseCategorySchema,
    FundingSchemeDetailSchema,
    FundingSchemeSchema,
    FundingStreamSchema,
    NewExpenseCategorySchema,
    NewSchemeSchema,
    NewStreamSchema,
    RuleChangesSchema,
    RuleInputSchema,
    SchemeChangesSchema,
    SchemeInputSchema,
    StreamChangesSchema,
    StreamInputSchema,
)

blp = ApiBlueprint(
    "funding_config",
    __name__,
    tag="Funding configuration",
    url_prefix="/funding",
    description="Funding schemes, their streams and dated amount rules",
)


@dataclass(frozen=True)
class ContentVersion:
    """What `check_if_match` and `send_etag` read: a record's version, here a checksum of its content."""

    version: int


def _content_version(schema: Any, record: Any) -> ContentVersion:
    dumped = json.dumps(schema.dump(record), sort_keys=True, default=str)
    return ContentVersion(zlib.crc32(dumped.encode()))


def _locked(model: type[Any], column: Any, value: Any) -> Any:
    found = db.session.execute(
        select(model).where(column == value).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if found is None:
        api_abort(404)
    return found


def _scheme(code: str, lock: bool = False) -> FundingScheme:
    if lock:
        scheme: FundingScheme = _locked(FundingScheme, FundingScheme.code, code.upper())
        return scheme
    found = db.session.execute(select(FundingScheme).where(FundingScheme.code == code.upper())).scalar_one_or_none()
    if found is None:
        api_abort(404)
    return found


def _stream(code: str, lock: bool = False) -> FundingStream:
    if lock:
        stream: FundingStream = _locked(FundingStream, FundingStream.code, code.lower())
        return stream
    found = db.session.execute(select(FundingStream).where(FundingStream.code == code.lower())).scalar_one_or_none()
    if found is None:
        api_abort(404)
    return found


# --- schemes ---------------------------------------------------------------------------------------------------


@blp.route("/schemes")
@roles_required(*STAFF)
@blp.response(200, FundingSchemeSchema(many=True))
def list_funding_schemes() -> list[FundingScheme]:
    """Every scheme with its streams and their amount rules."""
    return list_schemes()


def _scheme_detail(scheme: FundingScheme) -> dict[str, Any]:
    cells = eligibility_map(scheme.id)
    eligibility = [
        {
            "expense_category": row.expense_category.code,
            "label": row.expense_category.label,
            "eligibility": row.eligibility,
            "note": row.note,
        }
        for row in sorted(cells.values(), key=lambda row: row.expense_category.code)
    ]
    data = FundingSchemeSchema().dump(scheme)
    return {**data, "streams": scheme.streams, "eligibility": eligibility}


@blp.route("/schemes/<code>")
@roles_required(*STAFF)
@blp.response(200, FundingSchemeDetailSchema)
def read_funding_scheme(code: str) -> dict[str, Any]:
    """A scheme with its streams, rules and the eligibility recorded for expense categories."""
    scheme = _scheme(code)
    send_etag(_content_version(SchemeInputSchema(), scheme))
    return _scheme_detail(scheme)


def _scheme_code(scheme: FundingScheme) -> str:
    return scheme.code


def _find_scheme(code: str) -> FundingScheme | None:
    return db.session.execute(select(FundingScheme).where(FundingScheme.code == code)).scalar_one_or_none()


@blp.route("/schemes", methods=["POST"])
@roles_required(Role.ADMIN)
@blp.arguments(NewSchemeSchema)
@blp.response(201, FundingSchemeSchema)
@blp.idempotent_create(_find_scheme, _scheme_code)
def create_funding_scheme(body: dict[str, Any]) -> tuple[FundingScheme, int]:
    scheme = create_scheme(body["code"], SchemeFields(body["name"], body["funder"], body["notes"]))
    return scheme, 201


@blp.route("/schemes/<code>", methods=["PATCH"])
@roles_required(Role.ADMIN)
@blp.arguments(SchemeChangesSchema)
@blp.response(200, FundingSchemeSchema)
@blp.if_match()
def edit_funding_scheme(changes: dict[str, Any], code: str) -> FundingScheme:
    """Change a scheme's name, funder or notes (its code never changes: families' cases carry it)."""
    scheme = _scheme(code, lock=True)
    check_if_match(_content_version(SchemeInputSchema(), scheme))
    values = {"name": scheme.name, "funder": scheme.funder, "notes": scheme.notes, **changes}
    update_scheme(scheme, SchemeFields(**values))
    send_etag(_content_version(SchemeInputSchema(), scheme))
    return scheme


# --- streams ---------------------------------------------------------------------------------------------------


@blp.route("/streams")
@roles_required(*STAFF)
@blp.response(200, FundingStreamSchema(many=True))
def list_funding_streams() -> list[FundingStream]:
    return list_streams()


@blp.route("/streams/<code>")
@roles_required(*STAFF)
@blp.response(200, FundingStreamSchema)
def read_funding_stream(code: str) -> FundingStream:
    stream = _stream(code)
    send_etag(_content_version(StreamInputSchema(), stream))
    return stream


def _stream_code(stream: FundingStream) -> str:
    return stream.code


def _find_stream(code: str) -> FundingStream | None:
    return db.session.execute(select(FundingStream).where(FundingStream.code == code)).scalar_one_or_none()


def _stream_fields(values: dict[str, Any]) -> StreamFields:
    return StreamFields(
        name=values["name"],
        scope=values["scope"],
        categories=list(values["categories"]),
        requires_prior_agreement=values["requires_prior_agreement"],
        effective_from=values["effective_from"],
        effective_to=values["effective_to"],
        source_ref=values["source_ref"],
        description=values["description"],
    )


@blp.route("/schemes/<code>/streams", methods=["POST"])
@roles_required(Role.ADMIN)
@blp.arguments(NewStreamSchema)
@blp.response(201, FundingStreamSchema)
@blp.idempotent_create(_find_stream, _stream_code)
def create_funding_stream(body: dict[str, Any], code: str) -> tuple[FundingStream, int]:
    """Add a stream to the scheme; add its amount rules next."""
    stream = create_stream(_scheme(code), body["code"], _stream_fields(body))
    return stream, 201


@blp.route("/streams/<code>", methods=["PATCH"])
@roles_required(Role.ADMIN)
@blp.arguments(StreamChangesSchema)
@blp.response(200, FundingStreamSchema)
@blp.if_match()
def edit_funding_stream(changes: dict[str, Any], code: str) -> FundingStream:
    """Change a stream (its code never changes: the matching engine and past spend refer to it)."""
    stream = _stream(code, lock=True)
    check_if_match(_content_version(StreamInputSchema(), stream))
    current = StreamInputSchema().dump(stream)
    current.update({"scope": stream.scope, "categories": stream.categories})
    current.update({"effective_from": stream.effective_from, "effective_to": stream.effective_to})
    update_stream(stream, _stream_fields({**current, **changes}))
    send_etag(_content_version(StreamInputSchema(), stream))
    return stream


# --- amount rules ----------------------------------------------------------------------------------------------


def _rule_fields(values: dict[str, Any]) -> RuleFields:
    return RuleFields(
        basis=values["basis"],
        amount_pence=values["amount_pence"],
        effective_from=values["effective_from"],
        effective_to=values["effective_to"],
        age_min=values["age_min"],
        age_max=values["age_max"],
        support_year=values["support_year"],
        source_ref=values["source_ref"],
        is_confirmed=values["is_confirmed"],
        note=values["note"],
    )


def _rule_id(rule: AmountRule) -> str:
    return str(rule.id)


def _find_rule(rule_id: str) -> AmountRule | None:
    return db.session.get(AmountRule, int(rule_id)) if rule_id.isdigit() else None


@blp.route("/streams/<code>/rules", methods=["POST"])
@roles_required(Role.ADMIN)
@blp.arguments(RuleInputSchema)
@blp.response(201, AmountRuleSchema)
@blp.idempotent_create(_find_rule, _rule_id)
def create_amount_rule(body: dict[str, Any], code: str) -> tuple[AmountRule, int]:
    """Add a dated amount to the stream (the dates and age bands of one kind may not overlap)."""
    rule = create_rule(_stream(code), _rule_fields(body))
    send_etag(rule)
    return rule, 201


@blp.route("/rules/<int:rule_id>")
@roles_required(*STAFF)
@blp.response(200, AmountRuleSchema)
def read_amount_rule(rule_id: int) -> AmountRule:
    rule = db.session.get(AmountRule, rule_id)
    if rule is None:
        api_abort(404)
    send_etag(rule)
    return rule


@blp.route("/rules/<int:rule_id>", methods=["PATCH"])
@roles_required(Role.ADMIN)
@blp.arguments(RuleChangesSchema)
@blp.response(200, AmountRuleSchema)
@blp.if_match()
def edit_amount_rule(changes: dict[str, Any], rule_id: int) -> AmountRule:
    rule = db.session.get(AmountRule, rule_id)
    if rule is None:
        api_abort(404)
    current = {name: getattr(rule, name) for name in RuleInputSchema().fields}
    with matching_version(rule):
        update_rule(rule, _rule_fields({**current, **changes}))
    return rule


# --- expense categories and eligibility -------------------------------------------------------------------------


def _expense_category(code: str) -> ExpenseCategory:
    found = db.session.execute(select(ExpenseCategory).where(ExpenseCategory.code == code.lower())).scalar_one_or_none()
    if found is None:
        api_abort(404)
    return found


@blp.route("/expense-categories")
@roles_required(*STAFF)
@blp.response(200, ExpenseCategorySchema(many=True))
def list_expense_category_codes() -> list[ExpenseCategory]:
    """What spend may be on: goods by their item code, services and costs by their own."""
    return list_expense_categories()


def _category_code(expense_category: ExpenseCategory) -> str:
    return expense_category.code


def _find_category(code: str) -> ExpenseCategory | None:
    return db.session.execute(select(ExpenseCategory).where(ExpenseCategory.code == code)).scalar_one_or_none()


@blp.route("/expense-categories", methods=["POST"])
@roles_required(Role.ADMIN)
@blp.arguments(NewExpenseCategorySchema)
@blp.response(201, ExpenseCategorySchema)
@blp.idempotent_create(_find_category, _category_code)
def create_expense_category_code(body: dict[str, Any]) -> tuple[ExpenseCategory, int]:
    """Every scheme treats a new category as needing approval until its eligibility is recorded."""
    made = create_expense_category(body["code"], body["label"], body["category"])
    if not body["is_active"]:
        update_expense_category(made, made.label, made.category, False)
    return made, 201


@blp.route("/expense-categories/<code>", methods=["PATCH"])
@roles_required(Role.ADMIN)
@blp.arguments(ExpenseCategoryChangesSchema)
@blp.response(200, ExpenseCategorySchema)
@blp.if_match()
def edit_expense_category_code(changes: dict[str, Any], code: str) -> ExpenseCategory:
    expense_category: ExpenseCategory = _locked(ExpenseCategory, ExpenseCategory.code, code.lower())
    check_if_match(_content_version(ExpenseCategorySchema(), expense_category))
    values = {
        "label": expense_category.label,
        "category": expense_category.category,
        "is_active": expense_category.is_active,
        **changes,
    }
    update_expense_category(expense_category, values["label"], values["category"], values["is_active"])
    send_etag(_content_version(ExpenseCategorySchema(), expense_category))
    return expense_category


@blp.route("/eligibility")
@roles_required(*STAFF)
@blp.response(200, EligibilityCellSchema(many=True))
def list_eligibility() -> list[dict[str, Any]]:
    """Whether each scheme's money may pay for each expense category ("needs approval" where none is recorded)."""
    schemes, categories, cells = eligibility_table()
    return [
        {
            "scheme": scheme.code,
            "expense_category": category.code,
            "eligibility": cells.get((scheme.id, category.id), DEFAULT_ELIGIBILITY),
            "recorded": (scheme.id, category.id) in cells,
        }
        for scheme in schemes
        for category in categories
    ]


@blp.route("/eligibility/<scheme_code>/<category_code>", methods=["PUT"])
@roles_required(Role.ADMIN)
@blp.arguments(EligibilityInputSchema)
@blp.response(200, EligibilityCellSchema)
def set_category_eligibility(body: dict[str, Any], scheme_code: str, category_code: str) -> dict[str, Any]:
    """Record whether the scheme may pay for the expense category (allowed, blocked or needs approval)."""
    scheme = _scheme(scheme_code)
    expense_category = _expense_category(category_code)
    row = set_eligibility(scheme, expense_category, body["eligibility"], body["note"])
    return {
        "scheme": scheme.code,
        "expense_category": expense_category.code,
        "eligibility": row.eligibility,
        "recorded": True,
    }
