"""The spend section of a family's page: its budgets (committed and spent summed from its lines), every spend
line with its status, stream and amount, and "Record spend", which opens the spend form for that family with
its scheme's streams and its needs listed at once."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from resettle.auth.models import Role
from resettle.families.models import Family, NeedStatus
from resettle.funding.allocation import BudgetFigures
from resettle.funding.family_summary import used_text
from resettle.funding.spend_models import SpendStatus
from resettle.taxonomy import Category
from tests.families.factories import NeedFactory
from tests.funding.conftest import commit_for_a_match
from tests.funding.factories import SpendLineFactory


def decided(actor: Any) -> dict[str, Any]:
    """What an approved line carries besides its status."""
    now = datetime(2017, 6, 30, 12, tzinfo=UTC)
    return {"status": SpendStatus.APPROVED, "submitted_at": now, "decided_by": actor, "decided_at": now}


@pytest.fixture(autouse=True)
def in_july_2017(time_machine: Any) -> None:
    time_machine.move_to(datetime(2017, 7, 1, 12, tzinfo=UTC), tick=False)


def test_a_budget_in_use_never_reads_0_percent() -> None:
    assert used_text(BudgetFigures(2_556_000, 0, 275_500)) == "10% used"
    assert used_text(BudgetFigures(100_000_000, 0, 275_500)) == "Less than 1% used"
    assert used_text(BudgetFigures(0, 0, 0)) == "Nothing allocated"
    assert used_text(BudgetFigures(0, 0, 275_500)) == "100% used"
    assert used_text(BudgetFigures(1_000_000, 0, 0)) == "0% used"


def test_the_family_page_lists_its_spend_and_budget_use(
    config: dict[str, Any], family: Family, caseworker_client: Any
) -> None:
    core = config["streams"]["vprs-core"]
    fridge = config["categories"]["fridge"]
    approved = SpendLineFactory(
        family=family, stream=core, expense_category=fridge, amount_pence=275_500, **decided(caseworker_client.user)
    )
    draft = SpendLineFactory(family=family, stream=core, expense_category=fridge, amount_pence=12_000)
    commit_for_a_match(core, family, 50_000, caseworker_client.user, config["categories"]["bed"])
    page = caseworker_client.get(f"/families/{family.reference}").get_data(as_text=True)
    section = page[page.index('id="spend"') : page.index('id="timeline"')]
    # Three members on £8,520 each: £25,560; £2,755 spent and £500 committed is 12%, never "0% used".
    assert "£25,560.00" in section and "£2,755.00" in section and "£500.00" in section
    core_row = section[section.index("Core tariff") : section.index("</tr>", section.index("Core tariff"))]
    assert "12% used" in core_row and "£25,560.00" in core_row and "£500.00" in core_row
    for line in (approved, draft):
        assert f'href="/funding/spend/{line.public_id}"' in section
        assert line.reference in section
    assert "Core tariff" in section and "vprs-core" not in section
    assert "Approved" in section and "Draft" in section and "Committed" in section
    assert "£120.00" in section
    assert f'href="/funding/spend/new?family={family.reference}"' in section
    assert "Record spend" in section


def test_administrators_see_budgets_but_no_spend_lines(
    config: dict[str, Any], family: Family, admin_client: Any
) -> None:
    line = SpendLineFactory(family=family, stream=config["streams"]["vprs-core"], **decided(admin_client.user))
    page = admin_client.get(f"/families/{family.reference}").get_data(as_text=True)
    section = page[page.index('id="spend"') : page.index('id="timeline"')]
    assert "Core tariff" in section
    assert line.reference not in section and "Record spend" not in section


def test_record_spend_lists_the_familys_streams_and_needs_at_once(
    config: dict[str, Any], family: Family, login_as: Any
) -> None:
    client = login_as(Role.CASEWORKER)
    beds = NeedFactory(family=family, category=Category.FURNITURE, item="bed")
    NeedFactory(family=family, category=Category.FURNITURE, item="sofa", status=NeedStatus.MET)
    page = client.get(f"/funding/spend/new?family={family.reference}").get_data(as_text=True)
    need_select = page[page.index('name="need"') : page.index("</select>", page.index('name="need"'))]
    assert f'value="{beds.id}"' in need_select and beds.title in need_select
    assert "Sofa" not in need_select  # met needs are not offered
    stream_select = page[page.index('name="stream"') : page.index("</select>", page.index('name="stream"'))]
    streams = re.findall(r'<option value="(\d+)"', stream_select)
    vprs = {
        str(s.id) for s in config["streams"].values() if s.scheme.code == "VPRS" and s.is_open_on(family.arrival_date)
    }
    assert streams and set(streams) <= vprs
    assert str(config["streams"]["vcrs-core"].id) not in streams
    assert f'selected value="{family.reference}"' in page or f'value="{family.reference}" selected' in page


def test_a_stream_of_another_scheme_is_refused_with_the_reason(
    config: dict[str, Any], family: Family, caseworker_client: Any
) -> None:
    from tests.conftest import submit_form
    from tests.funding.test_spend_views import spend_form

    data = {**spend_form(config, family), "stream": str(config["streams"]["vcrs-core"].id)}
    page = submit_form(caseworker_client, "/funding/spend/new", data).get_data(as_text=True)
    assert "Select a stream of the family&#39;s own scheme (VPRS), not VCRS" in page
