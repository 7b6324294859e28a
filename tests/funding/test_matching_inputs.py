"""The funding part of a matching problem (shared/matching/SPEC.md): streams, family budgets and pools."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

from resettle.auth.models import Role
from resettle.families.models import FamilyStatus, Scheme
from resettle.funding.matching_inputs import problem_funding
from resettle.funding.receipts import add_receipt
from resettle.funding.spend_services import SpendFields, approve_spend_line, create_spend_line, submit_spend_line
from tests.factories import UserFactory
from tests.funding.conftest import PDF, commit_for_a_match, make_family


def test_problem_funding_has_the_spec_shapes(config: dict[str, Any], time_machine: Any) -> None:
    time_machine.move_to(datetime(2017, 7, 1, 12, tzinfo=UTC), tick=False)
    family = make_family()  # VPRS: two adults and a child of 9
    closed = make_family()
    closed.status = FamilyStatus.CLOSED
    ukrs = make_family(arrival=date(2017, 6, 1), scheme=Scheme.UKRS)  # before UKRS existed: nothing open
    caseworker, reviewer = UserFactory(role=Role.CASEWORKER), UserFactory(role=Role.REVIEWER)
    line = create_spend_line(
        SpendFields(
            family,
            config["streams"]["vprs-core"],
            config["categories"]["fridge"],
            "Fridge",
            32_900,
            "Catford Electricals",
            date(2017, 6, 20),
        ),
        caseworker,
    )
    add_receipt(line, io.BytesIO(PDF), "r.pdf", caseworker)
    submit_spend_line(line, caseworker)
    approve_spend_line(line, reviewer)
    commit_for_a_match(
        config["streams"]["vprs-esol-pool"], family, 50_000, caseworker, config["categories"]["esol_course"]
    )

    funding = problem_funding(date(2017, 7, 1))

    streams = {stream["id"]: stream for stream in funding["streams"]}
    assert "ukrs-core" not in streams  # not open yet in 2017
    core = streams["vprs-core"]
    assert core["scope"] == "family" and "budget" not in core
    assert {"furniture", "household"} <= set(core["categories"]) and "esol" not in core["categories"]
    assert {"television", "dvd_player", "games_console", "computer", "tablet"} <= set(core["excluded_items"])
    assert "fridge" not in core["excluded_items"]
    pool = streams["vprs-esol-pool"]
    # The pool holds £850 for each ESOL adult of arrived VPRS families (2 + 2, the closed family included,
    # since it arrived and was funded) less what is committed.
    assert (pool["scope"], pool["categories"], pool["budget"]) == ("pool", ["esol"], 4 * 85_000 - 50_000)
    assert funding["families"][family.id] == {
        "budgets": {"vprs-core": 3 * 852_000 - 32_900, "vprs-education": 450_000},
        "pools": ["vprs-esol-pool", "vprs-exceptional"],
    }
    assert closed.id not in funding["families"]
    assert funding["families"][ukrs.id] == {"budgets": {}, "pools": []}
