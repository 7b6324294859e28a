"""Family pages through HTTP: forms keep values and show errors beside fields, nothing is saved half-way,
and each view and change is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from resettle.audit.models import AuditEvent
from resettle.families.models import Family, Member, Need, Scheme, TaskStatus
from tests.conftest import submit_form
from tests.families.conftest import audit_actions
from tests.families.factories import FamilyFactory, MemberFactory, TaskFactory


def family_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Darwish family",
        "scheme": "VPRS",
        "referral_date": ["10", "1", "2017"],
        "arrival_date": ["", "", ""],
        "caseworker": "",
        "postcode": "SE4 1AA",
        "brma": "",
        "preferred_languages": "Arabic",
        "applicant_name": "Omar Darwish",
        "applicant_date_of_birth": ["14", "3", "1984"],
        "applicant_sex": "male",
    }
    return {**data, **overrides}


def count(database: Any, model: type) -> int:
    return database.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_caseworker_creates_a_family_with_its_applicant(database: Any, caseworker_client: Any) -> None:
    response = submit_form(caseworker_client, "/families/new", family_form(caseworker=str(caseworker_client.user.id)))
    assert response.status_code == 302
    family = database.session.execute(select(Family)).scalar_one()
    assert response.headers["Location"].endswith(f"/families/{family.reference}")
    assert family.caseworker == caseworker_client.user and family.scheme == Scheme.VPRS
    assert [m.full_name for m in family.members] == ["Omar Darwish"]
    assert audit_actions(database)[-2:] == ["family_created", "member_added"]


def test_bad_family_input_keeps_values_and_saves_nothing(database: Any, caseworker_client: Any) -> None:
    cases = [
        ({"applicant_date_of_birth": ["1", "1", "2099"]}, "Date of birth must be today or in the past"),
        ({"arrival_date": ["1", "1", "2016"]}, "Arrival date must be on or after the referral date"),
        ({"scheme": "XYZ"}, "Select the resettlement scheme"),
        ({"referral_date": ["31", "2", "2017"]}, "Referral date must be a real date"),
    ]
    for overrides, message in cases:
        response = submit_form(caseworker_client, "/families/new", family_form(**overrides))
        html = response.get_data(as_text=True)
        assert response.status_code == 200, message
        assert "govuk-error-summary" in html and message in html
        assert "govuk-error-message" in html  # beside the field as well as in the summary
        assert 'value="Darwish family"' in html and 'value="Omar Darwish"' in html
    assert count(database, Family) == 0 and count(database, Member) == 0


def test_family_page_is_audited_and_shows_the_case(database: Any, caseworker_client: Any) -> None:
    member = MemberFactory(full_name="Rania Al-Hassan")
    response = caseworker_client.get(f"/families/{member.family.reference}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Rania Al-Hassan" in html and "No spend recorded yet" in html
    event = database.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert (event.action, event.object_id) == ("family_viewed", member.family.reference)


def test_reviewers_see_only_reference_scheme_and_spend(database: Any, reviewer_client: Any) -> None:
    member = MemberFactory(full_name="Rania Al-Hassan", family__name="Al-Hassan family")
    response = reviewer_client.get(f"/families/{member.family.reference}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert member.family.reference in html and "VPRS" in html and "No spend recorded yet" in html
    for private in ("Rania", "Al-Hassan family", "SE13", "Example Road", "Arabic"):
        assert private not in html
    assert audit_actions(database)[-1] == "family_viewed"
    assert reviewer_client.get("/families/").status_code == 403


def test_health_notes_are_for_caseworkers_only_and_audited(database: Any, login_as: Any) -> None:
    from resettle.auth.models import Role

    caseworker, admin = login_as(Role.CASEWORKER), login_as(Role.ADMIN)
    member = MemberFactory(family__caseworker=caseworker.user)
    reference = member.family.reference
    response = submit_form(
        caseworker,
        f"/families/{reference}/health",
        {"member": str(member.id), "body": "Asthma; inhaler prescribed in Jordan."},
    )
    assert response.status_code == 302
    assert "Asthma" in caseworker.get(f"/families/{reference}/health").get_data(as_text=True)
    assert "Asthma" not in caseworker.get(f"/families/{reference}").get_data(as_text=True)
    assert "Asthma" not in admin.get(f"/families/{reference}").get_data(as_text=True)
    assert admin.get(f"/families/{reference}/health").status_code == 403
    assert {"health_note_added", "health_notes_viewed"} <= set(audit_actions(database))


def test_a_duplicate_member_is_shown_beside_the_name(database: Any, caseworker_client: Any) -> None:
    member = MemberFactory(full_name="Lina Darwish", date_of_birth=date(1988, 2, 1))
    response = submit_form(
        caseworker_client,
        f"/families/{member.family.reference}/members/new",
        {
            "full_name": "Lina Darwish",
            "date_of_birth": ["1", "2", "1988"],
            "sex": "female",
            "relationship_to_applicant": "partner",
            "english_level": "entry_1",
            "activity": "unknown",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "already in this family" in html
    assert len(member.family.members) == 1


def test_member_and_family_messages_name_the_field_without_optional(database: Any, caseworker_client: Any) -> None:
    member = MemberFactory(full_name="Lina Darwish", date_of_birth=date(1988, 2, 1))
    html = submit_form(
        caseworker_client,
        f"/families/{member.family.reference}/members/new",
        {
            "full_name": "Sami Darwish",
            "date_of_birth": ["1", "2", "2010"],
            "sex": "male",
            "relationship_to_applicant": "child",
            "english_level": "entry_1",
            "activity": "school",
            "school_or_employer": "s" * 201,
        },
    ).get_data(as_text=True)
    assert "School, college or employer must be 200 characters or fewer" in html
    html = submit_form(caseworker_client, "/families/new", family_form(arrival_date=["31", "2", "2017"])).get_data(
        as_text=True
    )
    assert "Expected arrival date must be a real date" in html
    assert "(optional) must" not in html


def test_a_need_with_priority_out_of_range_is_refused(database: Any, caseworker_client: Any) -> None:
    family = FamilyFactory()
    url = f"/families/{family.reference}/needs/new"
    response = submit_form(
        caseworker_client, url, {"category": "esol", "priority": "9", "units": "1", "description": "Evening classes"}
    )
    html = response.get_data(as_text=True)
    assert "Priority must be between 1 and 5" in html and "Evening classes" in html
    assert count(database, Need) == 0
    response = submit_form(
        caseworker_client,
        url,
        {"category": "furniture", "item": "bed", "priority": "5", "units": "3", "rent_max": "", "max_distance_km": "5"},
    )
    assert response.status_code == 302
    need = database.session.execute(select(Need)).scalar_one()
    assert need.requires() == {"item": "bed", "max_distance_km": 5.0} and need.units == 3


def test_the_need_form_asks_only_the_requirements_of_its_category(database: Any, caseworker_client: Any) -> None:
    family = FamilyFactory(preferred_languages=["Arabic"])
    MemberFactory(family=family, full_name="Sara Darwish", needs_step_free_access=True)
    MemberFactory(family=family, full_name="Omar Darwish", eats_halal=True)
    url = f"/families/{family.reference}/needs/new"

    chooser = caseworker_client.get(url).get_data(as_text=True)
    assert "what is needed?" in chooser and 'name="category"' in chooser and "Must be halal" not in chooser

    furniture = caseworker_client.get(f"{url}?category=furniture").get_data(as_text=True)
    assert "Sofa" in furniture and "Must be halal" not in furniture and "step-free" not in furniture
    assert "Suggested because" not in furniture and "bedroom standard" not in furniture

    meal = caseworker_client.get(f"{url}?category=meal").get_data(as_text=True)
    assert "Suggested because Omar eats halal food" in meal
    assert "Suggested because Sara needs step-free access" in meal
    assert "Language the helper must speak" not in meal

    esol = caseworker_client.get(f"{url}?category=esol").get_data(as_text=True)
    assert "Suggested because the family&#39;s preferred language is Arabic" in esol and "Must be halal" not in esol

    # A requirement posted for a category it does not apply to is not kept.
    response = submit_form(
        caseworker_client,
        url,
        {"category": "furniture", "item": "sofa", "priority": "3", "units": "1", "halal": "y", "step_free": "y"},
        form_url=f"{url}?category=furniture",
    )
    assert response.status_code == 302
    need = database.session.execute(select(Need)).scalar_one()
    assert (need.halal, need.step_free, need.requires()) == (False, False, {"item": "sofa"})


def test_arrival_creates_tasks_that_can_be_completed_snoozed_and_reassigned(database: Any, login_as: Any) -> None:
    from resettle.auth.models import Role

    caseworker = login_as(Role.CASEWORKER)
    colleague = login_as(Role.CASEWORKER, name="Grace Mensah")
    family = FamilyFactory(caseworker=caseworker.user)
    response = submit_form(caseworker, f"/families/{family.reference}/arrival", {"arrival_date": ["20", "2", "2017"]})
    assert response.status_code == 302 and family.tasks
    first, second, third = family.tasks[:3]

    tasks_page = caseworker.get("/tasks/").get_data(as_text=True)
    assert "Overdue" in tasks_page and first.title in tasks_page

    response = submit_form(
        caseworker, f"/tasks/{first.id}/complete", {"next": f"/families/{family.reference}"}, form_url="/tasks/"
    )
    assert response.headers["Location"].endswith(f"/families/{family.reference}")
    assert first.status == TaskStatus.DONE and first.completed_by == caseworker.user

    response = submit_form(caseworker, f"/tasks/{second.id}/snooze", {"until": ["1", "1", "2099"], "reason": ""})
    assert "Enter why the task is snoozed" in response.get_data(as_text=True)
    response = submit_form(caseworker, f"/tasks/{third.id}/reassign", {"assignee": str(colleague.user.id)})
    assert response.status_code == 302 and third.assignee == colleague.user
    assert "Grace Mensah" in caseworker.get("/tasks/team").get_data(as_text=True)
    assert {"tasks_generated", "task_completed", "task_reassigned"} <= set(audit_actions(database))


def test_list_searches_filters_pages_and_exports(database: Any, caseworker_client: Any) -> None:
    MemberFactory(full_name="Mariam Youssef", family__name="Youssef family", family__scheme=Scheme.VCRS)
    FamilyFactory(name="Othman family", scheme=Scheme.VPRS)
    for _ in range(25):
        FamilyFactory()
    assert "Youssef family" in caseworker_client.get("/families/?q=mariam").get_data(as_text=True)
    filtered = caseworker_client.get("/families/?scheme=VCRS").get_data(as_text=True)
    assert "Youssef family" in filtered and "Othman family" not in filtered
    first_page = caseworker_client.get("/families/").get_data(as_text=True)
    assert "Showing 1 to 25 of 27 families" in first_page and "govuk-pagination" in first_page
    export = caseworker_client.get("/families/export.csv?scheme=VCRS")
    assert export.mimetype == "text/csv" and "Youssef family" in export.get_data(as_text=True)
    assert audit_actions(database)[-1] == "families_exported"


def test_task_actions_stay_on_this_site(database: Any, caseworker_client: Any) -> None:
    task = TaskFactory()
    response = submit_form(
        caseworker_client, f"/tasks/{task.id}/complete", {"next": "//evil.example/"}, form_url="/tasks/"
    )
    assert response.headers["Location"].endswith("/tasks/")


def test_opening_a_form_that_shows_personal_details_is_audited(database: Any, admin_client: Any) -> None:
    member = MemberFactory()
    reference = member.family.reference
    assert admin_client.get(f"/families/{reference}/edit").status_code == 200
    assert admin_client.get(f"/families/{reference}/members/{member.id}/edit").status_code == 200
    assert audit_actions(database) == ["family_viewed", "family_viewed"]
