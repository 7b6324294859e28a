"""`ApiBlueprint`: one per feature package (`resettle/<package>/api.py`), registered in resettle/api/setup.py.

    blp = ApiBlueprint("families", __name__, tag="Families", url_prefix="/families")

    @blp.route("")
    @roles_required(Role.CASEWORKER, Role.ADMIN)
    @blp.arguments(FamilyFiltersSchema, location="query")
    @blp.response(200, FamilyPageSchema)
    def list_families(filters: dict[str, Any]) -> Page: ...

Endpoints are `api_<name>.<function>`; the function name is the operation id (so it must be unique across the
API) and the tag groups operations in the document. Access is declared with `roles_required` or
`public_route` exactly as for pages, and the same access gate enforces it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from resettle.api.errors import field_error
from resettle.api.idempotency import IdempotencyKeyHeaderSchema, idempotent
from resettle.api.spec import API_PREFIX
from resettle.api.versions import IfMatchHeaderSchema
from resettle.auth.permissions import ACCESS_ATTRIBUTE, PUBLIC
from resettle.errors import FieldError
from resettle.extensions import csrf, limiter

F = TypeVar("F", bound=Callable[..., Any])


class ApiBlueprint(Blueprint):  # flask-smorest has no type hints
    def __init__(self, name: str, import_name: str, *, tag: str, url_prefix: str = "", description: str = "") -> None:
        super().__init__(f"api_{name}", import_name, url_prefix=API_PREFIX + url_prefix, description=description)
        self.tag = tag
        # No cookies reach the API (resettle/api/setup.py), so CSRF is an HTML concern only.
        csrf.exempt(self)
        apply_api_rate_limit(self)

    def route(self, rule: str, *, parameters: Any = None, tags: Any = None, **options: Any) -> Callable[[F], F]:
        """As flask-smorest's `route`, for view functions only; names the operation after the function and says
        in the document who may call it."""
        register = super().route(rule, parameters=parameters, tags=tags or [self.tag], **options)

        def decorator(func: F) -> F:
            access = getattr(func, ACCESS_ATTRIBUTE, None)
            doc: dict[str, Any] = {"operationId": func.__name__}
            if access == PUBLIC:
                doc["security"] = []
            elif access is not None:
                doc["x-roles"] = sorted(role.value for role in access)
            return register(self.doc(**doc)(_refusals_as_422(func)))  # type: ignore[no-any-return]

        return decorator

    def idempotent_create(self, find: Callable[[str], Any], reference_of: Callable[[Any], str]) -> Callable[[F], F]:
        """Put under `@blp.response(201, ...)` on every create: parses and documents `Idempotency-Key` and
        answers a repeat with what the first request made (see resettle/api/idempotency.py)."""
        parse_header = self.arguments(IdempotencyKeyHeaderSchema, location="headers", as_kwargs=True)

        def decorator(func: F) -> F:
            return parse_header(idempotent(find, reference_of)(func))  # type: ignore[no-any-return]

        return decorator

    def if_match(self) -> Callable[[F], F]:
        """Put under `@blp.response(...)` on every update: parses and documents `If-Match`; the view then
        changes the record inside `with matching_version(record):` (see resettle/api/versions.py)."""
        parse_header = self.arguments(IfMatchHeaderSchema, location="headers", as_kwargs=True)

        def decorator(func: F) -> F:
            @wraps(func)
            def without_header(*args: Any, if_match: str, **kwargs: Any) -> Any:
                return func(*args, **kwargs)  # matching_version reads the header itself

            return parse_header(without_header)  # type: ignore[no-any-return]

        return decorator


def _refusals_as_422(func: F) -> F:
    """A service's FieldError (a broken business rule, the same one the pages show by the field) is a 422 on
    that field. The request's changes are rolled back, as for every error response."""

    @wraps(func)
    def view(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FieldError as refused:
            field_error(422, refused.field, refused.message)

    return view  # type: ignore[return-value]


def api_rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


def api_rate_key() -> str:
    """Counted per token (the hash of the secret presented, so no database lookup is needed), or per address
    for calls without one."""
    kind, _, secret = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() == "bearer" and secret.strip():
        return "api-token:" + hashlib.sha256(secret.strip().encode()).hexdigest()[:32]
    return "api-address:" + get_remote_address()


def apply_api_rate_limit(blp: ApiBlueprint) -> None:
    # One counter per token across every API blueprint (a shared scope), not one per route.
    limiter.shared_limit(api_rate_limit, scope="api", key_func=api_rate_key)(blp)
