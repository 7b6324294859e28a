"""The service navigation marks exactly one item as the current section."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient


def _current_items(page: str) -> list[str]:
    items = re.findall(
        r'<li class="([^"]*)">\s*<a class="govuk-service-navigation__link" href="[^"]*"[^>]*>'
        r"\s*(?:<strong[^>]*>)?\s*([^<]+?)\s*<",
        page,
    )
    return [text for classes, text in items if "govuk-service-navigation__item--active" in classes]


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/matching/", ["Matching"]),
        ("/matching/runs", ["Matching"]),
        ("/matching/gaps", ["Gaps"]),
        ("/families/", ["Families"]),
    ],
)
def test_one_section_is_current(caseworker_client: FlaskClient, path: str, current: list[str]) -> None:
    page = caseworker_client.get(path).get_data(as_text=True)
    assert _current_items(page) == current
