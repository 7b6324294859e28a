"""Emails about matches: the offerer learns what happens next, caseworkers learn of new proposals.

The offerer is told nothing about the family beyond what the family consented to share with community
volunteers (`ConsentPurpose.SHARE_WITH_VOLUNTEERS`): with that consent, the first name of the person to
expect; without it, nothing that identifies them. Never a surname, an address, an age or a health detail.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from resettle.auth.models import User
from resettle.dataprotection.restriction import may_process
from resettle.families.models import ConsentPurpose, Family, Relationship
from resettle.families.queries import current_consents
from resettle.notifications.email import queue_email
from resettle.offers.links import absolute_url, offer_link
from resettle.offers.models import Handover
from resettle.taxonomy import Category

if TYPE_CHECKING:
    from resettle.matching.models import Match, Proposal


def shares_first_names(family: Family) -> bool:
    return any(
        consent.purpose is ConsentPurpose.SHARE_WITH_VOLUNTEERS and consent.is_given
        for consent in current_consents(family)
    )


def contact_first_name(family: Family) -> str | None:
    """The principal applicant's first name, only when the family agreed to share it."""
    if not shares_first_names(family):
        return None
    applicant = next((m for m in family.current_members if m.relationship_to_applicant is Relationship.APPLICANT), None)
    return applicant.full_name.split()[0] if applicant and applicant.full_name.strip() else None


def _what_happens_next(match: Match) -> str:
    offer = match.offer
    if offer.category in (Category.FURNITURE, Category.HOUSEHOLD):
        if offer.handover is Handover.COLLECTION:
            return "Your caseworker will contact you to agree a day to collect the items from you."
        return "Your caseworker will contact you to agree a day and a time for the delivery."
    if offer.category is Category.HOUSING:
        return (
            "Your caseworker will contact you to arrange a viewing with the family and, if it suits them, "
            "the tenancy agreement and the move-in date."
        )
    if offer.category is Category.MEAL:
        return "Your caseworker will contact you to book a day for the welcome meal."
    return "Your caseworker will contact you to arrange the first meeting."


def send_offerer_next_steps(match: Match, caseworker: User) -> None:
    if not may_process(match.need.family):
        return  # processing restricted: no email about the family
    offer = match.offer
    first_name = contact_first_name(match.need.family)
    who = (
        f"a family the council is supporting (you will meet {first_name})"
        if first_name
        else "a family the council is supporting"
    )
    what = match.offer_item.kind_label if match.offer_item is not None else offer.title
    queue_email(
        to=offer.offerer_email,
        subject=f"Your offer is going to a family: reference {offer.reference}",
        body=(
            f"Hello {offer.offerer_name},\n\n"
            f"Good news: your offer ({what}) has been matched with {who}.\n\n"
            f"What happens next: {_what_happens_next(match)} Your caseworker is {caseworker.name} "
            f"({caseworker.email}).\n\n"
            "To keep the family safe we share only what they have agreed to. Please do not post about them "
            "or take photographs without asking your caseworker first.\n\n"
            f"You can see your offer's progress here (the link is private to you):\n{offer_link(offer)}\n\n"
            "Thank you for offering to help.\n\nThe resettlement team\n"
        ),
    )


def send_new_proposals_digest(caseworker: User, proposals: Sequence[Proposal]) -> None:
    """One email per caseworker, listing the new proposals for their families by family reference."""
    lines = []
    for proposal in proposals:
        family = proposal.need.family
        link = absolute_url("matching.family_proposals", reference=family.reference)
        lines.append(f"- {family.reference}: {proposal.need.title} ← offer {proposal.offer.reference}: {link}")
    count = len(proposals)
    queue_email(
        to=caseworker.email,
        subject=f"{count} new matching proposal{'s' if count != 1 else ''} for your families",
        body=(
            f"Hello {caseworker.name},\n\nLast night's matching run found {count} new "
            f"proposal{'s' if count != 1 else ''} for families you hold. Accept, reject or choose another offer "
            "on each family's proposals page:\n\n" + "\n".join(lines) + "\n"
        ),
    )
