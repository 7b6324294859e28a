"""factory_boy factories. They use whatever `db.session` is when they run: the `database` fixture's
per-test session, or a scratch app's real one in the race tests."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from resettle.auth.models import Role, User
from resettle.auth.passwords import hash_password
from resettle.db import utcnow
from resettle.extensions import db

TOTP_ROLES = (Role.CASEWORKER, Role.ADMIN)

DEFAULT_PASSWORD = "correct horse battery"
# Caseworkers and administrators must use a second factor; factory users of those roles have it set up with
# this secret (tests.auth.second_step gives the current code, or completes the step for a client).
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        # Committed (to a savepoint the test rolls back), so a request that fails and rolls back keeps it.
        sqlalchemy_session_persistence = "commit"
        # Looked up at each use, so a factory module imported late still writes to the current test's session.
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@council.example")
    name = factory.Faker("name", locale="en_GB")
    role = Role.CASEWORKER
    password_hash = factory.LazyFunction(lambda: hash_password(DEFAULT_PASSWORD))
    is_active_account = True
    totp_secret = factory.LazyAttribute(lambda user: TEST_TOTP_SECRET if user.role in TOTP_ROLES else None)
    totp_enabled_at = factory.LazyAttribute(lambda user: utcnow() if user.role in TOTP_ROLES else None)
