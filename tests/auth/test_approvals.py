"""Invitations only to staff email domains, never to oneself; a new administrator or a role change to caseworker
or administrator waits for a second administrator."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.auth.models import ApprovalStatus, Role, RoleApproval, User
from resettle.auth.services import AccountError, approve, invite_user, reject, update_user
from resettle.extensions import db
from tests.conftest import csrf_token_from, submit_form
from tests.factories import UserFactory
from tests.smtp import SMTPServer


def _invite(client: FlaskClient, email: str, role: str) -> Any:
    return submit_form(client, "/admin/users/invite", {"email": email, "name": "New Person", "role": role})


def _user(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


@pytest.mark.parametrize("email", ["me@gmail.example", "someone@council.example.attacker.org", "x@notcouncil.example"])
def test_invitations_only_go_to_the_allowed_staff_domains(admin_client: FlaskClient, email: str) -> None:
    page = _invite(admin_client, email, "caseworker").get_data(as_text=True)
    assert "Invite staff at their council email address (@council.example)" in page
    assert _user(email) is None


def test_an_administrator_cannot_invite_themself(admin_client: FlaskClient) -> None:
    me = admin_client.user
    local, domain = me.email.split("@")
    for email in (me.email, me.email.upper(), f"{local}+caseworker@{domain}"):
        page = _invite(admin_client, email, "caseworker").get_data(as_text=True)
        assert "You cannot invite yourself" in page, email
        assert _user(email.lower()) is None or _user(email.lower()).id == me.id


def test_with_no_domains_configured_no_one_can_be_invited(app: Flask, database: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "STAFF_EMAIL_DOMAINS", "")
    admin = UserFactory(role=Role.ADMIN)
    with app.test_request_context(), pytest.raises(AccountError, match="STAFF_EMAIL_DOMAINS"):
        invite_user("new@council.example", "New", Role.REVIEWER, admin)


def test_a_new_administrator_waits_for_a_second_administrator(
    app: Flask, login_as: Any, smtp_server: SMTPServer
) -> None:
    first = login_as(Role.ADMIN)
    response = _invite(first, "new.admin@council.example", "admin")
    assert response.status_code == 302
    invited = _user("new.admin@council.example")
    assert invited.role is Role.ADMIN and not invited.is_active_account
    assert smtp_server.messages == []  # no link until approved
    approval = db.session.execute(select(RoleApproval)).scalar_one()
    assert (approval.status, approval.is_invitation, approval.requested_by_id) == (
        ApprovalStatus.PENDING,
        True,
        first.user.id,
    )
    # The one who asked cannot approve it.
    page = first.get("/admin/users/approvals").get_data(as_text=True)
    assert "New account as administrator" in page
    assert f"/approvals/{approval.public_id}/approve" not in page
    token = csrf_token_from(page)
    response = first.post(
        f"/admin/users/approvals/{approval.public_id}/approve", data={"csrf_token": token}, follow_redirects=True
    )
    assert "A different administrator must approve this" in response.get_data(as_text=True)
    db.session.refresh(invited)
    assert not invited.is_active_account
    second = login_as(Role.ADMIN)
    token = csrf_token_from(second.get("/admin/users/approvals").get_data(as_text=True))
    response = second.post(
        f"/admin/users/approvals/{approval.public_id}/approve", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Approved: the change for new.admin@council.example has been made" in response.get_data(as_text=True)
    db.session.refresh(invited)
    db.session.refresh(approval)
    assert invited.is_active_account
    assert (approval.status, approval.decided_by_id) == (ApprovalStatus.APPROVED, second.user.id)
    assert [message.to for message in smtp_server.messages] == [["new.admin@council.example"]]


def test_a_role_change_to_caseworker_waits_and_a_change_to_reviewer_does_not(app: Flask, login_as: Any) -> None:
    first = login_as(Role.ADMIN)
    reviewer = UserFactory(role=Role.REVIEWER)
    response = submit_form(
        first, f"/admin/users/{reviewer.id}/edit", {"name": reviewer.name, "role": "caseworker", "is_active": "y"}
    )
    assert response.status_code == 302
    page = first.get("/admin/users/").get_data(as_text=True)
    assert "starts when a second administrator approves it" in page
    db.session.refresh(reviewer)
    assert reviewer.role is Role.REVIEWER
    second = UserFactory(role=Role.ADMIN)
    approval = db.session.execute(select(RoleApproval)).scalar_one()
    with app.test_request_context():
        approve(approval, second)
    assert reviewer.role is Role.CASEWORKER
    caseworker = UserFactory(role=Role.CASEWORKER)
    with app.test_request_context():
        assert update_user(caseworker, caseworker.name, Role.REVIEWER, True, first.user) is None
    assert caseworker.role is Role.REVIEWER  # less access: at once


def test_an_administrator_cannot_approve_their_own_promotion(app: Flask, database: Any) -> None:
    first, second = UserFactory(role=Role.ADMIN), UserFactory(role=Role.ADMIN)
    reviewer = UserFactory(role=Role.REVIEWER)
    with app.test_request_context():
        update_user(reviewer, reviewer.name, Role.ADMIN, True, first)
        approval = db.session.execute(select(RoleApproval)).scalar_one()
        with pytest.raises(AccountError, match="different administrator"):
            approve(approval, first)
        with pytest.raises(AccountError):
            approve(approval, reviewer)
        approve(approval, second)
    assert reviewer.role is Role.ADMIN


def test_refusing_a_new_administrator_removes_the_account_that_never_worked(app: Flask, database: Any) -> None:
    first, second = UserFactory(role=Role.ADMIN), UserFactory(role=Role.ADMIN)
    with app.test_request_context():
        invite_user("maybe.admin@council.example", "Maybe", Role.ADMIN, first)
        approval = db.session.execute(select(RoleApproval)).scalar_one()
        reject(approval, second)
    assert _user("maybe.admin@council.example") is None


def test_an_approved_role_change_ends_the_persons_sessions(app: Flask, login_as: Any) -> None:
    first, second = UserFactory(role=Role.ADMIN), UserFactory(role=Role.ADMIN)
    client = login_as(Role.REVIEWER)
    with app.test_request_context():
        update_user(client.user, client.user.name, Role.CASEWORKER, True, first)
    db.session.commit()
    assert client.get("/").status_code == 200  # nothing changed yet
    approval = db.session.execute(select(RoleApproval)).scalar_one()
    with app.test_request_context():
        approve(approval, second)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_the_users_list_shows_who_awaits_approval(app: Flask, login_as: Any) -> None:
    admin = login_as(Role.ADMIN)
    reviewer = UserFactory(role=Role.REVIEWER, name="Rita Reviewer")
    with app.test_request_context():
        update_user(reviewer, reviewer.name, Role.CASEWORKER, True, admin.user)
    db.session.commit()
    page = admin.get("/admin/users/").get_data(as_text=True)
    row = page[page.index("Rita Reviewer") :]
    assert "Awaiting approval" in row[: row.index("</tr>")]
