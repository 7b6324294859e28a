"""The funding API: spend lines from draft to claim (caseworkers enter, attach receipts and submit; reviewers
approve or reject), budgets, and claim batches with their CSV. The same permissions and services as the
spend and review pages. Families appear by reference only, as on the reviewers' pages.

Every write to a spend line takes the line's row lock first and then checks `If-Match` (when sent; always
for PATCH), so a stale write is a 412 even on two requests at the same moment. A refusal caused by the line
or budget as it is now (already decided, the budget spent meanwhile) is a 409; one about what was sent, 422.
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import request, send_file
from flask_login import current_user
from flask_smorest.fields import Upload
from marshmallow import Schema
from sqlalchemy import asc, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from resettle.api.blueprint import ApiBlueprint
from resettle.api.errors import MESSAGES, api_abort, field_error
from resettle.api.pagination import Page, keyset_page, page_schema
from resettle.api.versions import check_if_match, send_etag
from resettle.auth.models import SPEND_STAFF, Role
from resettle.auth.permissions import roles_required
from resettle.extensions import db
from resettle.families.models import Family
from resettle.funding.budgets import BudgetView, load_book
from resettle.funding.claims import (
    CLAIM_CSV_HEADER,
    ClaimPreview,
    claim_csv_rows,
    create_claim_batch,
    preview_claim,
)
from resettle.funding.models import FundingScheme, FundingStream
from resettle.funding.queries import get_scheme_by_code
from resettle.funding.receipts import add_receipt, download_name, readable_receipt_path, remove_receipt
from resettle.funding.review_queries import SpendFilters, get_line_by_public_id, spend_query
from resettle.funding.schemas import (
    ApproveSpendSchema,
    BudgetSchema,
    ClaimBatchSchema,
    ClaimCreateSchema,
    ClaimPreviewSchema,
    ClaimRequestSchema,
    FamilyBudgetsSchema,
    ReceiptSchema,
    RejectSpendSchema,
    SpendFiltersSchema,
    SpendLineChangesSchema,
    SpendLineInputSchema,
    SpendSchema,
)
from resettle.funding.spend_models import ClaimBatch, Receipt, SpendLine, SpendStatus
from resettle.funding.spend_services import (
    SpendError,
    SpendInput,
    approve_and_meet_need,
    create_spend_line,
    record_delivery,
    reject_spend_line,
    spend_fields_from,
    submit_spend_line,
    update_spend_line,
)
from resettle.web.csv_export import csv_response
from resettle.web.schema_fields import ClosedQuerySchema

blp = ApiBlueprint(
    "funding",
    __name__,
    tag="Funding",
    url_prefix="/funding",
    description="Spend lines and their review, budgets and claim batches",
)
SpendPageSchema = page_schema(SpendSchema)
FamilyBudgetsPageSchema = page_schema(FamilyBudgetsSchema)
ClaimBatchPageSchema = page_schema(ClaimBatchSchema)


def _refused(error: SpendError) -> NoReturn:
    """All the problems, by field: 409 when one is about the records as they are now, else 422."""
    errors: dict[str, list[str]] = {}
    for problem in error.problems:
        errors.setdefault(problem.field, []).append(problem.message)
    status = 409 if any(problem.about_state for problem in error.problems) else 422
    api_abort(status, MESSAGES[status], errors)


def _line(public_id: str, lock: bool = False) -> SpendLine:
    statement = select(SpendLine).where(SpendLine.public_id == public_id)
    if lock:  # before If-Match is compared: a write racing this one waits, then sees the new version
        statement = statement.with_for_update().execution_options(populate_existing=True)
    line = db.session.execute(statement).scalar_one_or_none()
    if line is None:
        api_abort(404)
    return line


def _line_to_change(public_id: str, if_match_required: bool = False) -> SpendLine:
    line = _line(public_id, lock=True)
    if if_match_required or request.headers.get("If-Match"):
        check_if_match(line)
    return line


def _by_code(model: type[Any], code: str, field: str, message: str) -> Any:
    found = db.session.execute(select(model).where(model.code == code.strip().lower())).scalar_one_or_none()
    if found is None:
        field_error(422, field, message)
    return found


def _scheme(code: str) -> FundingScheme:
    scheme = get_scheme_by_code(code.strip())
    if scheme is None:
        field_error(422, "scheme", "Enter the code of a funding scheme, like UKRS")
    return scheme


# --- spend lines -----------------------------------------------------------------------------------------------


@blp.route("/spend-lines")
@roles_required(*SPEND_STAFF)
@blp.arguments(SpendFiltersSchema, location="query")
@blp.response(200, SpendPageSchema)
def list_spend_lines(args: dict[str, Any]) -> Page:
    """Spend lines with the filters of the spend list and the reviewers' queue. With `status=submitted`,
    oldest submitted first (the queue); otherwise newest first."""
    status: SpendStatus | None = args.get("status")
    filters = SpendFilters(
        status=status,
        scheme_id=_scheme(args["scheme"]).id if args.get("scheme") else None,
        stream_id=_by_code(FundingStream, args["stream"], "stream", "Enter the code of a funding stream").id
        if args.get("stream")
        else None,
        family_reference=args.get("family") or None,
        needs_approval_only=args["needs_approval"],
        submitted_from=args.get("submitted_from"),
        submitted_to=args.get("submitted_to"),
    )
    # The scheme of each line's stream and its claim batch are shown too: loaded with the page, not line by line.
    statement = (
        spend_query(filters)
        .order_by(None)
        .options(selectinload(SpendLine.stream).selectinload(FundingStream.scheme), selectinload(SpendLine.claim_batch))
    )
    if status is SpendStatus.SUBMITTED:
        return keyset_page(statement, [asc(SpendLine.submitted_at), asc(SpendLine.id)], args)
    return keyset_page(statement, [SpendLine.id.desc()], args)


def _find_line(public_id: str) -> SpendLine | None:
    return get_line_by_public_id(public_id)


def _public_id(line: SpendLine) -> str:
    return line.public_id


@blp.route("/spend-lines", methods=["POST"])
@roles_required(Role.CASEWORKER)
@blp.arguments(SpendLineInputSchema)
@blp.response(201, SpendSchema)
@blp.idempotent_create(_find_line, _public_id)
def create_spend(body: dict[str, Any]) -> tuple[SpendLine, int]:
    """Record spend as a draft. Upload a receipt, then submit it for review. Blocked items are refused."""
    try:
        line = create_spend_line(spend_fields_from(SpendInput(**body)), current_user)
    except SpendError as error:
        _refused(error)
    send_etag(line)
    return line, 201


@blp.route("/spend-lines/<public_id>")
@roles_required(*SPEND_STAFF)
@blp.response(200, SpendSchema)
def read_spend_line(public_id: str) -> SpendLine:
    line = _line(public_id)
    send_etag(line)
    return line


def _as_input(line: SpendLine) -> dict[str, Any]:
    return {
        "family_reference": line.family.reference,
        "need_id": line.need_id,
        "stream": line.stream.code,
        "expense_category": line.expense_category.code,
        "item_description": line.item_description,
        "amount_pence": line.amount_pence,
        "payee": line.payee,
        "spend_date": line.spend_date,
        "agreement_reference": line.agreement_reference,
    }


@blp.route("/spend-lines/<public_id>", methods=["PATCH"])
@roles_required(Role.CASEWORKER)
@blp.arguments(SpendLineChangesSchema)
@blp.response(200, SpendSchema)
@blp.if_match()
def edit_spend_line(changes: dict[str, Any], public_id: str) -> SpendLine:
    """Correct a draft or rejected line (a rejected one goes back to draft); only the fields sent change."""
    line = _line_to_change(public_id, if_match_required=True)
    try:
        update_spend_line(line, spend_fields_from(SpendInput(**{**_as_input(line), **changes})), current_user)
    except SpendError as error:
        _refused(error)
    send_etag(line)
    return line


class ReceiptUploadSchema(Schema):
    receipt = Upload(required=True, metadata={"description": "A PDF, JPG or PNG smaller than 5MB"})


@blp.route("/spend-lines/<public_id>/receipts", methods=["POST"])
@roles_required(Role.CASEWORKER)
@blp.arguments(ReceiptUploadSchema, location="files")
@blp.response(201, ReceiptSchema)
def upload_spend_receipt(files: dict[str, Any], public_id: str) -> tuple[Receipt, int]:
    """Attach a receipt (multipart/form-data, field `receipt`) to a draft or rejected line."""
    line = _line_to_change(public_id)
    upload = files["receipt"]
    try:
        receipt = add_receipt(line, upload.stream, upload.filename or "", current_user)
    except SpendError as error:
        _refused(error)
    return receipt, 201


@blp.route("/receipts/<public_id>")
@roles_required(*SPEND_STAFF)
@blp.doc(responses={"200": {"description": "The receipt file", "content": {"application/octet-stream": {}}}})
def download_spend_receipt(public_id: str) -> Response:
    """A receipt's file, as it was checked at upload. Audited, as on the spend line's page."""
    receipt = db.session.execute(select(Receipt).where(Receipt.public_id == public_id)).scalar_one_or_none()
    path = readable_receipt_path(receipt) if receipt is not None else None
    if receipt is None or path is None:
        api_abort(404)
    return send_file(
        path, mimetype=receipt.content_type, as_attachment=True, download_name=download_name(receipt), max_age=0
    )


@blp.route("/receipts/<public_id>", methods=["DELETE"])
@roles_required(Role.CASEWORKER)
@blp.response(204)
def remove_spend_receipt(public_id: str) -> None:
    """Remove a receipt from a draft or rejected line (the file goes once the removal is saved)."""
    receipt = db.session.execute(select(Receipt).where(Receipt.public_id == public_id)).scalar_one_or_none()
    if receipt is None:
        api_abort(404)
    _line_to_change(receipt.spend_line.public_id)
    try:
        remove_receipt(receipt, current_user)
    except SpendError as error:
        _refused(error)


@blp.route("/spend-lines/<public_id>/submit", methods=["POST"])
@roles_required(Role.CASEWORKER)
@blp.response(200, SpendSchema)
def submit_spend(public_id: str) -> SpendLine:
    """Submit a draft (with its receipts) for a reviewer's decision."""
    line = _line_to_change(public_id)
    try:
        submit_spend_line(line, current_user)
    except SpendError as error:
        _refused(error)
    send_etag(line)
    return line


