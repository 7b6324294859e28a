"""factory_boy factories. They use whatever `db.session` is when they run: the `database` fixture's
per-test session, or a scratch app's real one in the race tests."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from resettle.auth.models import Role, User
from resettle.auth.passwords import hash_password
from resettle.extensions import db

DEFAULT_PASSWORD = "correct horse battery"


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
