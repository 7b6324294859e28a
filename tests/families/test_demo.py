"""The demo borough's families load, once, with live tasks and needs for the other features to use."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from resettle.clock import local_today
from resettle.demo import load_demo_data
from resettle.families.models import Family, Need, NeedStatus, Task


def test_demo_families_load_once_with_live_needs_and_tasks(database: Any) -> None:
    load_demo_data()
    load_demo_data()
    families = list(database.session.execute(select(Family)).scalars())
    assert len(families) == 10
    today = local_today()
    assert any(m.age_on(today) >= 65 and m.needs_step_free_access for f in families for m in f.members)
    open_needs = database.session.execute(select(Need).where(Need.status == NeedStatus.OPEN)).scalars().all()
    assert open_needs and all(need.needed_by is None or need.needed_by >= today for need in open_needs)
    overdue = database.session.execute(
        select(func.count()).select_from(Task).where(Task.status == "open", Task.due_on < today)
    ).scalar_one()
    assert overdue > 0
