"""Administrators invite, edit and deactivate accounts; invitations arrive by real SMTP."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role, User
from resettle.extensions import db
from tests.conftest import submit_form
from tests.factories import UserFactory
from tests.smtp import SMTPServer

LINK = re.compile(r"http://localhost(/set-password/\S+)")


def test_invitation_email_link_lets_the_person_set_a_password_and_sign_in(
    admin_client: FlaskClient, client: FlaskClient, smtp_server: SMTPServer
) -> None:
    response = submit_form(
        admin_client,
        "/admin/users/invite",
        {"email": "new.person@council.example", "name": "New Person", "role": "reviewer"},
    )
    assert response.status_code == 302
    user = db.session.execute(select(User).where(User.email == "new.person@council.example")).scalar_one()
    assert user.role is Role.REVIEWER and user.password_hash is None

    [message] = smtp_server.messages_to("new.person@council.example")
    assert message.subject == "Set your password for Resettle"
    path = LINK.search(message.body).group(1)

    short = submit_form(client, path, {"password": "short", "confirm": "short"})
    assert "Password must be 12 characters or more" in short.get_data(as_text=True)

    done = submit_form(client, path, {"password": "amber kettle orchard", "confirm": "amber kettle orchard"})
    assert done.status_code == 302
    signed_in = submit_form(
        client, "/login", {"email": "new.person@council.example", "password": "amber kettle orchard"}
    )
    assert signed_in.headers["Location"] == "/"

    again = client.get(path)  # the link works once
    assert again.status_code == 404
    assert "This link has expired or has already been used" in again.get_data(as_text=True)


def test_tampered_link_gets_a_clear_page(client: FlaskClient) -> None:
    response = client.get("/set-password/eyJ1c2VyIjoxfQ.tampered.signature")
    assert response.status_code == 404
    assert "This link has expired" in response.get_data(as_text=True)


def test_invite_keeps_answers_and_explains_mistakes(admin_client: FlaskClient) -> None:
    UserFactory(email="taken@council.example")
    page = submit_form(
        admin_client, "/admin/users/invite", {"email": "not-an-email", "name": "Someone", "role": ""}
    ).get_data(as_text=True)
    assert "Enter an email address in the correct format" in page
    assert "Select a role" in page
    assert 'value="Someone"' in page
    answers = {"email": "TAKEN@council.example", "name": "Someone", "role": "caseworker"}
    page = submit_form(admin_client, "/admin/users/invite", answers).get_data(as_text=True)
    assert "An account with this email address already exists" in page


def test_deactivating_a_user_signs_them_out_and_is_audited(admin_client: FlaskClient, login_as: Any) -> None:
    caseworker = login_as(Role.CASEWORKER)
    assert caseworker.get("/").status_code == 200
    user = caseworker.user
    response = submit_form(
        admin_client, f"/admin/users/{user.id}/edit", {"name": user.name, "role": "caseworker"}
    )  # checkbox left unticked
    assert response.status_code == 302
    assert user.is_active_account is False
    assert caseworker.get("/").status_code == 302
    entry = db.session.execute(select(AuditEvent).where(AuditEvent.action == "user_updated")).scalar_one()
    assert "active: yes → no" in entry.summary
    assert entry.actor_id == admin_client.user.id


def test_the_last_administrator_cannot_be_demoted(admin_client: FlaskClient) -> None:
    me = admin_client.user
    for other in db.session.execute(select(User).where(User.role == Role.ADMIN, User.id != me.id)).scalars():
        other.is_active_account = False
    page = submit_form(
        admin_client, f"/admin/users/{me.id}/edit", {"name": me.name, "role": "caseworker", "is_active": "y"}
    ).get_data(as_text=True)
    assert "There must be at least one active administrator" in page
    assert me.role is Role.ADMIN


def test_users_list_shows_status(admin_client: FlaskClient) -> None:
    UserFactory(name="Invited Person", password_hash=None)
    page = admin_client.get("/admin/users/").get_data(as_text=True)
    assert "Invited Person" in page
    assert "Invited" in page


def test_cli_creates_a_user_after_prompting_for_the_password(app: Any, database: Any) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--email", "Cli@Council.example", "--role", "admin"],
        input="river lantern copper\nriver lantern copper\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin cli@council.example" in result.output
    user = db.session.execute(select(User).where(User.email == "cli@council.example")).scalar_one()
    assert user.role is Role.ADMIN and user.password_hash.startswith("$argon2id$")

    weak = runner.invoke(
        args=["users", "create", "--email", "weak@council.example", "--role", "admin"], input="short\nshort\n"
    )
    assert weak.exit_code != 0
    assert "Password must be 12 characters or more" in weak.output
