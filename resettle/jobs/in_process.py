"""For `make run` only: process queued matching runs in a background thread of the development server, so a
demo user sees "Run matching now" finish without starting the scheduler by hand. Production runs the
scheduler process (`flask --app wsgi scheduler`) instead; this is off unless RUN_QUEUE_IN_PROCESS is set."""

from __future__ import annotations

import threading

from flask import Flask

from resettle.extensions import db

POLL_SECONDS = 3.0


def start_queue_thread(app: Flask) -> threading.Thread:
    from resettle.jobs import load_jobs
    from resettle.jobs.runner import run_job

    job = load_jobs()["matching_queue"]
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(POLL_SECONDS):
            with app.app_context():
                try:
                    run_job(job)
                except Exception:  # the next poll tries again
                    app.logger.warning("queued matching run could not be processed; retrying")
                finally:
                    db.session.remove()

    thread = threading.Thread(target=loop, name="matching-queue", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread
