"""Command-line tools: `users create`, `demo`, `check-data`, and the scheduler commands."""

from __future__ import annotations

import click
from flask import Flask

from resettle.auth.models import Role
from resettle.extensions import db


def register_cli(app: Flask) -> None:
    from resettle.migration_guard import guard_downgrades

    guard_downgrades()
    _register_account_commands(app)
    _register_demo_commands(app)
    _register_data_commands(app)


def _register_account_commands(app: Flask) -> None:
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


def _register_demo_commands(app: Flask) -> None:
    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Only load when the database has no users yet.")
    def demo_command(if_empty: bool) -> None:
        """Load a small, realistic demo borough and print the demo logins."""
        from flask import current_app

        from resettle.demo import DEMO_TOTP_SECRET, DEMO_USERS, database_is_empty, load_demo_data, non_demo_users

        # The demo adds an administrator with a published password and two-factor key.
        if current_app.config.get("ENV_NAME") != "development":
            raise click.UsageError("The demo can only be loaded in development (RESETTLE_ENV=development)")
        if not if_empty and non_demo_users():
            raise click.UsageError(
                "This database holds accounts that are not demo accounts; the demo is only loaded into an empty one"
            )
        if not if_empty or database_is_empty():
            load_demo_data()
            db.session.commit()
            click.echo("Demo data loaded.")
        else:
            click.echo("The database already has data; demo data not loaded again.")
        click.echo("\nDemo logins (all share one password):")
        for user in DEMO_USERS:
            click.echo(f"  {user['role']:<11} {user['email']:<36} password: {user['password']}")
        click.echo(
            "\nCaseworkers and the administrator also need a two-factor code. Either add this key to an"
            f"\nauthenticator app: {DEMO_TOTP_SECRET}\nor print the current code with: .venv/bin/flask demo-code"
        )

    @app.cli.command("demo-code")
    def demo_code_command() -> None:
        """Print the current two-factor code of the demo accounts (development only)."""
        import pyotp
        from flask import current_app

        from resettle.demo import DEMO_TOTP_SECRET

        if current_app.config.get("ENV_NAME") not in ("development", "test"):
            raise click.UsageError("demo-code only works in development")
        click.echo(f"Two-factor code for the demo accounts: {pyotp.TOTP(DEMO_TOTP_SECRET).now()} (changes every 30 s)")


def _register_data_commands(app: Flask) -> None:
    @app.cli.command("check-data")
    def check_data_command() -> None:
        """List stored values outside today's bounds (from before they were enforced), with links to fix them.
        Exits with status 1 when any are found."""
        from resettle.clock import local_today
        from resettle.data_check import find_out_of_bounds

        with app.test_request_context(base_url=app.config["BASE_URL"]):
            findings = find_out_of_bounds(local_today())
            for finding in findings:
                click.echo(finding.line())
        if findings:
            click.echo(f"\n{len(findings)} value(s) out of bounds. Open each link, correct the value and save.")
            raise SystemExit(1)
        click.echo("No values out of bounds.")

    from resettle.dataprotection.cli import register_data_protection_cli

    register_data_protection_cli(app)

    from resettle.jobs.runner import register_scheduler_commands

    register_scheduler_commands(app)

    from resettle.backup import register_backup_commands

    register_backup_commands(app)
