"""The spend summary on a family's page, the one part of a family reviewers may see besides its reference
and scheme. Spend lives with the funding feature, which registers a provider here; until it does, pages
say that no spend is recorded rather than showing made-up figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from resettle.families.models import Family


@dataclass(frozen=True)
class SpendLine:
    label: str
    pence: int


SpendProvider = Callable[[Family], list[SpendLine]]
_providers: list[SpendProvider] = []


def register_spend_provider(provider: SpendProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def spend_summary(family: Family) -> list[SpendLine]:
    return [line for provider in _providers for line in provider(family)]
