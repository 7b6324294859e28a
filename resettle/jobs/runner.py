"""Runs registered jobs: once from the command line, or on their schedules in a blocking scheduler."""

from __future__ import annotations

import zlib
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy import text

from resettle.extensions import db
from resettle.jobs import Job, load_jobs


def run_job(job: Job) -> Any:
    """Run one job in its own transaction. On PostgreSQL an advisory lock stops two scheduler processes
    (say, during a deploy) from running the same job at once."""
    lock_key = zlib.crc32(job.id.encode())
    is_postgres = db.engine.dialect.name == "postgresql"
    if is_postgres:
        got_lock = db.session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": lock_key}).scalar()
        if not got_lock:
            current_app.logger.info("job %s is already running elsewhere; skipped", job.id)
            db.session.rollback()
            return None
    try:
        result = job.func()
        db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("job %s failed", job.id)
        raise
    current_app.logger.info("job %s finished: %s", job.id, result)
    return result


def register_scheduler_commands(app: Flask) -> None:
    @app.cli.command("scheduler")
    def scheduler_command() -> None:
        """Run scheduled jobs in this process (start exactly one; never inside web workers)."""
        from apscheduler.schedulers.blocking import BlockingScheduler

        jobs = load_jobs()
        scheduler = BlockingScheduler(timezone=app.config["DISPLAY_TIMEZONE"])

        def wrapped(job: Job) -> None:
            with app.app_context():
                try:
                    run_job(job)
                finally:
                    db.session.remove()

        for job in jobs.values():
            scheduler.add_job(
                wrapped,
                job.trigger,
                args=[job],
                id=job.id,
                name=job.description,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=3600,
                **job.trigger_args,
            )
            click.echo(f"scheduled {job.id}: {job.description}")
        click.echo("scheduler running; Ctrl+C to stop")
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass

    @app.cli.command("run-job")
    @click.argument("job_id")
    def run_job_command(job_id: str) -> None:
        """Run one scheduled job now, by its id."""
        jobs = load_jobs()
        if job_id not in jobs:
            raise click.BadParameter(f"unknown job; known jobs: {', '.join(sorted(jobs))}", param_hint="JOB_ID")
        click.echo(f"{job_id}: {run_job(jobs[job_id])}")
