"""Factories for match runs, proposals and matches."""

from __future__ import annotations

from datetime import date

import factory

from resettle.matching.models import (
    Match,
    MatchRun,
    MatchRunRequest,
    MatchStatus,
    Proposal,
    RunPhase,
    RunStatus,
    RunTrigger,
)
from resettle.offers.models import OfferStatus
from tests.factories import BaseFactory
from tests.families.factories import NeedFactory
from tests.offers.factories import OfferFactory


class MatchRunFactory(BaseFactory):
    class Meta:
        model = MatchRun

    trigger = RunTrigger.MANUAL
    problem_date = factory.LazyFunction(date.today)
    status = RunStatus.OPTIMAL
    stats = factory.LazyFunction(dict)


class ProposalFactory(BaseFactory):
    class Meta:
        model = Proposal

    run = factory.SubFactory(MatchRunFactory)
    need = factory.SubFactory(NeedFactory)
    offer = factory.SubFactory(
        OfferFactory, category=factory.SelfAttribute("..need.category"), status=OfferStatus.VERIFIED
    )
    charge_pence = 0
    value = 1000.0


class MatchFactory(BaseFactory):
    class Meta:
        model = Match

    need = factory.SubFactory(NeedFactory)
    offer = factory.SubFactory(
        OfferFactory, category=factory.SelfAttribute("..need.category"), status=OfferStatus.VERIFIED
    )
    units = 1
    status = MatchStatus.ACCEPTED


class MatchRunRequestFactory(BaseFactory):
    class Meta:
        model = MatchRunRequest

    trigger = RunTrigger.MANUAL.value
    phase = RunPhase.DONE.value
    live_slot = None
    time_limit = 30.0
    message = "3 proposals, 1 needs unmet"
