"""URL parameters for the matching routes in the access matrix (tests/web/test_access.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.families.factories import FamilyFactory, NeedFactory
from tests.matching.factories import MatchFactory, MatchRunFactory, MatchRunRequestFactory, ProposalFactory

MATCHING_URL_ARGS: dict[str, Callable[[], dict[str, Any]]] = {
    "matching.family_proposals": lambda: {"reference": FamilyFactory().reference},
    "matching.accept": lambda: {"proposal_id": ProposalFactory().id},
    "matching.reject": lambda: {"proposal_id": ProposalFactory().id},
    "matching.pick": lambda: {"need_id": NeedFactory().id},
    "matching.fulfil": lambda: {"match_id": MatchFactory().id},
    "matching.cancel": lambda: {"match_id": MatchFactory().id},
    "matching.run_progress": lambda: {"public_id": MatchRunRequestFactory().public_id},
    # The API (/api/v1/matching).
    "api_matching.read_match_run": lambda: {"run_id": MatchRunFactory().id},
    "api_matching.read_run_request": lambda: {"public_id": MatchRunRequestFactory().public_id},
    "api_matching.read_proposal": lambda: {"proposal_id": ProposalFactory().id},
    "api_matching.accept_proposal": lambda: {"proposal_id": ProposalFactory().id},
    "api_matching.reject_proposal": lambda: {"proposal_id": ProposalFactory().id},
    "api_matching.list_candidates": lambda: {"need_id": NeedFactory().id},
    "api_matching.pick_offer": lambda: {"need_id": NeedFactory().id},
    "api_matching.read_match": lambda: {"match_id": MatchFactory().id},
    "api_matching.fulfil_match": lambda: {"match_id": MatchFactory().id},
    "api_matching.cancel_match": lambda: {"match_id": MatchFactory().id},
}
