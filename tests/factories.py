"""factory_boy factories. The session is bound per test by the `database` fixture."""

from __future__ import annotations

from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory

from resettle.auth.models import Role, User
from resettle.auth.passwords import hash_password

DEFAULT_PASSWORD = "correct horse battery"
_ALL_FACTORIES: list[type[SQLAlchemyModelFactory]] = []


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        # Committed (to a savepoint the test rolls back), so a request that fails and rolls back keeps it.
        sqlalchemy_session_persistence = "commit"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _ALL_FACTORIES.append(cls)


def bind_factories(session: Any) -> None:
    for factory_class in _ALL_FACTORIES:
        factory_class._meta.sqlalchemy_session = session


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@council.example")
    name = factory.Faker("name", locale="en_GB")
    role = Role.CASEWORKER
    password_hash = factory.LazyFunction(lambda: hash_password(DEFAULT_PASSWORD))
    is_active_account = True
