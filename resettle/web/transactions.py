"""One transaction per request: commit at the edge when the response succeeded, roll back otherwise.

Services only flush. Work that must happen after a successful commit is registered with `after_commit`
(run straight after the commit) or `after_response` (run once the response has gone to the user, for
slow work such as sending email, so a slow mail server never holds up a page).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, g, has_app_context

from resettle.extensions import db


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current request's transaction has committed."""
    g.setdefault("after_commit_callbacks", []).append(callback)


def after_response(callback: Callable[[], object]) -> None:
    """Run `callback` after the current request has committed and its response has been sent."""
    g.setdefault("after_response_callbacks", []).append(callback)


def _run_each(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:  # a failed side effect must not turn a saved change into an error page
            current_app.logger.exception("after-commit callback failed")


def run_after_commit_callbacks() -> None:
    _run_each(g.pop("after_commit_callbacks", []))


def _when_response_sent(app: Flask, callbacks: list[Callable[[], None]]) -> Callable[[], None]:
    def run() -> None:
        if has_app_context():  # tests keep an app context open around the request
            _run_each(callbacks)
            return
        with app.app_context():
            try:
                _run_each(callbacks)
            finally:
                db.session.remove()

    return run


def init_transactions(app: Flask) -> None:
    @app.after_request
    def commit_or_roll_back(response: Response) -> Response:
        if response.status_code < 400:
            db.session.commit()
            run_after_commit_callbacks()
            later = g.pop("after_response_callbacks", [])
            if later:
                app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's target
                response.call_on_close(_when_response_sent(app, later))
        else:
            db.session.rollback()
            g.pop("after_commit_callbacks", None)
            g.pop("after_response_callbacks", None)
        return response
