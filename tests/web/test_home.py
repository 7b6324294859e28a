"""The home page shows each role what needs doing, with counts that link to the lists, in a fixed number of
SQL statements."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select

from resettle.auth.models import Role
from resettle.clock import local_today
from resettle.extensions import db
from resettle.families.models import FamilyStatus
from resettle.funding.allocation import RuleBasis
from resettle.funding.models import FundingStream, StreamScope
from resettle.funding.spend_models import SpendStatus
from resettle.main.home import (
    admin_work,
    caseworker_budget_alerts,
    caseworker_work,
    reviewer_budget_alerts,
    reviewer_work,
)
from resettle.matching.models import RunStatus
from resettle.offers.models import OfferStatus
from tests.factories import UserFactory
from tests.families.factories import FamilyFactory, MemberFactory, NeedFactory, TaskFactory
from tests.funding.factories import AmountRuleFactory, ArrivedFamilyFactory, FundingStreamFactory, SpendLineFactory
from tests.matching.factories import MatchFactory, MatchRunFactory, ProposalFactory
from tests.offers.factories import OfferFactory


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):  # the test's own transaction
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def statements_for(work: Callable[[], Any], *loaded: Any) -> int:
    db.session.flush()
    for row in loaded:  # loaded before counting, as the signed-in user is by the time a page runs
        db.session.refresh(row)
    with counting_statements() as statements:
        work()
    return len(statements)


def caseload(caseworker: Any, copies: int) -> None:
    """`copies` of everything a caseworker's home page counts."""
    today = local_today()
    run = MatchRunFactory()
    for _ in range(copies):
        family = FamilyFactory(
            caseworker=caseworker, status=FamilyStatus.ARRIVING, arrival_date=today + timedelta(days=5)
        )
        TaskFactory(family=family, due_on=today - timedelta(days=3))
        TaskFactory(family=family, due_on=today + timedelta(days=2))
        TaskFactory(
            family=family,
            due_on=today - timedelta(days=3),
            snoozed_until=today + timedelta(days=9),
            snooze_reason="Away",
        )
        ProposalFactory(run=run, need=NeedFactory(family=family))
        OfferFactory(status=OfferStatus.SUBMITTED)
        SpendLineFactory(
            family=family,
            created_by=caseworker,
            status=SpendStatus.REJECTED,
            rejection_reason="No receipt",
            decided_at=datetime(2017, 6, 11, tzinfo=UTC),
            decided_by=UserFactory(role=Role.REVIEWER),
        )
        SpendLineFactory(family=family, created_by=caseworker, status=SpendStatus.SUBMITTED)
        MatchFactory(need=NeedFactory(family=family), offer__status=OfferStatus.WITHDRAWN)
    db.session.flush()


def test_caseworker_counts_are_one_statement_however_much_there_is(database: Any) -> None:
    caseworker = UserFactory(role=Role.CASEWORKER)
    caseload(caseworker, 1)
    small = statements_for(lambda: caseworker_work(caseworker, local_today()), caseworker)
    caseload(caseworker, 6)
    assert statements_for(lambda: caseworker_work(caseworker, local_today()), caseworker) == small == 1
    counts = {item.many: item.count for item in caseworker_work(caseworker, local_today())}
    assert counts == {
        "overdue tasks": 7,  # snoozed ones wait for their date
        "tasks due in the next 7 days": 7,
        "proposals waiting for your decision": 6,  # of the newest run only
        "offers to verify": 7,
        "families arriving in the next 14 days": 7,
        "spend lines rejected": 7,
        "spend lines waiting for review": 7,
        "matches whose offer was withdrawn": 7,
    }
    someone_else = UserFactory(role=Role.CASEWORKER)
    assert [item.count for item in caseworker_work(someone_else, local_today())] == [0, 0, 0, 7, 0, 0, 0, 0]


def test_caseworker_home_links_each_count_and_says_when_nothing_waits(database: Any, login_as: Any) -> None:
    client = login_as(Role.CASEWORKER)
    html = client.get("/").get_data(as_text=True)
    assert "Nothing is waiting for you" in html

    caseload(client.user, 2)
    html = client.get("/").get_data(as_text=True)
    assert "Nothing is waiting for you" not in html
    assert '<span class="app-work-list__count">2</span> overdue tasks' in html
    assert "/funding/spend?status=rejected" in html and "/offers/?status=submitted" in html
    assert "/matching/#withdrawn" in html
    matching = client.get("/matching/").get_data(as_text=True)
    assert "Matches whose offer was withdrawn" in matching and "withdrawn</li>" in matching


def test_reviewer_sees_the_queue_and_the_next_claim(database: Any, login_as: Any) -> None:
    client = login_as(Role.REVIEWER)
    html = client.get("/").get_data(as_text=True)
    assert "No spend is waiting for review" in html and "No approved spend is waiting to be claimed" in html

    reviewer = client.user
    for status in (SpendStatus.SUBMITTED, SpendStatus.SUBMITTED, SpendStatus.APPROVED):
        SpendLineFactory(
            status=status,
            decided_by=reviewer if status == SpendStatus.APPROVED else None,
            decided_at=datetime(2017, 6, 12, tzinfo=UTC) if status == SpendStatus.APPROVED else None,
        )
    db.session.flush()
    assert statements_for(reviewer_work) == 1
    html = client.get("/").get_data(as_text=True)
    assert '<span class="app-work-list__count">2</span> spend lines to review' in html
    assert "1 approved spend line worth £300.00 is ready to claim, the oldest from 10 June 2017" in html