@blp.route("/spend-lines/<public_id>/delivered", methods=["POST"])
@roles_required(Role.CASEWORKER)
@blp.response(200, SpendSchema)
def record_spend_delivered(public_id: str) -> SpendLine:
    """A paid match was delivered: its committed line becomes a draft to complete and submit."""
    line = _line_to_change(public_id)
    try:
        record_delivery(line, current_user)
    except SpendError as error:
        _refused(error)
    send_etag(line)
    return line


@blp.route("/spend-lines/<public_id>/approve", methods=["POST"])
@roles_required(Role.REVIEWER)
@blp.arguments(ApproveSpendSchema)
@blp.response(200, SpendSchema)
def approve_spend(body: dict[str, Any], public_id: str) -> SpendLine:
    """Approve and spend (never spend you entered yourself). For a line bought for a need still open, say
    whether the need is now met (`need_met`)."""
    line = _line_to_change(public_id)
    try:
        approve_and_meet_need(line, current_user, body["note"], body["need_met"])
    except SpendError as error:
        _refused(error)
    send_etag(line)
    return line


@blp.route("/spend-lines/<public_id>/reject", methods=["POST"])
@roles_required(Role.REVIEWER)
@blp.arguments(RejectSpendSchema)
@blp.response(200, SpendSchema)
def reject_spend(body: dict[str, Any], public_id: str) -> SpendLine:
    """Reject with the reason; the caseworker who entered it is told."""
    line = _line_to_change(public_id)
    try:
        reject_spend_line(line, current_user, body["reason"])
    except SpendError as error:
        _refused(error)
    send_etag(line)
    return line


