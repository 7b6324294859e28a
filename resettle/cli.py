"""Command-line tools: `users create`, `demo`, and the scheduler commands."""

from __future__ import annotations

import click
from flask import Flask

from resettle.auth.models import Role
from resettle.extensions import db


def register_cli(app: Flask) -> None:
    users = click.Group("users", help="Manage staff accounts.")

    @users.command("create")
    @click.option("--email", required=True, help="The person's email address (their sign-in name).")
    @click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="What they may do.")
    @click.option("--name", default=None, help="Full name (defaults to the part of the email before @).")
    @click.password_option("--password", prompt="Password", help="Prompted for if not given.")
    def create_user_command(email: str, role: str, name: str | None, password: str) -> None:
        """Create an active account with a password."""
        from resettle.auth.services import AccountError, create_user

        try:
            user = create_user(email, name or email.split("@")[0], Role(role), password=password)
        except AccountError as error:
            db.session.rollback()
            raise click.UsageError(error.message) from None
        db.session.commit()
        click.echo(f"Created {user.role.value} {user.email}")

    app.cli.add_command(users)

    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Only load when the database has no users yet.")
    def demo_command(if_empty: bool) -> None:
        """Load a small, realistic demo borough and print the demo logins."""
        from resettle.demo import DEMO_USERS, database_is_empty, load_demo_data

        if not if_empty or database_is_empty():
            load_demo_data()
            db.session.commit()
            click.echo("Demo data loaded.")
        else:
            click.echo("The database already has data; demo data not loaded again.")
        click.echo("\nDemo logins (all share one password):")
        for user in DEMO_USERS:
            click.echo(f"  {user['role']:<11} {user['email']:<36} password: {user['password']}")

    from resettle.dataprotection.cli import register_data_protection_cli

    register_data_protection_cli(app)

    from resettle.jobs.runner import register_scheduler_commands

    register_scheduler_commands(app)

    from resettle.backup import register_backup_commands

    register_backup_commands(app)