def test_administrator_sees_accounts_failures_and_the_last_run(database: Any, login_as: Any) -> None:
    client = login_as(Role.ADMIN)
    html = client.get("/").get_data(as_text=True)
    assert "Matching has not run yet" in html and "Nothing needs your attention" in html

    UserFactory(role=Role.CASEWORKER, password_hash=None)
    MatchRunFactory(status=RunStatus.FAILED)
    MatchRunFactory(status=RunStatus.OPTIMAL, proposal_count=3, need_count=5)
    db.session.flush()
    small = statements_for(admin_work)
    for _ in range(5):
        UserFactory(role=Role.CASEWORKER)
    assert statements_for(admin_work) == small == 3
    html = client.get("/").get_data(as_text=True)
    assert "invitation not yet accepted" in html and "matching run failed this week" in html
    assert "3 proposals for 5 open needs" in html


def test_the_whole_home_page_costs_the_same_however_much_there_is(database: Any, login_as: Any) -> None:
    client = login_as(Role.CASEWORKER)
    caseload(client.user, 1)
    client.get("/")  # templates compiled, session loaded
    with counting_statements() as small:
        client.get("/")
    caseload(client.user, 8)
    with counting_statements() as large:
        client.get("/")
    # The counts (one statement), the session and user, and the budget book for the caseworker's families: the
    # streams with their rules, the households, the pools' households, one grouped spend sum, the names.
    assert len(large) == len(small) <= 15


def approved(reviewer: Any) -> dict[str, Any]:
    return {
        "status": SpendStatus.APPROVED,
        "submitted_at": datetime(2017, 6, 11, tzinfo=UTC),
        "decided_by": reviewer,
        "decided_at": datetime(2017, 6, 12, tzinfo=UTC),
    }


def budget_world(caseworker: Any, spent_pence: list[int]) -> list[Any]:
    """A stream of £1,000 a person, a pool of £10,000, and one arrived one-person family of the caseworker's
    per amount, with that much approved spend on the stream."""
    stream = FundingStreamFactory(name="Core tariff")
    AmountRuleFactory(stream=stream, basis=RuleBasis.PER_PERSON, amount_pence=100_000)
    pool = FundingStreamFactory(name="Housing pool", scope=StreamScope.POOL, scheme=stream.scheme)
    AmountRuleFactory(stream=pool, basis=RuleBasis.COUNCIL_FIXED, amount_pence=1_000_000)
    reviewer = UserFactory(role=Role.REVIEWER)
    families = []
    for index, pence in enumerate(spent_pence):
        family = ArrivedFamilyFactory(caseworker=caseworker, name=f"Family {index}")
        MemberFactory(family=family)
        SpendLineFactory(family=family, stream=stream, amount_pence=pence, **approved(reviewer))
        families.append(family)
    db.session.flush()
    return families


def test_caseworkers_see_their_families_budgets_at_80_percent_and_more(database: Any, login_as: Any) -> None:
    client = login_as(Role.CASEWORKER)
    html = client.get("/").get_data(as_text=True)
    assert "No budget is 80% or more used for your families." in html
    nearly, full, fine = budget_world(client.user, [85_000, 100_000, 10_000])
    alerts = caseworker_budget_alerts(client.user, local_today())
    assert [a.label for a in alerts.nearly] == [f"Family 0 ({nearly.reference}): Core tariff"]
    assert [a.used_text for a in alerts.nearly] == ["85% used"]
    assert [a.label for a in alerts.spent] == [f"Family 1 ({full.reference}): Core tariff"]
    html = client.get("/").get_data(as_text=True)
    assert "2 budgets are 80% or more used" in html and fine.reference not in html
    assert f"/funding/families/{full.reference}/budgets" in html
    someone_else = UserFactory(role=Role.CASEWORKER)
    assert caseworker_budget_alerts(someone_else, local_today()).count == 0


def test_budget_alerts_cost_the_same_however_many_families(database: Any, login_as: Any) -> None:
    client = login_as(Role.CASEWORKER)
    budget_world(client.user, [85_000])
    small = statements_for(lambda: caseworker_budget_alerts(client.user, local_today()), client.user)
    budget_world(client.user, [85_000, 90_000, 100_000, 5_000])
    assert statements_for(lambda: caseworker_budget_alerts(client.user, local_today()), client.user) == small
    reviewer_small = statements_for(lambda: reviewer_budget_alerts(local_today()))
    budget_world(client.user, [95_000, 99_000])
    assert statements_for(lambda: reviewer_budget_alerts(local_today())) == reviewer_small


def test_reviewers_see_streams_at_80_and_at_100_percent(database: Any, login_as: Any) -> None:
    client = login_as(Role.REVIEWER)
    caseworker = UserFactory(role=Role.CASEWORKER)
    first, _ = budget_world(caseworker, [90_000, 80_000])  # £1,700 of £2,000: 85%
    html = client.get("/").get_data(as_text=True)
    assert "80% or more used" in html and "VPRS: Core tariff" in html and "85% of £2,000.00 used" in html
    stream = db.session.execute(select(FundingStream).where(FundingStream.name == "Core tariff")).scalar_one()
    SpendLineFactory(family=first, stream=stream, amount_pence=30_000, **approved(client.user))
    db.session.flush()
    alerts = reviewer_budget_alerts(local_today())
    assert len(alerts.spent) == 1 and not alerts.nearly
    assert "Fully used (100% or more)" in client.get("/").get_data(as_text=True)
