from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from resettle.auth.models import Role
from tests.api.clients import api_client_as


@pytest.fixture
def caseworker_api(app: Flask, database: Any) -> FlaskClient:
    return api_client_as(app, Role.CASEWORKER)


@pytest.fixture
def reviewer_api(app: Flask, database: Any) -> FlaskClient:
    return api_client_as(app, Role.REVIEWER)


@pytest.fixture
def admin_api(app: Flask, database: Any) -> FlaskClient:
    return api_client_as(app, Role.ADMIN)
