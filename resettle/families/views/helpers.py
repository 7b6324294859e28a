"""Small helpers shared by the family views: form choices and showing a service's error beside its field."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from wtforms.fields.choices import SelectChoice

from resettle.bounds import parse_id
from resettle.families.lha import known_brmas
from resettle.families.models import Family, FamilyStatus, NeedStatus
from resettle.families.queries import caseworkers
from resettle.taxonomy import ITEM_KINDS, Category


def caseworker_choices(blank: str = "Not assigned yet") -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(str(user.id), user.name) for user in caseworkers()]


def brma_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Work it out from the postcode")] + [
        SelectChoice(code, name) for code, name in known_brmas().items()
    ]


def category_choices() -> list[SelectChoice]:
    return [SelectChoice("", "Select what is needed")] + [SelectChoice(c.value, c.label) for c in Category]


def item_choices() -> list[SelectChoice]:
    return [SelectChoice("", "No item (not furniture or household items)")] + [
        SelectChoice(code, f"{item.label} ({item.category.label.lower()})") for code, item in ITEM_KINDS.items()
    ]


def member_choices(family: Family, blank: str = "The whole family") -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(str(m.id), m.full_name) for m in family.current_members]


def status_choices(current: FamilyStatus) -> list[SelectChoice]:
    return [SelectChoice(status.value, status.label) for status in FamilyStatus if status != current]


def need_status_choices() -> list[SelectChoice]:
    return [SelectChoice(status.value, status.label) for status in NeedStatus]


def int_or_none(value: Any) -> int | None:
    return parse_id(value if isinstance(value, str) else str(value) if isinstance(value, int) else None)


def safe_next(default: str) -> str:
    """Where to go after a task action: a path on this site only."""
    target = request.form.get("next") or request.args.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default


def family_url(family: Family, anchor: str = "") -> str:
    return url_for("families.view_family", reference=family.reference) + (f"#{anchor}" if anchor else "")
