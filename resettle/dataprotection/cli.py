"""`flask --app wsgi data-map`: print the record of processing."""

from __future__ import annotations

import click
from flask import Flask


def register_data_protection_cli(app: Flask) -> None:
    @app.cli.command("data-map")
    def data_map_command() -> None:
        """Print the record of processing (Markdown), from every column's data protection classification."""
        from resettle.dataprotection.data_map import render_data_map
        from resettle.dataprotection.retention import retention_summary
        from resettle.extensions import db

        click.echo(render_data_map(db.metadata, retention_summary(app.config)))
