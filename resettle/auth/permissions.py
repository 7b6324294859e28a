"""Deny by default: every endpoint declares who may use it, and one gate enforces it before each request.

Declare with `@public_route` (no sign-in) or `@roles_required(Role.X, ...)`. An endpoint with neither
is refused with 403 for everyone, and a test fails for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from resettle.auth.models import STAFF as STAFF  # re-exported: views import it with roles_required
from resettle.auth.models import Role

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
ACCESS_ATTRIBUTE = "_resettle_access"
# Endpoints Flask registers itself.
BUILT_IN_PUBLIC_ENDPOINTS = frozenset({"static"})
# What someone whose role needs two-factor authentication may use before setting it up.
ENROLMENT_ENDPOINTS = frozenset({"auth.two_factor_setup", "auth.logout"})


def public_route(view: F) -> F:
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def roles_required(*roles: Role) -> Callable[[F], F]:
    if not roles:
        raise ValueError("name at least one role")

    def decorate(view: F) -> F:
        setattr(view, ACCESS_ATTRIBUTE, frozenset(roles))
        return view

    return decorate


def declared_access(endpoint: str) -> str | frozenset[Role] | None:
    if endpoint in BUILT_IN_PUBLIC_ENDPOINTS:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTRIBUTE, None)


def init_access_gate(app: Flask) -> None:
    @app.before_request
    def access_gate() -> Any:
        if request.endpoint is None:
            return None  # 404 or 405: let Flask answer
        access = declared_access(request.endpoint)
        if access == PUBLIC:
            return None
        if access is None:
            app.logger.error("endpoint %s declares no access rule; refusing", request.endpoint)
            abort(403)
        if not current_user.is_authenticated:
            if request.path.startswith("/api/"):
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path if request.args else request.path))
        if current_user.role not in access:
            abort(403)
        if current_user.totp_required and not current_user.totp_enabled and request.endpoint not in ENROLMENT_ENDPOINTS:
            if request.path.startswith("/api/"):
                abort(403)
            return redirect(url_for("auth.two_factor_setup"))
        return None
