"""The nightly matching job: re-run the engine and tell each caseworker about new proposals for their families.

Safe to run twice: the second run finds the same pairs, which are no longer new, so nobody is emailed twice.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from resettle.auth.models import User
from resettle.extensions import db
from resettle.families.models import Family, Need
from resettle.jobs import register_job
from resettle.matching.emails import send_new_proposals_digest
from resettle.matching.models import MatchRun, Proposal, ProposalStatus, RunTrigger
from resettle.matching.runs import NIGHTLY_TIME_LIMIT, RunInProgress, process_queued_run, run_matching
from resettle.notifications.models import NotificationKind
from resettle.notifications.services import notify, site_path, users_wanting_email


def notify_caseworkers(run: MatchRun) -> int:
    """A notification to each caseworker with new proposals for their families in this run, and one email to
    those who want proposals by email. Returns emails queued."""
    by_caseworker: dict[int, list[Proposal]] = defaultdict(list)
    users: dict[int, User] = {}
    # The new proposals with their needs, families, caseworkers and offers: one statement, whatever the number.
    new_proposals = db.session.execute(
        select(Proposal)
        .where(Proposal.run_id == run.id, Proposal.is_new.is_(True), Proposal.status == ProposalStatus.PROPOSED)
        .options(
            joinedload(Proposal.need).joinedload(Need.family).joinedload(Family.caseworker),
            joinedload(Proposal.offer),
        )
        .order_by(Proposal.id)
    ).scalars()
    for proposal in new_proposals:
        caseworker = proposal.need.family.caseworker
        if caseworker is not None and caseworker.is_active_account:
            by_caseworker[caseworker.id].append(proposal)
            users[caseworker.id] = caseworker
    for user_id, proposals in by_caseworker.items():
        count = len(proposals)
        families = sorted({proposal.need.family.name for proposal in proposals})
        notify(
            users[user_id],
            NotificationKind.NEW_PROPOSAL,
            f"{count} new matching proposal{'s' if count != 1 else ''} for {', '.join(families)}",
            site_path("matching.caseload_proposals"),
        )
    # The daily digest goes only to those who want proposals by email.
    emailed = users_wanting_email([users[user_id] for user_id in by_caseworker], NotificationKind.NEW_PROPOSAL)
    for user in emailed:
        send_new_proposals_digest(user, by_caseworker[user.id])
    return len(emailed)


@register_job(
    "nightly_matching", "cron", "Re-run matching and email caseworkers about new proposals", hour=2, minute=30
)
def nightly_matching() -> str:
    try:
        run = run_matching(None, RunTrigger.NIGHTLY, time_limit=NIGHTLY_TIME_LIMIT)
    except RunInProgress:
        return "another matching run is going; its proposals stand for tonight"
    emailed = notify_caseworkers(run)
    return f"run {run.id}: {run.proposal_count} proposals, {run.unmet_count} unmet, {emailed} caseworkers emailed"


# Seconds between looks at the queue: a queued run starts within this long.
QUEUE_POLL_SECONDS = 3


@register_job("matching_queue", "interval", "Start the matching runs users asked for", seconds=QUEUE_POLL_SECONDS)
def process_matching_queue() -> str:
    run = process_queued_run()
    if run is None:
        return "no run queued"
    return f"run {run.id}: {run.proposal_count} proposals, {run.unmet_count} unmet, status {run.status.value}"
