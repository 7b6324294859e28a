"""Notifications in the service: the events that reach a member of staff, their unread count, and the choice
of which also come by email (the nightly proposals digest asks too)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from resettle.auth.models import Role
from resettle.extensions import db
from resettle.families.tasks import reassign_task
from resettle.funding.spend_models import SpendStatus
from resettle.funding.spend_services import reject_spend_line
from resettle.matching.jobs import notify_caseworkers
from resettle.notifications.models import Notification, NotificationKind, OutboundEmail
from resettle.notifications.services import set_email_choices, unread_count
from resettle.offers.models import OfferStatus
from resettle.offers.services import withdraw_by_offerer
from tests.conftest import submit_form
from tests.factories import UserFactory
from tests.families.factories import FamilyFactory, NeedFactory, TaskFactory
from tests.funding.factories import SpendLineFactory
from tests.matching.factories import MatchFactory, MatchRunFactory, ProposalFactory


def notifications_of(user: Any) -> list[Notification]:
    return list(db.session.execute(select(Notification).where(Notification.user_id == user.id)).scalars())


def emails_to(user: Any) -> list[OutboundEmail]:
    statement = select(OutboundEmail).where(OutboundEmail.to_address == user.email)
    return list(db.session.execute(statement).scalars())


def test_rejected_spend_is_notified_and_emailed_unless_the_user_chose_not(database: Any) -> None:
    caseworker = UserFactory(role=Role.CASEWORKER)
    reviewer = UserFactory(role=Role.REVIEWER)
    first = SpendLineFactory(created_by=caseworker, status=SpendStatus.SUBMITTED)
    reject_spend_line(first, reviewer, "No receipt attached")
    [notification] = notifications_of(caseworker)
    assert notification.kind == NotificationKind.SPEND_REJECTED and "No receipt attached" in notification.text
    assert notification.link == f"/funding/spend/{first.public_id}"
    assert len(emails_to(caseworker)) == 1

    set_email_choices(caseworker, {NotificationKind.SPEND_REJECTED: False})
    reject_spend_line(SpendLineFactory(created_by=caseworker, status=SpendStatus.SUBMITTED), reviewer, "Duplicate")
    assert len(notifications_of(caseworker)) == 2 and len(emails_to(caseworker)) == 1
    assert unread_count(caseworker) == 2


def test_a_task_given_to_me_is_notified_and_emailed_only_if_chosen(database: Any) -> None:
    giver, taker = UserFactory(role=Role.CASEWORKER, name="Tom Baker"), UserFactory(role=Role.CASEWORKER)
    task = TaskFactory(title="Register with the GP", family=FamilyFactory(caseworker=giver))
    reassign_task(task, taker, giver)
    [notification] = notifications_of(taker)
    assert notification.text.startswith("Tom Baker gave you a task for") and "Register with the GP" in notification.text
    assert emails_to(taker) == []  # not emailed unless chosen

    set_email_choices(taker, {NotificationKind.TASK_ASSIGNED: True})
    reassign_task(TaskFactory(family=task.family), taker, giver)
    assert len(emails_to(taker)) == 1
    reassign_task(TaskFactory(family=task.family, assignee=giver), giver, giver)  # taking it yourself: no news
    assert notifications_of(giver) == []


def test_a_withdrawn_matched_offer_tells_the_familys_caseworker(database: Any) -> None:
    holder, other = UserFactory(role=Role.CASEWORKER), UserFactory(role=Role.CASEWORKER)
    set_email_choices(other, {NotificationKind.OFFER_WITHDRAWN: False})
    match = MatchFactory(need=NeedFactory(family=FamilyFactory(caseworker=holder, name="Darwish family")))
    match.offer.status = OfferStatus.MATCHED
    withdraw_by_offerer(match.offer, "Moving abroad")
    [notification] = notifications_of(holder)
    assert "Darwish family" in notification.text and "withdrawn" in notification.text
    assert notifications_of(other) == []
    assert len(emails_to(holder)) == 1 and emails_to(other) == []


def test_new_proposals_are_notified_and_the_digest_respects_the_choice(database: Any) -> None:
    wants, does_not = UserFactory(role=Role.CASEWORKER), UserFactory(role=Role.CASEWORKER)
    set_email_choices(does_not, {NotificationKind.NEW_PROPOSAL: False})
    run = MatchRunFactory()
    for caseworker in (wants, does_not):
        ProposalFactory(run=run, need=NeedFactory(family=FamilyFactory(caseworker=caseworker)))
    db.session.flush()
    db.session.refresh(run)
    assert notify_caseworkers(run) == 1
    assert len(emails_to(wants)) == 1 and emails_to(does_not) == []
    assert [n.text.split(" for ")[0] for n in notifications_of(does_not)] == ["1 new matching proposal"]


def test_the_list_the_header_count_opening_and_email_choices(database: Any, login_as: Any) -> None:
    client = login_as(Role.CASEWORKER)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "You have no notifications" in page and "app-header__count" not in page

    other = UserFactory(role=Role.CASEWORKER)
    reassign_task(TaskFactory(family=FamilyFactory(caseworker=other)), client.user, other)
    reassign_task(TaskFactory(family=FamilyFactory(caseworker=other)), client.user, other)
    home = client.get("/").get_data(as_text=True)
    assert '<span class="app-header__count">2</span><span class="govuk-visually-hidden"> unread</span>' in home
    first, second = notifications_of(client.user)

    response = client.get(f"/notifications/{first.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/tasks/"
    assert first.read_at is not None and unread_count(client.user) == 1
    assert client.get(f"/notifications/{first.id + 1000}").status_code == 404
    someone_elses = reassign_task(TaskFactory(family=FamilyFactory(caseworker=client.user)), other, client.user)
    assert someone_elses is not None
    [theirs] = notifications_of(other)
    assert client.get(f"/notifications/{theirs.id}").status_code == 404

    submit_form(client, "/notifications/read", {}, form_url="/notifications/")
    assert unread_count(client.user) == 0

    form = client.get("/notifications/email").get_data(as_text=True)
    assert 'value="spend_rejected" checked' in form and 'value="task_assigned" checked' not in form
    submit_form(client, "/notifications/email", {"by_email": ["task_assigned"]})
    reassign_task(TaskFactory(family=FamilyFactory(caseworker=other)), client.user, other)
    assert len(emails_to(client.user)) == 1
    reject_spend_line(
        SpendLineFactory(created_by=client.user, status=SpendStatus.SUBMITTED), UserFactory(role=Role.REVIEWER), "No"
    )
    assert len(emails_to(client.user)) == 1  # spend rejections are no longer emailed to this user
