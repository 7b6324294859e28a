"""One transaction per request: commit at the edge when the response succeeded, roll back otherwise.

Services only flush. Work that must happen after a successful commit (sending queued email) is
registered with `after_commit` and run here.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, g

from resettle.extensions import db


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current request's transaction has committed."""
    g.setdefault("after_commit_callbacks", []).append(callback)


def run_after_commit_callbacks() -> None:
    callbacks = g.pop("after_commit_callbacks", [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # a failed side effect must not turn a saved change into an error page
            current_app.logger.exception("after-commit callback failed")


def init_transactions(app: Flask) -> None:
    @app.after_request
    def commit_or_roll_back(response: Response) -> Response:
        if response.status_code < 400:
            db.session.commit()
            run_after_commit_callbacks()
        else:
            db.session.rollback()
            g.pop("after_commit_callbacks", None)
        return response
