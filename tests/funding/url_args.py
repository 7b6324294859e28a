"""URL parameters for the funding routes in the access matrix (tests/web/test_access.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.funding.factories import (
    AmountRuleFactory,
    ClaimBatchFactory,
    ExpenseCategoryFactory,
    FundingSchemeFactory,
    FundingStreamFactory,
    ReceiptFactory,
    SpendLineFactory,
)


def _line() -> dict[str, Any]:
    return {"public_id": SpendLineFactory().public_id}


def _receipt() -> dict[str, Any]:
    return {"public_id": ReceiptFactory().public_id}


FUNDING_URL_ARGS: dict[str, Callable[[], dict[str, Any]]] = {
    "funding.show_scheme": lambda: {"scheme_id": FundingSchemeFactory().id},
    "funding.edit_scheme": lambda: {"scheme_id": FundingSchemeFactory().id},
    "funding.new_stream": lambda: {"scheme_id": FundingSchemeFactory().id},
    "funding.edit_stream": lambda: {"stream_id": FundingStreamFactory().id},
    "funding.new_rule": lambda: {"stream_id": FundingStreamFactory().id},
    "funding.edit_rule": lambda: {"rule_id": AmountRuleFactory().id},
    "funding.edit_eligibility": lambda: {
        "scheme_id": FundingSchemeFactory().id,
        "expense_category_id": ExpenseCategoryFactory().id,
    },
    "funding.edit_expense_category": lambda: {"expense_category_id": ExpenseCategoryFactory().id},
    "funding.show_spend_line": _line,
    "funding.edit_spend_line": _line,
    "funding.upload_receipt": _line,
    "funding.submit_spend": _line,
    "funding.record_spend_delivery": _line,
    "funding.approve_spend": _line,
    "funding.reject_spend": _line,
    "funding.remove_receipt_file": _receipt,
    "funding.download_receipt": _receipt,
    "funding.show_family_budgets": lambda: {"reference": SpendLineFactory().family.reference},
    "funding.export_claim_batch": lambda: {"public_id": ClaimBatchFactory().public_id},
    # The API (/api/v1/funding).
    **{
        f"api_funding.{name}": _line
        for name in [
            "read_spend_line",
            "edit_spend_line",
            "upload_spend_receipt",
            "submit_spend",
            "record_spend_delivered",
            "approve_spend",
            "reject_spend",
        ]
    },
    "api_funding.download_spend_receipt": _receipt,
    "api_funding.remove_spend_receipt": _receipt,
    "api_funding_config.edit_expense_category_code": lambda: {"code": ExpenseCategoryFactory().code},
    "api_funding_config.set_category_eligibility": lambda: {
        "scheme_code": FundingSchemeFactory().code,
        "category_code": ExpenseCategoryFactory().code,
    },
    "api_funding.read_family_budgets": lambda: {"reference": SpendLineFactory().family.reference},
    "api_funding.read_claim_batch": lambda: {"public_id": ClaimBatchFactory().public_id},
    "api_funding.download_claim_batch": lambda: {"public_id": ClaimBatchFactory().public_id},
    "api_funding_config.read_funding_scheme": lambda: {"code": FundingSchemeFactory().code},
    "api_funding_config.edit_funding_scheme": lambda: {"code": FundingSchemeFactory().code},
    "api_funding_config.create_funding_stream": lambda: {"code": FundingSchemeFactory().code},
    "api_funding_config.read_funding_stream": lambda: {"code": FundingStreamFactory().code},
    "api_funding_config.edit_funding_stream": lambda: {"code": FundingStreamFactory().code},
    "api_funding_config.create_amount_rule": lambda: {"code": FundingStreamFactory().code},
    "api_funding_config.read_amount_rule": lambda: {"rule_id": AmountRuleFactory().id},
    "api_funding_config.edit_amount_rule": lambda: {"rule_id": AmountRuleFactory().id},
}
