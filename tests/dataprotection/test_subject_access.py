"""Subject access: the one-month deadline, the case record, and exports that hold only the subject's data."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role
from resettle.dataprotection.access import (
    REDACTED,
    member_export,
    offerer_export,
    one_month_deadline,
    open_request,
)
from resettle.dataprotection.models import SubjectAccessRequest, SubjectKind
from tests.conftest import submit_form
from tests.factories import UserFactory
from tests.families.factories import CaseNoteFactory, FamilyFactory, HealthNoteFactory, MemberFactory
from tests.funding.factories import SpendLineFactory
from tests.offers.factories import OfferFactory


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 9, 3), date(2026, 10, 5)),  # 3 October 2026 is a Saturday
        (date(2026, 9, 1), date(2026, 10, 1)),
        (date(2027, 1, 31), date(2027, 3, 1)),  # no 31 February: the last day, Sunday 28th, then the next weekday
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (date(2026, 12, 15), date(2027, 1, 15)),
    ],
)
def test_the_deadline_is_one_calendar_month_moved_off_weekends(received: date, due: date) -> None:
    assert one_month_deadline(received) == due
    assert due.weekday() < 5


def _two_member_family() -> tuple[Any, Any, Any]:
    family = FamilyFactory(name="Family of Hadi Saleh")
    hadi = MemberFactory(
        family=family, full_name="Hadi Saleh", access_needs="Uses a wheelchair", dietary_needs="no nuts"
    )
    noor = MemberFactory(
        family=family,
        full_name="Noor Saleh",
        date_of_birth=date(1990, 6, 1),
        access_needs="Partially sighted",
        dietary_needs="gluten free",
        school_or_employer="Lewisham College",
    )
    HealthNoteFactory(family=family, member=hadi, body="Hadi: asthma, inhaler twice daily")
    HealthNoteFactory(family=family, member=noor, body="Noor: pregnant, due in March")
    HealthNoteFactory(family=family, member=None, body="Household: both parents report poor sleep")
    CaseNoteFactory(family=family, body="Met Noor Saleh and Hadi at the airport; Noor was tired.")
    SpendLineFactory(family=family, item_description="Winter coat for Noor", amount_pence=4500)
    return family, hadi, noor


def _export_text(export: Any) -> str:
    return json.dumps(export.as_json(), ensure_ascii=False)


def test_each_members_export_holds_only_their_own_data(database: Any) -> None:
    family, hadi, noor = _two_member_family()

    hadi_text = _export_text(member_export(hadi))
    assert "Hadi Saleh" in hadi_text
    assert "asthma" in hadi_text and "Uses a wheelchair" in hadi_text and "no nuts" in hadi_text
    assert family.reference in hadi_text and family.postcode in hadi_text  # family-level data about them
    for other in ("Noor", "pregnant", "Partially sighted", "gluten free", "Lewisham College", "1990-06-01"):
        assert other not in hadi_text, other
    assert "poor sleep" not in hadi_text  # a household health note may be about someone else
    assert f"Met {REDACTED} and Hadi at the airport; {REDACTED} was tired." in hadi_text
    assert f"Winter coat for {REDACTED}" in hadi_text and "£45.00" in hadi_text

    noor_text = _export_text(member_export(noor))
    assert "Noor Saleh" in noor_text and "pregnant" in noor_text and "Lewisham College" in noor_text
    for other in ("Hadi", "asthma", "Uses a wheelchair", "no nuts", "1985-03-14"):
        assert other not in noor_text, other


def test_an_offerers_export_holds_their_offers_and_not_anyone_elses(database: Any) -> None:
    OfferFactory(offerer_email="amal@example.org", offerer_name="Amal Haddad", description="Sunday lunch for six")
    OfferFactory(offerer_email="other@example.org", offerer_name="Ben Other", description="A spare sofa")
    text = _export_text(offerer_export("Amal@Example.org"))
    assert "Amal Haddad" in text and "Sunday lunch for six" in text
    assert "Ben Other" not in text and "spare sofa" not in text


def test_a_request_is_recorded_with_its_deadline(database: Any) -> None:
    _, hadi, _ = _two_member_family()
    staff = UserFactory(role=Role.CASEWORKER)
    request = open_request(
        kind=SubjectKind.MEMBER, requester_name="Hadi Saleh", received_on=date(2026, 9, 1), actor=staff, member=hadi
    )
    assert request.due_on == date(2026, 10, 1)
    assert request.status == "open"
    assert request.created_by == staff


def test_a_caseworker_records_a_request_opens_the_export_and_closes_it(
    caseworker_client: FlaskClient, database: Any
) -> None:
    family, hadi, _ = _two_member_family()
    answers = {
        "subject_kind": "member",
        "family_reference": family.reference.lower(),
        "member_name": "hadi saleh",
        "requester_name": "Hadi Saleh (in person)",
        "received_on": ["1", "9", "2026"],
    }
    response = submit_form(caseworker_client, "/data-protection/requests/new", answers)
    assert response.status_code == 302, response.get_data(as_text=True)
    request = database.session.execute(select(SubjectAccessRequest)).scalar_one()
    assert request.member == hadi and request.due_on == date(2026, 10, 1)

    page = caseworker_client.get(f"/data-protection/requests/{request.public_id}/export")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "asthma" in html and "pregnant" not in html
    assert 'class="govuk-body app-no-print"' in html  # the JSON link is left off the printout
    data = caseworker_client.get(f"/data-protection/requests/{request.public_id}/export.json").get_json()
    assert data["subject"] == "Hadi Saleh"
    assert "pregnant" not in json.dumps(data)
    exports = database.session.execute(select(AuditEvent).where(AuditEvent.action == "subject_access_export")).scalars()
    assert [e.object_id for e in exports] == [request.public_id, request.public_id]

    response = submit_form(
        caseworker_client, f"/data-protection/requests/{request.public_id}", {"outcome": "completed"}
    )
    assert response.status_code == 302
    database.session.refresh(request)
    assert request.status == "completed" and request.completed_by == caseworker_client.user


def test_an_unknown_member_is_refused_beside_the_field_and_nothing_is_saved(
    caseworker_client: FlaskClient, database: Any
) -> None:
    family, _, _ = _two_member_family()
    answers = {
        "subject_kind": "member",
        "family_reference": family.reference,
        "member_name": "Nobody Here",
        "requester_name": "A solicitor",
        "received_on": ["1", "9", "2026"],
    }
    response = submit_form(caseworker_client, "/data-protection/requests/new", answers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No member with that full name" in html and 'value="A solicitor"' in html
    assert database.session.execute(select(SubjectAccessRequest)).first() is None


def test_administrators_see_the_deadlines_but_not_the_export(admin_client: FlaskClient, database: Any) -> None:
    _, hadi, _ = _two_member_family()
    request = open_request(
        kind=SubjectKind.MEMBER,
        requester_name="Hadi Saleh",
        received_on=date(2026, 9, 1),
        actor=UserFactory(role=Role.CASEWORKER),
        member=hadi,
    )
    html = admin_client.get("/data-protection/requests").get_data(as_text=True)
    assert "1 Oct 2026" in html or "1 October 2026" in html
    assert admin_client.get(f"/data-protection/requests/{request.public_id}/export").status_code == 403
