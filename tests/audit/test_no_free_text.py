"""Free text typed by people (task titles, notes, reasons, file names) never reaches the audit log: its
summaries hold references and field names only, because anything typed may hold a diagnosis."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.families.models import Task
from resettle.families.services import add_case_note, change_status
from resettle.families.tasks import snooze_task
from resettle.need_to_know.policy import break_glass
from tests.conftest import csrf_token_from, submit_form
from tests.factories import UserFactory
from tests.families.factories import FamilyFactory

DIAGNOSIS = "HIV positive"


def _audit_text(database: Any) -> str:
    rows = database.session.execute(select(AuditEvent.action, AuditEvent.summary)).all()
    assert rows, "nothing was audited at all"
    return "\n".join(f"{action}: {summary}" for action, summary in rows)


def test_a_diagnosis_in_a_task_title_never_reaches_the_audit_table(database: Any, caseworker_client: Any) -> None:
    family = FamilyFactory(caseworker=caseworker_client.user)
    due = date.today() + timedelta(days=7)
    response = submit_form(
        caseworker_client,
        f"/families/{family.reference}/tasks/new",
        {
            "title": f"Book clinic: {DIAGNOSIS}",
            "due_on": [str(due.day), str(due.month), str(due.year)],
            "assignee": str(caseworker_client.user.id),
        },
    )
    assert response.status_code == 302
    task = database.session.execute(select(Task).where(Task.family_id == family.id)).scalar_one()
    assert DIAGNOSIS in task.title
    page = caseworker_client.get(f"/families/{family.reference}").get_data(as_text=True)
    completed = caseworker_client.post(
        f"/tasks/{task.id}/complete", data={"csrf_token": csrf_token_from(page), "evidence": DIAGNOSIS}
    )
    assert completed.status_code == 302
    database.session.refresh(task)
    assert task.status.value == "done"
    audit = _audit_text(database)
    assert "task_added" in audit and "task_completed" in audit
    assert DIAGNOSIS not in audit


def test_reasons_and_notes_stay_out_of_the_audit_table(database: Any) -> None:
    caseworker = UserFactory()
    family = FamilyFactory(caseworker=caseworker)
    other_team = UserFactory()
    add_case_note(family, f"Told us about the {DIAGNOSIS} diagnosis", caseworker)
    change_status(family, "arriving", f"Moved up because {DIAGNOSIS}", caseworker)
    task = Task(family=family, title=f"Clinic: {DIAGNOSIS}", due_on=date.today())
    database.session.add(task)
    database.session.flush()
    snooze_task(task, date.today() + timedelta(days=3), f"Waiting for the {DIAGNOSIS} clinic", caseworker, date.today())
    break_glass(other_team, family, f"Duty call about {DIAGNOSIS} medication")
    audit = _audit_text(database)
    for action in ("case_note_added", "family_status_changed", "task_snoozed", "break_glass"):
        assert action in audit
    assert DIAGNOSIS not in audit
