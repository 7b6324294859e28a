"""Deny by default: every route declares who may use it, and each role (and anonymous) gets exactly that.

ROUTE_ACCESS is the reviewed table of who may use what. A new route fails these tests until it is added here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, url_for

from resettle import create_app
from resettle.auth.models import Role
from resettle.auth.permissions import PUBLIC, declared_access
from resettle.config import TestConfig
from resettle.offers.links import make_offer_token
from tests.api.clients import api_client_as
from tests.conftest import csrf_token_from
from tests.factories import UserFactory
from tests.families.factories import FamilyFactory, MemberFactory, NeedFactory, TaskFactory
from tests.funding import url_args as funding_url_args
from tests.matching import url_args as matching_url_args
from tests.offers.factories import OfferFactory
from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory

CW, RV, AD = Role.CASEWORKER, Role.REVIEWER, Role.ADMIN
STAFF = frozenset({CW, RV, AD})

ROUTE_ACCESS: dict[str, Any] = {
    "static": PUBLIC,
    "main.health": PUBLIC,
    "main.ready": PUBLIC,
    "main.accessibility_statement": PUBLIC,
    "main.home": STAFF,
    "auth.login": PUBLIC,
    "auth.logout": STAFF,
    "auth.set_password": PUBLIC,
    "auth.account": STAFF,
    "auth.second_factor": PUBLIC,
    "auth.two_factor_setup": STAFF,
    "auth.new_recovery_codes": STAFF,
    "auth.turn_off_two_factor": STAFF,
    "auth.sessions": STAFF,
    "auth.end_other_session": STAFF,
    "auth.end_other_sessions": STAFF,
    "users.list_users": frozenset({AD}),
    "users.invite": frozenset({AD}),
    "users.edit_user": frozenset({AD}),
    "users.resend_invitation": frozenset({AD}),
    "users.approvals": frozenset({AD}),
    "users.approve_request": frozenset({AD}),
    "users.reject_request": frozenset({AD}),
    "users.reset_two_factor": frozenset({AD}),
    "audit.audit_log": frozenset({AD}),
    "audit.export_audit_log": frozenset({AD}),
    "families.list_families": frozenset({CW, AD}),
    "families.export_families": frozenset({CW, AD}),
    "families.create_family_page": frozenset({CW, AD}),
    "families.view_family": STAFF,
    "families.family_summary": frozenset({CW, AD}),
    "families.edit_family": frozenset({CW, AD}),
    "families.change_family_status": frozenset({CW, AD}),
    "families.confirm_family_arrival": frozenset({CW, AD}),
    "families.add_note": frozenset({CW, AD}),
    "families.record_family_consent": frozenset({CW, AD}),
    "families.add_family_member": frozenset({CW, AD}),
    "families.edit_family_member": frozenset({CW, AD}),
    "families.member_left": frozenset({CW, AD}),
    "families.health_notes": frozenset({CW}),
    "families.raise_family_need": frozenset({CW, AD}),
    "families.edit_need": frozenset({CW, AD}),
    "families.add_family_task": frozenset({CW, AD}),
    "tasks.my_tasks": frozenset({CW, AD}),
    "tasks.team_tasks": frozenset({CW, AD}),
    "tasks.complete": frozenset({CW, AD}),
    "tasks.complete_selected": frozenset({CW, AD}),
    "tasks.reassign": frozenset({CW, AD}),
    "tasks.snooze": frozenset({CW, AD}),
    "offers_public.choose_offer_type": PUBLIC,
    "offers_public.offer_details": PUBLIC,
    "offers_public.offer_sent": PUBLIC,
    "offers_public.needed_now": PUBLIC,
    "offers_public.manage_offer": PUBLIC,
    "offers_public.change_offer_availability": PUBLIC,
    "offers_public.withdraw_offer": PUBLIC,
    "offers_public.request_new_link": PUBLIC,
    # Spend reviewers may look at offers (paid ones reach their budgets) but not act on them.
    "offers.review_queue": STAFF,
    "offers.export_offers": STAFF,
    "offers.offer_detail": STAFF,
    "offers.offer_summary": STAFF,
    "offers.verify": frozenset({CW, AD}),
    "offers.reject": frozenset({CW, AD}),
    "offers.mark_as_duplicate": frozenset({CW, AD}),
    "offers.change_status": frozenset({CW, AD}),
    "offers.move_to_pool": frozenset({CW, AD}),
    "offers.edit": frozenset({CW, AD}),
    # Funding: everyone on the staff reads the rules; administrators change them. Caseworkers enter spend,
    # reviewers decide on it and claim it; both read spend, budgets and receipts. Administrators do not.
    "funding.list_funding_schemes": STAFF,
    "funding.show_scheme": STAFF,
    "funding.show_eligibility": STAFF,
    "funding.new_scheme": frozenset({AD}),
    "funding.edit_scheme": frozenset({AD}),
    "funding.new_stream": frozenset({AD}),
    "funding.edit_stream": frozenset({AD}),
    "funding.new_rule": frozenset({AD}),
    "funding.edit_rule": frozenset({AD}),
    "funding.edit_eligibility": frozenset({AD}),
    "funding.new_expense_category": frozenset({AD}),
    "funding.edit_expense_category": frozenset({AD}),
    "funding.list_spend": frozenset({CW, RV}),
    "funding.export_spend": frozenset({CW, RV}),
    "funding.show_spend_line": frozenset({CW, RV}),
    "funding.download_receipt": frozenset({CW, RV}),
    "funding.list_budgets": frozenset({CW, RV}),
    "funding.show_family_budgets": frozenset({CW, RV}),
    "funding.new_spend_line": frozenset({CW}),
    "funding.edit_spend_line": frozenset({CW}),
    "funding.upload_receipt": frozenset({CW}),
    "funding.remove_receipt_file": frozenset({CW}),
    "funding.submit_spend": frozenset({CW}),
    "funding.record_spend_delivery": frozenset({CW}),
    "funding.approve_spend": frozenset({RV}),
    "funding.reject_spend": frozenset({RV}),
    "funding.review_queue": frozenset({RV}),
    "funding.export_review_queue": frozenset({RV}),
    "funding.bulk_decide": frozenset({RV}),
    "funding.show_dashboard": frozenset({RV}),
    "funding.claim_batches": frozenset({RV}),
    "funding.export_claim_batch": frozenset({RV}),
    # Matching: caseworkers (and administrators) decide; everyone on the staff reads run figures and the gap report.
    "matching.caseload_proposals": frozenset({CW, AD}),
    "matching.export_proposals": frozenset({CW, AD}),
    "matching.run_now": frozenset({CW, AD}),
    "matching.run_history": STAFF,
    "matching.run_progress": frozenset({CW, AD}),
    "matching.family_proposals": frozenset({CW, AD}),
    "matching.accept": frozenset({CW, AD}),
    "matching.reject": frozenset({CW, AD}),
    "matching.pick": frozenset({CW, AD}),
    "matching.fulfil": frozenset({CW, AD}),
    "matching.cancel": frozenset({CW, AD}),
    "matching.gap_report": STAFF,
    "matching.export_gaps": STAFF,
    # The API for offers, matching, funding and the audit log: the same rules as the pages above.
    "api_offers.list_offers": STAFF,
    "api_offers.read_offer": STAFF,
    "api_offers.edit_offer": frozenset({CW, AD}),
    "api_offers.verify_offer": frozenset({CW, AD}),
    "api_offers.reject_offer": frozenset({CW, AD}),
    "api_offers.mark_offer_duplicate": frozenset({CW, AD}),
    "api_offers.change_offer_status": frozenset({CW, AD}),
    "api_offers.move_offer_to_pool": frozenset({CW, AD}),
    "api_matching.list_match_runs": STAFF,
    "api_matching.read_match_run": STAFF,
    "api_matching.run_matching_now": frozenset({CW, AD}),
    "api_matching.read_run_request": frozenset({CW, AD}),
    "api_matching.list_proposals": frozenset({CW, AD}),
    "api_matching.read_proposal": frozenset({CW, AD}),
    "api_matching.accept_proposal": frozenset({CW, AD}),
    "api_matching.reject_proposal": frozenset({CW, AD}),
    "api_matching.list_candidates": frozenset({CW, AD}),
    "api_matching.pick_offer": frozenset({CW, AD}),
    "api_matching.list_matches": frozenset({CW, AD}),
    "api_matching.read_match": frozenset({CW, AD}),
    "api_matching.fulfil_match": frozenset({CW, AD}),
    "api_matching.cancel_match": frozenset({CW, AD}),
    "api_matching.read_gap_report": STAFF,
    "api_funding.list_spend_lines": frozenset({CW, RV}),
    "api_funding.read_spend_line": frozenset({CW, RV}),
    "api_funding.create_spend": frozenset({CW}),
    "api_funding.edit_spend_line": frozenset({CW}),
    "api_funding.upload_spend_receipt": frozenset({CW}),
    "api_funding.download_spend_receipt": frozenset({CW, RV}),
    "api_funding.remove_spend_receipt": frozenset({CW}),
    "api_funding.submit_spend": frozenset({CW}),
    "api_funding.record_spend_delivered": frozenset({CW}),
    "api_funding.approve_spend": frozenset({RV}),
    "api_funding.reject_spend": frozenset({RV}),
    "api_funding.list_pool_budgets": frozenset({CW, RV}),
    "api_funding.list_family_budgets": frozenset({CW, RV}),
    "api_funding.read_family_budgets": frozenset({CW, RV}),
    "api_funding.list_claim_batches": frozenset({RV}),
    "api_funding.preview_claim_batch": frozenset({RV}),
    "api_funding.create_claim": frozenset({RV}),
    "api_funding.read_claim_batch": frozenset({RV}),
    "api_funding.download_claim_batch": frozenset({RV}),
    "api_funding_config.list_funding_schemes": STAFF,
    "api_funding_config.read_funding_scheme": STAFF,
    "api_funding_config.create_funding_scheme": frozenset({AD}),
    "api_funding_config.edit_funding_scheme": frozenset({AD}),
    "api_funding_config.list_funding_streams": STAFF,
    "api_funding_config.read_funding_stream": STAFF,
    "api_funding_config.create_funding_stream": frozenset({AD}),
    "api_funding_config.edit_funding_stream": frozenset({AD}),
    "api_funding_config.create_amount_rule": frozenset({AD}),
    "api_funding_config.read_amount_rule": STAFF,
    "api_funding_config.edit_amount_rule": frozenset({AD}),
    "api_funding_config.list_expense_category_codes": STAFF,
    "api_funding_config.create_expense_category_code": frozenset({AD}),
    "api_funding_config.edit_expense_category_code": frozenset({AD}),
    "api_funding_config.list_eligibility": STAFF,
    "api_funding_config.set_category_eligibility": frozenset({AD}),
    "api_audit.list_audit_events": frozenset({AD}),
    # Need to know: caseworkers outside a family's team break glass; administrators see who did, and set teams.
    "need_to_know.break_glass_page": frozenset({CW}),
    "need_to_know.break_glass_list": frozenset({AD}),
    "need_to_know.teams": frozenset({AD}),
    "need_to_know.set_user_team": frozenset({AD}),
    # Notifications: everyone on the staff has their own (opening another's answers 404).
    "notifications.list_notifications": STAFF,
    "notifications.open_one": STAFF,
    "notifications.mark_read": STAFF,
    "notifications.email_settings": STAFF,
    # Data protection: requests are recorded by caseworkers and administrators; exports may hold health notes,
    # so only caseworkers open them.
    "dataprotection.list_requests": frozenset({CW, AD}),
    "dataprotection.new_request": frozenset({CW, AD}),
    "dataprotection.show_request": frozenset({CW, AD}),
    "dataprotection.export_request": frozenset({CW}),
    "dataprotection.export_request_json": frozenset({CW}),
    "dataprotection.family_restriction": frozenset({CW, AD}),
    "dataprotection.erase_offerer": frozenset({AD}),
    "dataprotection.retention_review": frozenset({AD}),
    # Webhooks: administrators register partners' endpoints and read their delivery history.
    "webhooks.list_endpoints": frozenset({AD}),
    "webhooks.new_endpoint": frozenset({AD}),
    "webhooks.show_endpoint": frozenset({AD}),
    "webhooks.show_delivery": frozenset({AD}),
    "webhooks.disable_endpoint": frozenset({AD}),
    "webhooks.enable_endpoint": frozenset({AD}),
    "webhooks.send_test": frozenset({AD}),
    "webhooks.delete": frozenset({AD}),
    # The API (/api/v1, bearer tokens only) and the pages about it. The document and its docs page are public.
    "api-docs.openapi_json": PUBLIC,
    "api_pages.api_docs": PUBLIC,
    "api_pages.list_tokens": STAFF,
    "api_pages.new_token": STAFF,
    "api_pages.revoke": STAFF,
    "api_tokens.show_current_token": STAFF,
    # Anyone may offer help and read what is needed, as on the public pages; administrators manage webhooks.
    "api_public.submit_public_offer": PUBLIC,
    "api_public.list_public_needs": PUBLIC,
    "api_webhooks.list_webhook_endpoints": frozenset({AD}),
    "api_webhooks.create_webhook_endpoint": frozenset({AD}),
    "api_webhooks.show_webhook_endpoint": frozenset({AD}),
    "api_webhooks.delete_webhook_endpoint": frozenset({AD}),
    "api_webhooks.list_webhook_deliveries": frozenset({AD}),
    # Families over the API: as the family pages (reviewers see a family's spend summary only).
    "api_families.list_families": frozenset({CW, AD}),
    "api_families.create_family_record": frozenset({CW, AD}),
    "api_families.show_family": STAFF,
    "api_families.update_family_record": frozenset({CW, AD}),
    "api_families.change_family_status": frozenset({CW, AD}),
    "api_families.confirm_family_arrival": frozenset({CW, AD}),
    "api_families.add_family_member": frozenset({CW, AD}),
    "api_families.show_family_member": frozenset({CW, AD}),
    "api_families.update_family_member": frozenset({CW, AD}),
    "api_families.record_family_member_left": frozenset({CW, AD}),
    "api_families.list_family_needs": frozenset({CW, AD}),
    "api_families.raise_family_need": frozenset({CW, AD}),
    "api_families.show_family_need": frozenset({CW, AD}),
    "api_families.update_family_need": frozenset({CW, AD}),
    "api_families.list_case_notes": frozenset({CW, AD}),
    "api_families.add_family_case_note": frozenset({CW, AD}),
    "api_families.add_family_task": frozenset({CW, AD}),
    "api_tasks.list_tasks": frozenset({CW, AD}),
    "api_tasks.show_task": frozenset({CW, AD}),
    "api_tasks.complete_family_task": frozenset({CW, AD}),
    "api_tasks.reassign_family_task": frozenset({CW, AD}),
    "api_tasks.snooze_family_task": frozenset({CW, AD}),
}

# How to fill in each route's URL parameters; called inside a test with the database available.
URL_ARGS: dict[str, Callable[[], dict[str, Any]]] = {
    "static": lambda: {"filename": "favicon.svg"},
    "auth.set_password": lambda: {"token": "not-a-real-token"},
    "auth.end_other_session": lambda: {"public_id": "not-a-session"},
    "users.edit_user": lambda: {"user_id": UserFactory().id},
    "users.resend_invitation": lambda: {"user_id": UserFactory().id},
    "users.approve_request": lambda: {"public_id": "not-a-request"},
    "users.reject_request": lambda: {"public_id": "not-a-request"},
    "users.reset_two_factor": lambda: {"user_id": UserFactory().id},
    **{
        endpoint: lambda: {"reference": FamilyFactory().reference}
        for endpoint in [
            "families.view_family",
            "families.family_summary",
            "families.edit_family",
            "families.change_family_status",
            "families.confirm_family_arrival",
            "families.add_note",
            "families.record_family_consent",
            "families.add_family_member",
            "families.health_notes",
            "families.raise_family_need",
            "families.add_family_task",
            "need_to_know.break_glass_page",
            "dataprotection.family_restriction",
            "api_families.show_family",
            "api_families.update_family_record",
            "api_families.change_family_status",
            "api_families.confirm_family_arrival",
            "api_families.add_family_member",
            "api_families.list_family_needs",
            "api_families.raise_family_need",
            "api_families.list_case_notes",
            "api_families.add_family_case_note",
            "api_families.add_family_task",
        ]
    },
    **{
        endpoint: lambda: _member_args()
        for endpoint in [
            "api_families.show_family_member",
            "api_families.update_family_member",
            "api_families.record_family_member_left",
        ]
    },
    **{
        endpoint: lambda: (lambda need: {"reference": need.family.reference, "need_id": need.id})(NeedFactory())
        for endpoint in ["api_families.show_family_need", "api_families.update_family_need"]
    },
    **{
        endpoint: lambda: {"task_id": TaskFactory().id}
        for endpoint in [
            "api_tasks.show_task",
            "api_tasks.complete_family_task",
            "api_tasks.reassign_family_task",
            "api_tasks.snooze_family_task",
        ]
    },
    "families.edit_family_member": lambda: _member_args(),
    "families.member_left": lambda: _member_args(),
    "families.edit_need": lambda: (lambda need: {"reference": need.family.reference, "need_id": need.id})(
        NeedFactory()
    ),
    "tasks.complete": lambda: {"task_id": TaskFactory().id},
    "tasks.reassign": lambda: {"task_id": TaskFactory().id},
    "tasks.snooze": lambda: {"task_id": TaskFactory().id},
    "offers_public.offer_details": lambda: {"offer_type": "housing"},
    "offers_public.offer_sent": lambda: {"public_id": OfferFactory().public_id},
    "offers_public.manage_offer": lambda: {"token": make_offer_token(OfferFactory())},
    "offers_public.change_offer_availability": lambda: {"token": make_offer_token(OfferFactory())},
    "offers_public.withdraw_offer": lambda: {"token": make_offer_token(OfferFactory())},
    "offers.offer_detail": lambda: {"offer_id": OfferFactory().id},
    "offers.offer_summary": lambda: {"offer_id": OfferFactory().id},
    "offers.verify": lambda: {"offer_id": OfferFactory().id},
    "offers.reject": lambda: {"offer_id": OfferFactory().id},
    "offers.mark_as_duplicate": lambda: {"offer_id": OfferFactory().id},
    "offers.change_status": lambda: {"offer_id": OfferFactory().id},
    "offers.move_to_pool": lambda: {"offer_id": OfferFactory(on_waiting_list=True).id},
    "offers.edit": lambda: {"offer_id": OfferFactory().id},
    **{
        f"api_offers.{name}": lambda: {"reference": OfferFactory().reference}
        for name in [
            "read_offer",
            "edit_offer",
            "verify_offer",
            "reject_offer",
            "mark_offer_duplicate",
            "change_offer_status",
            "move_offer_to_pool",
        ]
    },
    "notifications.open_one": lambda: {"notification_id": 1},
    "api_pages.revoke": lambda: {"public_id": "not-a-token"},
    **{
        endpoint: lambda: {"endpoint_id": WebhookEndpointFactory().public_id}
        for endpoint in [
            "api_webhooks.show_webhook_endpoint",
            "api_webhooks.delete_webhook_endpoint",
            "api_webhooks.list_webhook_deliveries",
        ]
    },
    **{
        endpoint: lambda: {"public_id": WebhookEndpointFactory().public_id}
        for endpoint in [
            "webhooks.show_endpoint",
            "webhooks.disable_endpoint",
            "webhooks.enable_endpoint",
            "webhooks.send_test",
            "webhooks.delete",
        ]
    },
    "webhooks.show_delivery": lambda: (lambda d: {"public_id": d.endpoint.public_id, "delivery_id": d.public_id})(
        WebhookDeliveryFactory()
    ),
    **{
        endpoint: lambda: {"public_id": _subject_access_request().public_id}
        for endpoint in [
            "dataprotection.show_request",
            "dataprotection.export_request",
            "dataprotection.export_request_json",
        ]
    },
    **funding_url_args.FUNDING_URL_ARGS,
    **matching_url_args.MATCHING_URL_ARGS,
}


def _subject_access_request() -> Any:
    from datetime import date

    from resettle.dataprotection.access import open_request
    from resettle.dataprotection.models import SubjectKind

    return open_request(
        kind=SubjectKind.MEMBER,
        requester_name="The person themself",
        received_on=date(2026, 1, 5),
        actor=UserFactory(),
        member=MemberFactory(),
    )


def _member_args() -> dict[str, Any]:
    member = MemberFactory()
    return {"reference": member.family.reference, "member_id": member.id}


def _endpoints(app: Flask) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()})


def test_every_route_declares_who_may_use_it(app: Flask) -> None:
    with app.app_context():
        undeclared = [endpoint for endpoint in _endpoints(app) if declared_access(endpoint) is None]
    assert undeclared == [], f"routes with no access declaration: {undeclared}"


def test_access_table_matches_the_declarations(app: Flask) -> None:
    with app.app_context():
        declared = {endpoint: declared_access(endpoint) for endpoint in _endpoints(app)}
    assert set(declared) == set(ROUTE_ACCESS), "add new routes to ROUTE_ACCESS (and remove old ones)"
    mismatched = {e: (declared[e], ROUTE_ACCESS[e]) for e in declared if declared[e] != ROUTE_ACCESS[e]}
    assert mismatched == {}


def test_a_route_without_declaration_is_refused_even_when_signed_in() -> None:
    app = create_app(TestConfig)

    @app.route("/forgotten")
    def forgotten() -> str:
        return "secret"

    response = app.test_client().get("/forgotten")
    assert response.status_code == 403
    assert b"secret" not in response.data


def _method_for(app: Flask, endpoint: str) -> str:
    methods = next(rule.methods for rule in app.url_map.iter_rules() if rule.endpoint == endpoint) or set()
    return next(method for method in ("GET", "POST", "PATCH", "PUT", "DELETE") if method in methods)


MATRIX = [(endpoint, role) for endpoint in ROUTE_ACCESS for role in [None, CW, RV, AD]]


@pytest.mark.parametrize(("endpoint", "role"), MATRIX, ids=[f"{e}-{r.value if r else 'anonymous'}" for e, r in MATRIX])
def test_role_matrix(app: Flask, database: Any, login_as: Any, endpoint: str, role: Role | None) -> None:
    with app.test_request_context():
        url = url_for(endpoint, **URL_ARGS.get(endpoint, lambda: {})())
    is_api = url.startswith("/api/")
    if is_api:  # the API reads no cookie: a token of the role's user, with the write scope
        client = api_client_as(app, role) if role else app.test_client()
    else:
        client = login_as(role) if role else app.test_client()
    method = _method_for(app, endpoint)
    if method == "GET":
        response = client.get(url)
    elif is_api:
        response = client.open(url, method=method, json={})
    else:
        token = csrf_token_from(client.get("/login", follow_redirects=True).get_data(as_text=True))
        response = client.post(url, data={"csrf_token": token})
    response.close()
    allowed = ROUTE_ACCESS[endpoint]
    if allowed == PUBLIC or (role is not None and role in allowed):
        assert response.status_code not in (401, 403), f"{role} refused on {endpoint}"
        assert "/login" not in response.headers.get("Location", "") or endpoint == "auth.logout"
    elif role is None and is_api:
        assert response.status_code == 401
    elif role is None:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == 403
