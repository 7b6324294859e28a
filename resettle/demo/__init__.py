"""Demo data for a small, realistic London borough. Feature packages add their own in DEMO_LOADERS."""

from __future__ import annotations

import importlib

from sqlalchemy import func, select

from resettle.auth.models import Role, User
from resettle.auth.services import create_user
from resettle.db import utcnow
from resettle.extensions import db

DEMO_PASSWORD = "demo-resettle-2017"  # noqa: S105 (the printed demo login, development only)  # nosec B105

DEMO_USERS = [
    {"email": "amira.caseworker@council.example", "name": "Amira Haddad", "role": "caseworker"},
    {"email": "tom.caseworker@council.example", "name": "Tom Okafor", "role": "caseworker"},
    {"email": "grace.caseworker@council.example", "name": "Grace Mensah", "role": "caseworker"},
    {"email": "priya.reviewer@council.example", "name": "Priya Shah", "role": "reviewer"},
    {"email": "david.reviewer@council.example", "name": "David Clarke", "role": "reviewer"},
    {"email": "sam.admin@council.example", "name": "Sam Taylor", "role": "admin"},
]
for _user in DEMO_USERS:
    _user["password"] = DEMO_PASSWORD
# Demo caseworkers and the demo administrator have two-factor authentication set up with this published key
# (add it to an authenticator app, or run `flask demo-code`). Like the password, it is for local use only.
DEMO_TOTP_SECRET = "RESETTLEDEMOKEYFORLOCALUSEONLY23"  # noqa: S105 (the printed demo key, development only)  # nosec B105

# Each module has `load_demo(users_by_email)`; listed in the order they depend on each other.
DEMO_LOADERS: list[str] = [
    "resettle.demo.need_to_know",
    "resettle.demo.families",
    "resettle.demo.offers",
    "resettle.demo.funding",
    "resettle.demo.matching",
]


def database_is_empty() -> bool:
    return db.session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def non_demo_users() -> int:
    """How many accounts are not demo accounts: real people's, which the demo must never be loaded beside."""
    demo_emails = [spec["email"] for spec in DEMO_USERS]
    return db.session.execute(select(func.count()).select_from(User).where(User.email.not_in(demo_emails))).scalar_one()


def load_demo_data() -> dict[str, User]:
    users: dict[str, User] = {}
    for spec in DEMO_USERS:
        existing = db.session.execute(select(User).where(User.email == spec["email"])).scalar_one_or_none()
        user = existing or create_user(spec["email"], spec["name"], Role(spec["role"]), password=spec["password"])
        if user.totp_required and not user.totp_enabled:
            user.totp_secret = DEMO_TOTP_SECRET
            user.totp_enabled_at = utcnow()
        users[spec["email"]] = user
    for module_name in DEMO_LOADERS:
        importlib.import_module(module_name).load_demo(users)
    db.session.flush()
    return users
