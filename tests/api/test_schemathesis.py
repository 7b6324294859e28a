"""Schemathesis against the app served over HTTP, for every operation in the document, with a token of each role:
no 5xx, and every response as the document says (status, content type, headers, body schema). Requests that
keep to the document may still be refused with a 422: the document cannot hold every business rule (a referral
date after the arrival date), so schemathesis' "valid data is accepted" check is left out.

Examples per operation are bounded (API_FUZZ_EXAMPLES, 3 by default, valid and invalid each) so a run takes well
under a minute per database; set it higher locally to search harder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance
from sqlalchemy import select

from resettle.api.models import TokenScope
from resettle.api.tokens import create_token
from resettle.auth.models import Role, User
from resettle.extensions import db
from tests.served import served_app

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "3"))
ROLES = [Role.CASEWORKER, Role.REVIEWER, Role.ADMIN]


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[Role, str]]]:
    """The demo borough served on a real port, and a read-and-write token for one demo user of each role."""
    with served_app(tmp_path_factory.mktemp("fuzz"), "api_fuzz", API_RATE_LIMIT="1000000 per minute") as (app, url):
        with app.app_context():
            secrets = {}
            for role in ROLES:
                user = db.session.execute(
                    select(User).where(User.role == role, User.is_active_account.is_(True)).order_by(User.id).limit(1)
                ).scalar_one()
                secrets[role] = create_token(user, f"Fuzzing as {role.value}", TokenScope.READ_WRITE, 30).secret
            db.session.commit()
            db.session.remove()
        yield url, secrets


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("role", ROLES, ids=[role.value for role in ROLES])
def test_every_operation_keeps_to_the_document(live_api: tuple[str, dict[Role, str]], role: Role) -> None:
    base_url, secrets = live_api
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {secrets[role]}"}
    operations = _operations(schema)
    assert operations, "the document lists no operations"
    failures: list[str] = []
    # Whether a call without a token is refused does not depend on the role: checked with the first one only.
    excluded = [positive_data_acceptance] + ([] if role == ROLES[0] else [ignored_auth])
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case: Any) -> None:
                case.call_and_validate(base_url=base_url, headers=headers, timeout=30, excluded_checks=excluded)

            try:
                call()
            except Unsatisfiable:
                continue  # no invalid request can be made for this operation (nothing to get wrong)
            except Exception as error:  # collected, so one run reports every operation that fails
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert not failures, "\n\n".join(failures)


def test_stateful_sequences_keep_to_the_document(live_api: tuple[str, dict[Role, str]]) -> None:
    """Create, then read and change what was made, following the document's links (declared ones, such as a new
    family's reference and ETag into its update with If-Match, and those schemathesis infers)."""
    base_url, secrets = live_api
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {secrets[Role.CASEWORKER]}"}

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": base_url, "headers": headers, "timeout": 30}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

    Sequences.run(
        settings=settings(
            max_examples=EXAMPLES * 2,
            stateful_step_count=5,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