# --- budgets ---------------------------------------------------------------------------------------------------


@blp.route("/budgets/pools")
@roles_required(*SPEND_STAFF)
@blp.response(200, BudgetSchema(many=True))
def list_pool_budgets() -> list[BudgetView]:
    """The council pools: allocated, committed, spent, waiting for review and remaining, in pence."""
    return load_book(families=[]).pool_views()


@blp.route("/budgets/families")
@roles_required(*SPEND_STAFF)
@blp.arguments(ClosedQuerySchema, location="query")
@blp.response(200, FamilyBudgetsPageSchema)
def list_family_budgets(args: dict[str, Any]) -> Page:
    """Each arrived family's budgets in every stream of its scheme open today, families by reference."""
    page = keyset_page(select(Family).where(Family.arrival_date.is_not(None)), [asc(Family.id)], args)
    book = load_book(families=page.items)
    page.items = [{"family_reference": f.reference, "budgets": book.family_views(f)} for f in page.items]
    return page


@blp.route("/budgets/families/<reference>")
@roles_required(*SPEND_STAFF)
@blp.response(200, FamilyBudgetsSchema)
def read_family_budgets(reference: str) -> dict[str, Any]:
    family = db.session.execute(select(Family).where(Family.reference == reference.upper())).scalar_one_or_none()
    if family is None:
        api_abort(404)
    return {"family_reference": family.reference, "budgets": load_book(families=[family]).family_views(family)}


