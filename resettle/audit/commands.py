"""`flask --app wsgi audit verify`: walk the audit log's hash chain and report every break."""

from __future__ import annotations

import click

from resettle.audit import bp
from resettle.audit.chain import verify_chain
from resettle.extensions import db


@bp.cli.command("verify")
def verify_command() -> None:
    """Check every audit entry against its hash and the one before it. Exits 1 if the chain is broken."""
    count, breaks = verify_chain(db.session())
    for chain_break in breaks:
        click.echo(f"Audit entry {chain_break.event_id}: {chain_break.problem}")
    if breaks:
        click.echo(f"The audit log is broken in {len(breaks)} places ({count} entries checked).")
        raise SystemExit(1)
    click.echo(f"The audit log is intact: {count} entries checked.")
