"""The README's "Accept a proposal" example, run as written against the demo borough served over HTTP, with a
token made by the real service for the demo caseworker: it accepts the most urgent proposal once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from resettle.api.models import TokenScope
from resettle.api.tokens import create_token
from resettle.auth.models import User
from resettle.extensions import db
from resettle.matching.models import Match
from tests.served import served_app

README = Path(__file__).resolve().parents[2] / "README.md"


def _python_blocks(heading: str) -> list[str]:
    text = README.read_text()
    section = text[text.index(f"### {heading}\n") :]
    section = section[: section.index("\n### ", 1)]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_readme_accepts_a_proposal_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with served_app(tmp_path, "readme_accept") as (app, url):
        with app.app_context():
            amira = db.session.execute(
                select(User).where(User.email == "amira.caseworker@council.example")
            ).scalar_one()
            secret = create_token(amira, "README", TokenScope.READ_WRITE, 30).secret
            db.session.commit()
        monkeypatch.setenv("RESETTLE_URL", url)
        monkeypatch.setenv("RESETTLE_TOKEN", secret)
        namespace: dict[str, Any] = {}
        for block in _python_blocks("List families") + _python_blocks("Accept a proposal"):
            exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - the README's own example
        printed = capsys.readouterr().out
        assert re.search(r"^match \d+ accepted$", printed, flags=re.MULTILINE), printed
        with app.app_context():
            assert db.session.execute(select(Match)).scalars().all()
            db.session.remove()