# --- claim batches ---------------------------------------------------------------------------------------------


@blp.route("/claim-batches")
@roles_required(Role.REVIEWER)
@blp.arguments(ClosedQuerySchema, location="query")
@blp.response(200, ClaimBatchPageSchema)
def list_claim_batches(args: dict[str, Any]) -> Page:
    return keyset_page(select(ClaimBatch), [ClaimBatch.id.desc()], args)


@blp.route("/claim-batches/preview")
@roles_required(Role.REVIEWER)
@blp.arguments(ClaimRequestSchema, location="query")
@blp.response(200, ClaimPreviewSchema)
def preview_claim_batch(args: dict[str, Any]) -> ClaimPreview:
    """What a claim batch would gather now: the approved, unclaimed spend of the scheme dated up to
    `period_end`. Send its `fingerprint` when creating the batch."""
    return preview_claim(_scheme(args["scheme"]), args["period_end"])


def _find_batch(public_id: str) -> ClaimBatch | None:
    return db.session.execute(select(ClaimBatch).where(ClaimBatch.public_id == public_id)).scalar_one_or_none()


def _batch_public_id(batch: ClaimBatch) -> str:
    return batch.public_id


@blp.route("/claim-batches", methods=["POST"])
@roles_required(Role.REVIEWER)
@blp.arguments(ClaimCreateSchema)
@blp.response(201, ClaimBatchSchema)
@blp.idempotent_create(_find_batch, _batch_public_id)
def create_claim(body: dict[str, Any]) -> tuple[ClaimBatch, int]:
    """Gather the scheme's approved, unclaimed spend up to `period_end` into a batch. With the preview's
    `fingerprint`, only if the lines are still those previewed: otherwise 409 (preview again)."""
    scheme = _scheme(body["scheme"])
    if body.get("fingerprint"):
        found = preview_claim(scheme, body["period_end"])
        if found.fingerprint != body["fingerprint"]:
            api_abort(
                409,
                "Approvals changed the lines since the preview. Check the new preview, then create the batch.",
                {"fingerprint": [f"The lines changed since the preview: they are {found.fingerprint} now"]},
            )
    try:
        batch = create_claim_batch(scheme, body["period_end"], current_user)
    except SpendError as error:
        _refused(error)
    return batch, 201


@blp.route("/claim-batches/<public_id>")
@roles_required(Role.REVIEWER)
@blp.response(200, ClaimBatchSchema)
def read_claim_batch(public_id: str) -> ClaimBatch:
    batch = _find_batch(public_id)
    if batch is None:
        api_abort(404)
    return batch


@blp.route("/claim-batches/<public_id>/csv")
@roles_required(Role.REVIEWER)
@blp.doc(responses={"200": {"description": "The claim CSV (see the README)", "content": {"text/csv": {}}}})
def download_claim_batch(public_id: str) -> Response:
    """The batch as the CSV the funder's claim template takes (the same file as the claims page gives)."""
    batch = _find_batch(public_id)
    if batch is None:
        api_abort(404)
    return csv_response(f"claim-{batch.reference}.csv", CLAIM_CSV_HEADER, list(claim_csv_rows(batch)))
