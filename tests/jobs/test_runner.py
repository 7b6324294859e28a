"""The job runner: a job runs in a transaction of its own, a failing job leaves nothing behind and is logged, and a
job another scheduler process is already running (its advisory lock held) is skipped. Real databases, real jobs."""

from __future__ import annotations

import logging
import uuid
import zlib
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text

from resettle.extensions import db
from resettle.jobs import JOBS, Job, load_jobs, register_job
from resettle.jobs.runner import run_job
from resettle.need_to_know.models import Team
from tests.postgres import IS_POSTGRESQL


def _job(func: Any) -> Job:
    """A job with an id no other test (or other worker on the same PostgreSQL server) uses."""
    return Job(f"test-{uuid.uuid4().hex[:12]}", func, "interval", {"minutes": 5}, "a job for this test")


def _team_names() -> list[str]:
    return list(db.session.execute(select(Team.name).order_by(Team.name)).scalars())


def test_a_job_runs_in_its_own_transaction_and_its_result_is_logged(
    database: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def add_team() -> int:
        db.session.add(Team(name="Runner team"))
        return 1

    with caplog.at_level(logging.INFO):
        assert run_job(_job(add_team)) == 1
    db.session.expunge_all()
    assert _team_names() == ["Runner team"]
    assert any("finished: 1" in message for message in caplog.messages)


def test_a_failing_job_is_rolled_back_logged_and_raised(database: Any, caplog: pytest.LogCaptureFixture) -> None:
    def add_team_then_fail() -> None:
        db.session.add(Team(name="Half-done team"))
        db.session.flush()
        raise RuntimeError("the mail server went away")

    job = _job(add_team_then_fail)
    with caplog.at_level(logging.ERROR), pytest.raises(RuntimeError, match="mail server went away"):
        run_job(job)
    assert _team_names() == []
    [failure] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failure.getMessage() == f"job {job.id} failed" and failure.exc_info is not None


def test_after_a_failing_job_the_next_run_starts_clean(database: Any) -> None:
    attempts: list[int] = []

    def fails_once() -> str:
        attempts.append(1)
        db.session.add(Team(name=f"Attempt {len(attempts)}"))
        if len(attempts) == 1:
            db.session.flush()
            raise ValueError("first attempt fails")
        return "done"

    job = _job(fails_once)
    with pytest.raises(ValueError):
        run_job(job)
    assert run_job(job) == "done"
    assert _team_names() == ["Attempt 2"]


@pytest.mark.postgres_only
@pytest.mark.skipif(not IS_POSTGRESQL, reason="the advisory lock is PostgreSQL's")
def test_a_job_whose_lock_another_process_holds_is_skipped(
    app: Flask, database: Any, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[int] = []
    job = _job(lambda: calls.append(1))
    # Another scheduler process (say, during a deploy) is running the same job: it holds the job's lock.
    with db.engine.connect() as other_process:
        other_process.execute(text("SELECT pg_advisory_lock(:key)"), {"key": zlib.crc32(job.id.encode())})
        try:
            with caplog.at_level(logging.INFO):
                assert run_job(job) is None
        finally:
            other_process.execute(text("SELECT pg_advisory_unlock_all()"))
    assert calls == []
    assert f"job {job.id} is already running elsewhere; skipped" in caplog.messages
    # Once the other process lets go, the job runs.
    run_job(job)
    assert calls == [1]


def test_run_job_command_runs_a_job_by_its_id_and_refuses_an_unknown_one(app: Flask, database: Any) -> None:
    jobs = load_jobs()
    job_id = f"test-{uuid.uuid4().hex[:12]}"
    register_job(job_id, "interval", "a job for this test", minutes=5)(lambda: "42 things")
    try:
        runner = app.test_cli_runner()
        ran = runner.invoke(args=["run-job", job_id])
        assert ran.exit_code == 0 and f"{job_id}: 42 things" in ran.output
        unknown = runner.invoke(args=["run-job", "no-such-job"])
        assert unknown.exit_code != 0 and "unknown job; known jobs:" in unknown.output
        assert all(known in unknown.output for known in jobs)
    finally:
        JOBS.pop(job_id, None)


def test_every_registered_job_has_a_schedule_and_a_description(app: Flask) -> None:
    jobs = load_jobs()
    assert jobs, "no jobs registered"
    for job in jobs.values():
        assert job.trigger in ("cron", "interval") and job.trigger_args and job.description.strip()
