"""The rules a spend line must meet, as pure functions over plain facts, so each rule is tested on its own.

A line is checked when a caseworker submits it and again, in full, when a reviewer approves it (also in
bulk): configuration or the family may have changed in between, and a reviewer must never be able to
approve something the rules forbid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from resettle.funding.models import Eligibility

MAX_REVIEW_NOTE = 1000


@dataclass(frozen=True)
class Problem:
    """A broken rule; `field` names the form field it belongs beside. `about_state` marks a refusal caused
    by the record as it is now (already decided, no longer committed, the budget spent meanwhile) rather than
    by what was sent: the API answers those with 409, the others with 422."""

    field: str
    message: str
    about_state: bool = False


@dataclass(frozen=True)
class SpendFacts:
    item_label: str
    scheme_code: str
    stream_name: str
    eligibility: Eligibility
    family_scheme_code: str | None
    stream_pays_for_category: bool
    stream_open_on: bool
    spend_date: date
    requires_prior_agreement: bool
    agreement_reference: str
    receipt_count: int


def blocked_message(item_label: str, scheme_code: str) -> str:
    return (
        f"{item_label} cannot be paid for from {scheme_code} funds. "
        "Ask residents for a donated one through an offer instead"
    )


def charge_problems(facts: SpendFacts) -> list[Problem]:
    """Whether the money may be spent on this at all: eligibility, the family's scheme, the stream's remit."""
    problems = []
    if facts.eligibility is Eligibility.BLOCKED:
        problems.append(Problem("expense_category", blocked_message(facts.item_label, facts.scheme_code)))
    if facts.family_scheme_code is None:
        problems.append(Problem("stream", "Record the family's resettlement scheme before charging its funds"))
    elif facts.family_scheme_code != facts.scheme_code:
        problems.append(
            Problem(
                "stream",
                f"Select a stream of the family's own scheme ({facts.family_scheme_code}), not {facts.scheme_code}",
            )
        )
    if not facts.stream_pays_for_category:
        problems.append(
            Problem("stream", f"{facts.stream_name} does not pay for this kind of spend. Select another funding stream")
        )
    if not facts.stream_open_on:
        problems.append(
            Problem(
                "spend_date",
                f"{facts.stream_name} is not open on {facts.spend_date.day} "
                f"{facts.spend_date:%B %Y}. "
                "Select another stream or check the date",
            )
        )
    return problems


def submission_problems(facts: SpendFacts) -> list[Problem]:
    problems = charge_problems(facts)
    if facts.requires_prior_agreement and not facts.agreement_reference.strip():
        problems.append(
            Problem(
                "agreement_reference",
                "Enter the Home Office agreement reference: exceptional costs need written "
                "agreement before they are incurred",
            )
        )
    if facts.receipt_count < 1:
        problems.append(Problem("receipt", "Upload at least one receipt before submitting"))
    return problems


def approval_problems(facts: SpendFacts, reviewer_note: str) -> list[Problem]:
    """Everything a submission needs, plus a reviewer's note for items the scheme pays for only on approval."""
    problems = submission_problems(facts)
    if facts.eligibility is Eligibility.NEEDS_APPROVAL and not reviewer_note.strip():
        problems.append(
            Problem(
                "note",
                f"Enter a note saying why {facts.item_label} is approved: "
                f"{facts.scheme_code} funds pay for it only with a reviewer's reason",
            )
        )
    if len(reviewer_note) > MAX_REVIEW_NOTE:
        problems.append(Problem("note", f"Note must be {MAX_REVIEW_NOTE} characters or fewer"))
    return problems


def rejection_problems(reason: str) -> list[Problem]:
    if not reason.strip():
        return [Problem("reason", "Enter the reason for rejecting this spend")]
    if len(reason) > MAX_REVIEW_NOTE:
        return [Problem("reason", f"Reason must be {MAX_REVIEW_NOTE} characters or fewer")]
    return []


def dates_overlap(start_a: date, end_a: date | None, start_b: date, end_b: date | None) -> bool:
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)


def bands_overlap(min_a: int | None, max_a: int | None, min_b: int | None, max_b: int | None) -> bool:
    low_a, high_a = min_a or 0, 200 if max_a is None else max_a
    low_b, high_b = min_b or 0, 200 if max_b is None else max_b
    return low_a <= high_b and low_b <= high_a
