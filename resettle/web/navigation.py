"""The service navigation, filtered by the signed-in user's role. Features add their entries to NAV_ITEMS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user

from resettle.auth.models import Role


@dataclass(frozen=True)
class NavItem:
    text: str
    endpoint: str
    roles: frozenset[Role]


NAV_ITEMS: list[NavItem] = [
    NavItem("Families", "families.list_families", frozenset({Role.CASEWORKER, Role.ADMIN})),
    NavItem("My tasks", "tasks.my_tasks", frozenset({Role.CASEWORKER, Role.ADMIN})),
    NavItem("Offers", "offers.review_queue", frozenset({Role.CASEWORKER, Role.REVIEWER, Role.ADMIN})),
    NavItem("Spend", "funding.list_spend", frozenset({Role.CASEWORKER})),
    NavItem("Review spend", "funding.review_queue", frozenset({Role.REVIEWER})),
    NavItem("Budgets", "funding.list_budgets", frozenset({Role.CASEWORKER, Role.REVIEWER})),
    NavItem("Funding rules", "funding.list_funding_schemes", frozenset({Role.CASEWORKER, Role.REVIEWER, Role.ADMIN})),
    NavItem("Matching", "matching.caseload_proposals", frozenset({Role.CASEWORKER, Role.ADMIN})),
    NavItem("Gaps", "matching.gap_report", frozenset({Role.CASEWORKER, Role.REVIEWER, Role.ADMIN})),
    NavItem("Users", "users.list_users", frozenset({Role.ADMIN})),
    NavItem("Audit log", "audit.audit_log", frozenset({Role.ADMIN})),
    NavItem("Teams", "need_to_know.teams", frozenset({Role.ADMIN})),
    NavItem("Break glass", "need_to_know.break_glass_list", frozenset({Role.ADMIN})),
    NavItem("Webhooks", "webhooks.list_endpoints", frozenset({Role.ADMIN})),
    NavItem("Data protection", "dataprotection.list_requests", frozenset({Role.CASEWORKER, Role.ADMIN})),
]

FOOTER_LINKS = [
    ("Accessibility statement", "main.accessibility_statement"),
]


def navigation_items() -> list[dict[str, Any]]:
    if not current_user.is_authenticated:
        return []
    items = [
        {"text": item.text, "href": url_for(item.endpoint), "active": False}
        for item in NAV_ITEMS
        if current_user.role in item.roles
    ]
    # Only the most specific section is current: /matching/gaps is "Gaps", not also "Matching".
    matching = [item for item in items if request.path.startswith(str(item["href"]))]
    if matching:
        max(matching, key=lambda item: len(str(item["href"])))["active"] = True
    return items


def footer_links() -> list[dict[str, Any]]:
    return [{"text": text, "href": url_for(endpoint)} for text, endpoint in FOOTER_LINKS]


def init_navigation(app: Flask) -> None:
    app.add_template_global(navigation_items)
    app.add_template_global(footer_links)
