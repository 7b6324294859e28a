"""/needed that makes people act: lines as detailed as 3 or more families allow, each with a button that opens
the offer form filled in with exactly that, a "recently met, thank you" line, and all of it from grouped
queries in a fixed number of statements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from resettle.extensions import db
from resettle.families.models import FamilyStatus, NeedStatus
from resettle.matching.models import MatchStatus, UnmetNeed, UnmetReason
from resettle.offers.needed import (
    MIN_FAMILIES,
    NeedCell,
    RecentlyMet,
    need_cells,
    needed_groups,
    recently_met,
    rounded_families,
)
from resettle.taxonomy import Category
from tests.conftest import csrf_token_from
from tests.families.factories import FamilyFactory, NeedFactory
from tests.matching.factories import MatchFactory, MatchRunFactory

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)

housing_cells = st.lists(
    st.builds(
        lambda family, bedrooms, step_free, rent, area: NeedCell(
            category=Category.HOUSING,
            families=frozenset({family}),
            bedrooms_min=bedrooms,
            step_free=step_free,
            rent_max_pence=rent,
            area=area,
        ),
        st.integers(1, 15),
        st.sampled_from([None, 1, 2, 3, 4, 5]),
        st.booleans(),
        st.sampled_from([None, 120_000, 165_099, 194_467]),
        st.sampled_from([None, "SE6", "SE13", "SE4", "BR1"]),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(housing_cells)
def test_every_housing_line_has_three_families_and_holds_for_each_of_them(cells: list[NeedCell]) -> None:
    seen: set[int] = set()
    for line, behind in needed_groups(cells):
        backing = set().union(*(cell.families for cell in behind))
        assert len(backing) >= MIN_FAMILIES
        assert line.families == rounded_families(len(backing))
        args = dict(line.offer_args)
        for cell in behind:
            assert id(cell) not in seen  # a need stands behind one line only
            seen.add(id(cell))
            if "bedrooms" in args:
                assert cell.bedrooms_min == int(args["bedrooms"])
            if "step_free" in args:
                assert cell.step_free
            if "rent" in args:
                assert cell.rent_max_pence is not None and int(args["rent"]) * 100 <= cell.rent_max_pence
            if " in " in line.text:
                assert cell.area is not None and cell.area in line.text.rsplit(" in ", 1)[1]
        if " in " in line.text:  # every district named has three families of the line in it
            for area in {cell.area for cell in behind}:
                assert len(set().union(*(c.families for c in behind if c.area == area))) >= MIN_FAMILIES


@given(st.lists(st.tuples(st.integers(1, 8), st.sampled_from(["Arabic", "Dari", None])), max_size=20))
def test_no_language_is_named_unless_three_families_need_it(needs: list[tuple[int, str | None]]) -> None:
    cells = [NeedCell(category=Category.ESOL, families=frozenset({f}), language=lang) for f, lang in needs]
    for line, _ in needed_groups(cells):
        for language in ("Arabic", "Dari"):
            if language in line.text:
                assert len({f for f, lang in needs if lang == language}) >= MIN_FAMILIES


def _family(postcode: str = "SE6 4RU", **fields: Any) -> Any:
    return FamilyFactory(postcode=postcode, status=FamilyStatus.ARRIVED, **fields)


def _home_need(family: Any, **fields: Any) -> Any:
    values = {"bedrooms_min": 4, "step_free": True, "rent_max": 165_099, **fields}
    return NeedFactory(family=family, category=Category.HOUSING, **values)


def test_the_page_reads_like_the_issue_and_its_button_offers_exactly_that(client: FlaskClient) -> None:
    # Three families in each district, with rent limits in different £50 bands: one line names both districts.
    for postcode, rent in [("SE6 4RU", 165_099), ("SE6 1AA", 180_000), ("SE6 2BB", 190_000)] + [
        ("SE13 6AA", 170_000),
        ("SE13 7AA", 185_000),
        ("SE13 5AB", 199_000),
    ]:
        _home_need(_family(postcode), rent_max=rent)
    _home_need(_family("SE4 1AA"), bedrooms_min=5)  # one family: never shown on its own
    page = client.get("/needed").get_data(as_text=True)
    assert "Homes with 4 or more bedrooms, step-free, at or under £1,650 a month in SE6 or SE13" in page
    assert "5 or more" not in page and "SE4" not in page
    href = "/offer/housing?bedrooms=4&amp;rent=1650&amp;step_free=yes"
    assert f'href="{href}"' in page and "govuk-button" in page
    form = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
    assert 'name="bedrooms" type="text" value="4"' in form or ('value="4"' in form and 'name="bedrooms"' in form)
    assert 'value="1650"' in form
    assert 'name="step_free" type="radio" value="yes" checked' in form
    assert "We have filled in what families need" in form


def test_answers_in_the_link_are_checked_and_bad_ones_ignored(client: FlaskClient) -> None:
    form = client.get("/offer/housing?bedrooms=99999&rent=12e3&step_free=maybe").get_data(as_text=True)
    assert "99999" not in form and "12e3" not in form and "maybe" not in form
    assert "We have filled in" not in form
    goods = client.get("/offer/furniture?item=cot").get_data(as_text=True)
    assert '<option value="cot" selected>' in goods
    odd = client.get("/offer/furniture?item=%3Cscript%3E").get_data(as_text=True)
    assert "<script>" not in odd.split("<main", 1)[1].split("</main>", 1)[0]
    tutoring = client.get("/offer/esol?language=Dari").get_data(as_text=True)
    assert 'value="Dari" checked' in tutoring


def test_a_prefilled_form_is_still_validated_as_usual(client: FlaskClient) -> None:
    url = "/offer/housing?bedrooms=4&rent=1650&step_free=yes"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    page = client.post(url, data={"csrf_token": token, "bedrooms": "4", "rent": "1650", "step_free": "yes"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Enter the address of the home" in html and "Enter your full name" in html


def _met(family: Any, category: Category, closed_at: datetime, **fields: Any) -> None:
    need = NeedFactory(family=family, category=category, status=NeedStatus.MET, **fields)
    need.closed_at = closed_at
    MatchFactory(need=need, status=MatchStatus.FULFILLED, fulfilled_at=closed_at)


def test_recently_met_thanks_people_only_for_three_families_or_more(time_machine: Any, database: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    assert recently_met(NOW) == RecentlyMet(0, ())
    families = [_family() for _ in range(4)]
    for family in families[:2]:
        _met(family, Category.HOUSING, NOW - timedelta(days=3), bedrooms_min=4)
    _met(families[2], Category.FURNITURE, NOW - timedelta(days=40), item="bed")  # too long ago
    db.session.flush()
    assert recently_met(NOW).families == 0  # two families: not said
    for family in families[2:]:
        _met(family, Category.FURNITURE, NOW - timedelta(days=10), item="bed")
    NeedFactory(family=families[0], category=Category.MEAL, status=NeedStatus.MET).closed_at = NOW  # no match
    db.session.flush()
    met = recently_met(NOW)
    assert met.families == 5 and met.by_offer_type == ()  # 2 homes, 2 furniture: neither kind named
    assert "about 5 families" in met.text and "homes" not in met.text


def test_the_page_shows_the_thank_you_line(client: FlaskClient, time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    for _ in range(3):
        _met(_family(), Category.FURNITURE, NOW - timedelta(days=2), item="bed")
    page = client.get("/needed").get_data(as_text=True)
    assert "Recently met, thank you" in page and "furniture and household goods for about 5 families" in page


def _count_statements(client: FlaskClient, url: str) -> int:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def _unmet_world(run: Any, families: int) -> None:
    for index in range(families):
        family = _family(f"SE{6 + index % 3} 1AA")
        need = _home_need(family, bedrooms_min=3 + index % 2)
        if run is not None:
            reason = UnmetReason.NO_COMPATIBLE_OFFER
            db.session.add(UnmetNeed(run=run, need=need, reason=reason, blocking=["bedrooms"]))
        NeedFactory(family=family, category=Category.FURNITURE, item="bed")
    db.session.flush()


def test_needed_and_the_gap_report_cost_the_same_however_many_needs(
    client: FlaskClient, login_as: Any, time_machine: Any
) -> None:
    from resettle.auth.models import Role

    time_machine.move_to(NOW, tick=False)
    _unmet_world(None, 3)  # before any run: every open need
    client.get("/needed")
    before_run = _count_statements(client, "/needed")
    _unmet_world(None, 12)
    assert _count_statements(client, "/needed") == before_run
    run = MatchRunFactory()
    _unmet_world(run, 3)
    staff = login_as(Role.CASEWORKER)
    staff.get("/matching/gaps")
    small = (_count_statements(client, "/needed"), _count_statements(staff, "/matching/gaps"))
    _unmet_world(run, 20)
    assert (_count_statements(client, "/needed"), _count_statements(staff, "/matching/gaps")) == small
    page = client.get("/needed").get_data(as_text=True)
    assert "Homes with 3 or more bedrooms" in page and "Homes with 4 or more bedrooms" in page


def test_the_grouped_query_returns_one_row_per_group_not_per_need(database: Any) -> None:
    families = [_family("SE13 6AA") for _ in range(5)]
    for family in families:
        for _ in range(3):
            NeedFactory(family=family, category=Category.FURNITURE, item="bed")
    db.session.flush()
    [cell] = need_cells()
    assert cell.item == "bed" and cell.area == "SE13" and cell.families == {f.id for f in families}


def test_words_from_records_are_escaped_on_the_page(client: FlaskClient) -> None:
    for _ in range(3):
        NeedFactory(family=_family(), category=Category.ESOL, language="<b>Dari</b>")
    page = client.get("/needed").get_data(as_text=True)
    assert "with a tutor who speaks &lt;b&gt;Dari&lt;/b&gt;" in page and "<b>Dari" not in page
