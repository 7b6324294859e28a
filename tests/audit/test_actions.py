"""The audit log's filter lists its actions and record types from `resettle.audit.actions`, not from the table:
every `record(...)` call in the package must write one of them."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from resettle.audit.actions import ACTIONS, OBJECT_TYPES
from resettle.dataprotection.models import RequestStatus

PACKAGE = Path(__file__).resolve().parents[2] / "resettle"


def _record_calls() -> Iterator[tuple[str, ast.Call]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "record":
                yield f"{path.relative_to(PACKAGE.parent)}:{node.lineno}", node


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _possible_values(expression: ast.expr | None) -> set[str] | None:
    """The strings an argument can be: a literal, either branch of `a if c else b`, or the request statuses of
    `f"subject_access_request_{status.value}"`. None when it is something else (which fails the test)."""
    if expression is None:
        return set()
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return {expression.value}
    if isinstance(expression, ast.IfExp):
        body, orelse = _possible_values(expression.body), _possible_values(expression.orelse)
        return None if body is None or orelse is None else body | orelse
    if isinstance(expression, ast.JoinedStr) and ast.unparse(expression) == "f'subject_access_request_{status.value}'":
        return {
            f"subject_access_request_{status.value}" for status in RequestStatus if status is not RequestStatus.OPEN
        }
    return None


def test_every_action_written_is_in_the_filter_list() -> None:
    calls = list(_record_calls())
    assert len(calls) > 50
    unknown = []
    for where, call in calls:
        values = _possible_values(_argument(call, 0, "action"))
        if values is None or not values <= set(ACTIONS):
            unknown.append(f"{where}: {ast.unparse(call.args[0]) if call.args else call}")
    assert unknown == [], "add these actions to resettle/audit/actions.py ACTIONS"


def test_every_record_type_written_is_in_the_filter_list() -> None:
    unknown = []
    for where, call in _record_calls():
        expression = _argument(call, 1, "object_type")
        values = _possible_values(expression)
        if values is None and isinstance(expression, ast.Name) and expression.id == "object_type":
            values = {"family", "offer"}  # legal holds: `targets` pairs of the two kinds a hold applies to
        if values is None or not values <= set(OBJECT_TYPES):
            unknown.append(f"{where}: {ast.unparse(expression) if expression else ''}")
    assert unknown == [], "add these record types to resettle/audit/actions.py OBJECT_TYPES"


def test_the_lists_are_sorted_and_without_repeats() -> None:
    assert list(ACTIONS) == sorted(set(ACTIONS))
    assert list(OBJECT_TYPES) == sorted(set(OBJECT_TYPES))
