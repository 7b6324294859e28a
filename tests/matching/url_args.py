"""URL parameters for the matching routes in the access matrix (tests/web/test_access.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.families.factories import FamilyFactory, NeedFactory
from tests.matching.factories import MatchFactory, MatchRunRequestFactory, ProposalFactory

MATCHING_URL_ARGS: dict[str, Callable[[], dict[str, Any]]] = {
    "matching.family_proposals": lambda: {"reference": FamilyFactory().reference},
    "matching.accept": lambda: {"proposal_id": ProposalFactory().id},
    "matching.reject": lambda: {"proposal_id": ProposalFactory().id},
    "matching.pick": lambda: {"need_id": NeedFactory().id},
    "matching.fulfil": lambda: {"match_id": MatchFactory().id},
    "matching.cancel": lambda: {"match_id": MatchFactory().id},
    "matching.run_progress": lambda: {"public_id": MatchRunRequestFactory().public_id},
}
