"""Scheduled jobs: one registry, run by a single dedicated process (`flask --app wsgi scheduler`).

Each job is a thin wrapper around a service function and must be safe to run twice.
Feature packages add their jobs with `register_job` in their own `jobs.py`, listed in JOB_MODULES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

JOB_MODULES = [
    "resettle.notifications.jobs",
    "resettle.families.jobs",
    "resettle.offers.jobs",
    "resettle.matching.jobs",
    "resettle.dataprotection.jobs",
    "resettle.webhooks.jobs",
]


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[], Any]
    trigger: str  # "cron" or "interval"
    trigger_args: dict[str, Any]
    description: str


JOBS: dict[str, Job] = {}


JobFunction = Callable[[], Any]


def register_job(
    job_id: str, trigger: str, description: str, **trigger_args: Any
) -> Callable[[JobFunction], JobFunction]:
    def decorate(func: JobFunction) -> JobFunction:
        JOBS[job_id] = Job(job_id, func, trigger, trigger_args, description)
        return func

    return decorate


def load_jobs() -> dict[str, Job]:
    import importlib

    for module in JOB_MODULES:
        importlib.import_module(module)
    return JOBS
