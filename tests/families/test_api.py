"""Families, members, needs, case notes and tasks over the API: same rules, need-to-know and audit as the pages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from resettle.api.models import TokenScope
from resettle.auth.models import Role
from resettle.clock import local_today
from resettle.families.models import Family, FamilyStatus, NeedStatus, Scheme, TaskStatus
from tests.api.clients import api_client, api_client_as
from tests.factories import UserFactory
from tests.families.conftest import audit_actions
from tests.families.factories import FamilyFactory, MemberFactory, NeedFactory, TaskFactory

NEW_FAMILY = {
    "name": "Haddad",
    "scheme": "VPRS",
    "referral_date": "2017-01-10",
    "postcode": "SE13 6AA",
    "preferred_languages": ["Arabic"],
    "applicant": {"full_name": "Rana Haddad", "date_of_birth": "1985-03-14", "sex": "female"},
}


def _key(n: int = 1) -> dict[str, str]:
    return {"Idempotency-Key": f"test-key-{n:08d}-abcdef"}


def _family_count(database: Any) -> int:
    return int(database.session.execute(select(func.count()).select_from(Family)).scalar_one())


def test_a_caseworker_lists_families_with_the_pages_filters_a_page_at_a_time(
    caseworker_api: FlaskClient, database: Any
) -> None:
    mine = [FamilyFactory(caseworker=caseworker_api.user, referral_date=date(2017, 1, day)) for day in (3, 2, 1)]  # type: ignore[attr-defined]
    FamilyFactory(scheme=Scheme.ARP)
    FamilyFactory(status=FamilyStatus.ARRIVED)
    first = caseworker_api.get("/api/v1/families?caseworker=me&limit=2")
    assert first.status_code == 200
    body = first.get_json()
    assert [item["reference"] for item in body["items"]] == [mine[0].reference, mine[1].reference]
    second = caseworker_api.get(f"/api/v1/families?caseworker=me&limit=2&cursor={body['next_cursor']}").get_json()
    assert [item["reference"] for item in second["items"]] == [mine[2].reference]
    assert second["next_cursor"] is None
    arp = caseworker_api.get("/api/v1/families?scheme=ARP").get_json()["items"]
    assert {item["scheme"] for item in arp} == {"ARP"}
    arrived = caseworker_api.get("/api/v1/families?status=arrived").get_json()["items"]
    assert {item["status"] for item in arrived} == {"arrived"}
    assert caseworker_api.get(f"/api/v1/families?q={mine[1].name}").get_json()["items"][0]["reference"] == (
        mine[1].reference
    )
    refused = caseworker_api.get("/api/v1/families?limit=1000&status=lost")
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"limit", "status"}
    too_big = caseworker_api.get("/api/v1/families?caseworker=9999999999")  # no id column holds it
    assert too_big.status_code == 422 and "caseworker" in too_big.get_json()["errors"]


def test_creating_a_family_is_idempotent_per_key(caseworker_api: FlaskClient, database: Any) -> None:
    before = _family_count(database)
    created = caseworker_api.post("/api/v1/families", json=NEW_FAMILY, headers=_key())
    assert created.status_code == 201, created.get_json()
    family = created.get_json()
    assert family["name"] == "Haddad" and family["status"] == "referred"
    assert family["caseworker"]["id"] == caseworker_api.user.id  # type: ignore[attr-defined]
    assert family["members"][0]["full_name"] == "Rana Haddad"
    assert created.headers["ETag"] == f'"{family["version"]}"'

    again = caseworker_api.post("/api/v1/families", json=NEW_FAMILY, headers=_key())
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["reference"] == family["reference"]
    assert _family_count(database) == before + 1

    other_body = caseworker_api.post("/api/v1/families", json={**NEW_FAMILY, "name": "Other"}, headers=_key())
    assert other_body.status_code == 422
    assert "Idempotency-Key" in other_body.get_json()["errors"]
    no_key = caseworker_api.post("/api/v1/families", json=NEW_FAMILY)
    assert no_key.status_code == 422 and "Idempotency-Key" in no_key.get_json()["errors"]
    assert _family_count(database) == before + 1
    assert "family_created" in audit_actions(database)


def test_a_refused_create_saves_nothing_and_its_key_can_be_used_again(
    caseworker_api: FlaskClient, database: Any
) -> None:
    future = (local_today() + timedelta(days=3)).isoformat()
    refused = caseworker_api.post("/api/v1/families", json={**NEW_FAMILY, "referral_date": future}, headers=_key(2))
    assert refused.status_code == 422
    assert list(refused.get_json()["errors"]) == ["referral_date"]
    assert caseworker_api.post("/api/v1/families", json=NEW_FAMILY, headers=_key(2)).status_code == 201


def test_a_read_only_token_cannot_create(app: Flask, database: Any) -> None:
    client = api_client_as(app, Role.CASEWORKER, TokenScope.READ)
    assert client.post("/api/v1/families", json=NEW_FAMILY, headers=_key(3)).status_code == 403
    assert client.get("/api/v1/families").status_code == 200


def test_special_category_fields_follow_the_need_to_know_rule(app: Flask, database: Any) -> None:
    own = api_client_as(app, Role.CASEWORKER)
    family = FamilyFactory(caseworker=own.user)  # type: ignore[attr-defined]
    MemberFactory(family=family, access_needs="Wheelchair user", eats_halal=True, dietary_needs="No nuts")
    mine = own.get(f"/api/v1/families/{family.reference}").get_json()
    assert mine["special_category_access"] == "own_case"
    assert mine["members"][0]["access_needs"] == "Wheelchair user" and mine["members"][0]["eats_halal"] is True

    outsider = api_client_as(app, Role.CASEWORKER).get(f"/api/v1/families/{family.reference}").get_json()
    assert outsider["special_category_access"] == "needs_break_glass"
    assert not {"access_needs", "eats_halal", "dietary_needs"} & set(outsider["members"][0])

    admin = api_client_as(app, Role.ADMIN).get(f"/api/v1/families/{family.reference}").get_json()
    assert admin["special_category_access"] == "never"
    assert "access_needs" not in admin["members"][0]
    assert "Wheelchair" not in str(admin)


def test_reviewers_see_what_the_page_shows_them(reviewer_api: FlaskClient, database: Any) -> None:
    family = FamilyFactory()
    MemberFactory(family=family)
    response = reviewer_api.get(f"/api/v1/families/{family.reference}")
    assert response.status_code == 200
    assert set(response.get_json()) == {"reference", "scheme", "spend"}
    assert reviewer_api.get("/api/v1/families").status_code == 403
    assert audit_actions(database)[-1] == "family_viewed"


def test_reading_a_family_is_audited(caseworker_api: FlaskClient, database: Any) -> None:
    family = FamilyFactory(caseworker=caseworker_api.user)  # type: ignore[attr-defined]
    caseworker_api.get(f"/api/v1/families/{family.reference}")
    assert audit_actions(database)[-1] == "family_viewed"
    assert caseworker_api.get("/api/v1/families/NOPE").status_code == 404


def test_an_update_needs_the_version_it_read(caseworker_api: FlaskClient, database: Any) -> None:
    family = FamilyFactory(caseworker=caseworker_api.user)  # type: ignore[attr-defined]
    url = f"/api/v1/families/{family.reference}"
    etag = caseworker_api.get(url).headers["ETag"]
    missing = caseworker_api.patch(url, json={"town": "Lewisham"})
    assert missing.status_code == 422 and "If-Match" in missing.get_json()["errors"]
    saved = caseworker_api.patch(url, json={"town": "Lewisham"}, headers={"If-Match": etag})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["town"] == "Lewisham" and saved.get_json()["name"] == family.name
    assert saved.headers["ETag"] != etag
    stale = caseworker_api.patch(url, json={"town": "Deptford"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.get_json()["current_version"] == family.version
    assert stale.headers["ETag"] == f'"{family.version}"'
    assert family.town == "Lewisham"
    assert "family_updated" in audit_actions(database)


def test_status_changes_follow_the_services_rules(caseworker_api: FlaskClient, database: Any) -> None:
    family = FamilyFactory(caseworker=caseworker_api.user)  # type: ignore[attr-defined]
    url = f"/api/v1/families/{family.reference}/status"
    refused = caseworker_api.post(url, json={"status": "arrived"})
    assert refused.status_code == 409 and "status" in refused.get_json()["errors"]
    moved = caseworker_api.post(url, json={"status": "arriving", "reason": "Flight booked"})
    assert moved.status_code == 200 and moved.get_json()["status"] == "arriving"


def test_members_special_fields_can_be_changed_only_with_need_to_know(app: Flask, database: Any) -> None:
    own = api_client_as(app, Role.CASEWORKER)
    family = FamilyFactory(caseworker=own.user)  # type: ignore[attr-defined]
    member = MemberFactory(family=family)
    url = f"/api/v1/families/{family.reference}/members/{member.id}"
    etag = own.get(url).headers["ETag"]
    outsider = api_client_as(app, Role.CASEWORKER)
    refused = outsider.patch(url, json={"access_needs": "Uses a hoist"}, headers={"If-Match": etag})
    assert refused.status_code == 403 and "access_needs" in refused.get_json()["errors"]
    saved = own.patch(
        url, json={"access_needs": "Uses a hoist", "english_level": "entry_1"}, headers={"If-Match": etag}
    )
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["access_needs"] == "Uses a hoist"
    added = own.post(
        f"/api/v1/families/{family.reference}/members",
        json={"full_name": "Omar", "date_of_birth": "2015-06-01", "sex": "male", "relationship_to_applicant": "child"},
        headers=_key(4),
    )
    assert added.status_code == 201, added.get_json()
    assert len(family.members) == 2


def test_needs_are_raised_and_changed_through_the_same_rules(caseworker_api: FlaskClient, database: Any) -> None:
    family = FamilyFactory(caseworker=caseworker_api.user)  # type: ignore[attr-defined]
    base = f"/api/v1/families/{family.reference}/needs"
    raised = caseworker_api.post(base, json={"category": "esol", "priority": 2}, headers=_key(5))
    assert raised.status_code == 201, raised.get_json()
    need = raised.get_json()
    assert need["status"] == "open" and need["title"]
    refused = caseworker_api.post(base, json={"category": "furniture", "item": "not-an-item"}, headers=_key(6))
    assert refused.status_code == 422
    url = f"{base}/{need['id']}"
    met = caseworker_api.patch(url, json={"status": "met"}, headers={"If-Match": raised.headers["ETag"]})
    assert met.status_code == 200, met.get_json()
    assert met.get_json()["status"] == NeedStatus.MET.value
    assert [n["id"] for n in caseworker_api.get(f"{base}?status=met").get_json()] == [need["id"]]
    other = NeedFactory()
    assert caseworker_api.get(f"{base}/{other.id}").status_code == 404


def test_case_notes_are_added_and_listed_newest_first(caseworker_api: FlaskClient, database: Any) -> None:
    family = FamilyFactory(caseworker=caseworker_api.user)  # type: ignore[attr-defined]
    url = f"/api/v1/families/{family.reference}/notes"
    for n, body in enumerate(["First call", "Second call"]):
        assert caseworker_api.post(url, json={"body": body}, headers=_key(10 + n)).status_code == 201
    assert caseworker_api.post(url, json={"body": "  "}, headers=_key(12)).status_code == 422
    notes = caseworker_api.get(url).get_json()
    assert [note["body"] for note in notes["items"]] == ["Second call", "First call"]
    assert "case_note_added" in audit_actions(database)


def test_tasks_are_listed_completed_reassigned_and_snoozed(app: Flask, database: Any) -> None:
    me = UserFactory(role=Role.CASEWORKER)
    client = api_client(app, me)
    colleague = UserFactory(role=Role.CASEWORKER)
    family = FamilyFactory(caseworker=me)
    today = local_today()
    overdue = TaskFactory(family=family, assignee=me, due_on=today - timedelta(days=2))
    later = TaskFactory(family=family, assignee=me, due_on=today + timedelta(days=20))
    TaskFactory(family=family, assignee=colleague, due_on=today + timedelta(days=1))
    mine = client.get("/api/v1/tasks?assignee=me").get_json()["items"]
    assert [task["id"] for task in mine] == [overdue.id, later.id]
    assert [task["id"] for task in client.get("/api/v1/tasks?overdue=true").get_json()["items"]] == [overdue.id]

    snoozed = client.post(
        f"/api/v1/tasks/{later.id}/snooze", json={"until": (today + timedelta(days=5)).isoformat(), "reason": "Away"}
    )
    assert snoozed.status_code == 200 and snoozed.get_json()["snoozed_until"]
    given = client.post(f"/api/v1/tasks/{later.id}/reassign", json={"assignee_id": colleague.id})
    assert given.status_code == 200 and given.get_json()["assignee"]["id"] == colleague.id
    done = client.post(f"/api/v1/tasks/{overdue.id}/complete", json={"evidence": "Met at the airport"})
    assert done.status_code == 200 and done.get_json()["status"] == TaskStatus.DONE.value
    again = client.post(f"/api/v1/tasks/{overdue.id}/complete", json={})
    assert again.status_code == 409 and "task" in again.get_json()["errors"]

    added = client.post(
        f"/api/v1/families/{family.reference}/tasks",
        json={"title": "Book GP registration", "due_on": (today + timedelta(days=7)).isoformat()},
        headers=_key(20),
    )
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["assignee"]["id"] == me.id
    far = client.post(
        f"/api/v1/families/{family.reference}/tasks",
        json={"title": "Far", "due_on": "2999-01-01"},
        headers=_key(21),
    )
    assert far.status_code == 422 and "due_on" in far.get_json()["errors"]
    assert {"task_completed", "task_reassigned", "task_snoozed", "task_added"} <= set(audit_actions(database))


def test_no_cookie_is_set_by_the_families_api(caseworker_api: FlaskClient, database: Any) -> None:
    response = caseworker_api.get("/api/v1/families")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
