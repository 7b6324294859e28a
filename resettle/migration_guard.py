"""`flask db downgrade` asks for `--yes`: every downgrade of this schema drops tables or columns, and the data
in them, so it must never run by accident (say, from shell history). The guarded command replaces
Flask-Migrate's own in its `db` group; everything else about it is unchanged."""

from __future__ import annotations

from typing import Any

import click
from flask_migrate.cli import db as db_cli_group
from flask_migrate.cli import downgrade as unguarded_downgrade

DATA_LOSS_WARNING = (
    "Downgrading drops the tables and columns added since that revision, and every record in them; "
    "it cannot be undone. Take a backup first (flask --app wsgi backup create PATH), then run this again "
    "with --yes."
)


@click.command("downgrade", params=[*unguarded_downgrade.params])
@click.option("--yes", is_flag=True, help="Confirm that the data in dropped tables and columns will be lost.")
@click.pass_context
def guarded_downgrade(context: click.Context, /, yes: bool, **arguments: Any) -> None:
    """Revert to a previous version (drops data: needs --yes)."""
    if not yes:
        raise click.UsageError(DATA_LOSS_WARNING)
    context.invoke(unguarded_downgrade, **arguments)


def guard_downgrades() -> None:
    db_cli_group.add_command(guarded_downgrade, "downgrade")
