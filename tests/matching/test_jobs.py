"""The nightly job re-runs matching and emails each caseworker once about new proposals for their families."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from resettle.auth.models import Role
from resettle.jobs import load_jobs
from resettle.matching.models import MatchRun, RunTrigger
from resettle.notifications.models import OutboundEmail
from resettle.taxonomy import Category
from tests.factories import UserFactory
from tests.matching.conftest import arrived_family, open_need, verified_offer


def _emails(database: Any) -> list[OutboundEmail]:
    return list(database.session.execute(select(OutboundEmail).order_by(OutboundEmail.id)).scalars())


def test_nightly_matching_tells_each_caseworker_about_their_new_proposals_once(database: Any) -> None:
    amira, tom = UserFactory(role=Role.CASEWORKER, name="Amira"), UserFactory(role=Role.CASEWORKER, name="Tom")
    amiras = [arrived_family(amira), arrived_family(amira)]
    for family in amiras:
        open_need(family, Category.MEAL)
    toms = arrived_family(tom)
    open_need(toms, Category.FURNITURE, item="sofa")  # nothing offered: no proposal, no email
    verified_offer(Category.MEAL, capacity=4)
    job = load_jobs()["nightly_matching"]
    assert job.trigger == "cron"

    summary = job.func()

    [run] = database.session.execute(select(MatchRun)).scalars()
    assert run.trigger is RunTrigger.NIGHTLY and run.started_by is None
    assert summary == f"run {run.id}: 2 proposals, 1 unmet, 1 caseworkers emailed"
    [email] = _emails(database)
    assert email.to_address == amira.email and email.subject == "2 new matching proposals for your families"
    for family in amiras:
        assert f"/matching/families/{family.reference}" in email.body
    assert family.name not in email.body and family.address_line_1 not in email.body

    job.func()  # run again: the same proposals are not new, so nobody is emailed twice
    assert len(_emails(database)) == 1
    assert database.session.execute(select(MatchRun.id).order_by(MatchRun.id)).scalars().all()[-1] != run.id
