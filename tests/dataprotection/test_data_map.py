"""The record of processing covers every column: a new column without a classification fails here."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Column, Integer, MetaData, String, Table

from resettle.dataprotection.data_map import PII_LEVELS, PURPOSES, UnclassifiedColumn, column_records, render_data_map
from resettle.extensions import db


def test_every_column_of_every_model_is_classified(app: Flask) -> None:
    unclassified = [
        f"{table.name}.{column.name}"
        for table in db.metadata.tables.values()
        for column in table.columns
        if column.info.get("pii") not in PII_LEVELS
        or (column.info["pii"] != "none" and column.info.get("purpose") not in PURPOSES)
    ]
    assert unclassified == []
    assert len(column_records(db.metadata)) == sum(len(t.columns) for t in db.metadata.tables.values())


def test_a_new_column_without_a_classification_is_refused() -> None:
    metadata = MetaData()
    Table("pets", metadata, Column("id", Integer, info={"pii": "none"}), Column("owner_name", String(50)))
    with pytest.raises(UnclassifiedColumn, match=r"pets\.owner_name"):
        column_records(metadata)


def test_personal_data_without_a_purpose_is_refused() -> None:
    metadata = MetaData()
    Table("pets", metadata, Column("owner_name", String(50), info={"pii": "personal"}))
    with pytest.raises(UnclassifiedColumn, match="purpose"):
        column_records(metadata)


def test_health_and_religion_fields_are_special_category() -> None:
    special = {(r.table, r.column) for r in column_records(db.metadata) if r.pii == "special"}
    assert {("health_notes", "body"), ("family_members", "access_needs"), ("family_members", "eats_halal")} <= special


def test_the_record_lists_purposes_lawful_basis_and_fields(app: Flask) -> None:
    text = render_data_map(db.metadata, {"Sent and failed emails": "90 days"})
    assert "## Casework" in text
    assert "6(1)(e) public task" in text
    casework = text.split("## Casework")[1].split("\n## ")[0]
    health_row = next(line for line in casework.splitlines() if line.startswith("| health_notes |"))
    assert health_row.endswith("| body |")
    assert "| Sent and failed emails | 90 days |" in text
    assert "lha_rates" in text.split("## Tables with no personal data")[1]


def test_data_map_command_prints_the_record(app: Flask, database: Any) -> None:
    result = app.test_cli_runner().invoke(args=["data-map"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Record of processing")
    assert "offerer_email" in result.output
    assert "6 years after last contact" in result.output
