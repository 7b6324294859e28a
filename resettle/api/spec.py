"""The flask-smorest `Api` for /api/v1, adapted to this app (see `ResettleApi`)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Api

from resettle.api.errors import ErrorSchema

API_PREFIX = "/api/v1"

API_DESCRIPTION = """\
The records of Resettle's web pages, for partner systems. Every call needs a personal API token
(`Authorization: Bearer rst_...`), made by its owner under "Your account", then "API tokens". A token acts with
its owner's role and may only read, or read and change. Errors are always
`{"code", "status", "message", "errors": {"field": ["message"]}}`.

- Lists are paged: pass `limit` (1 to 100) and the `next_cursor` of the page before as `cursor`.
- Updates need `If-Match` with the `ETag` of the record as read: a record changed since answers 412 with its
  current version.
- Creates need an `Idempotency-Key` (16 to 100 letters, digits, `-` or `_`): sending the same request again with
  the same key answers with the record the first one made; the same key with another request answers 422.
"""


class ResettleApi(Api):  # flask-smorest has no type hints
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """flask-smorest would answer every HTTP error in the app with JSON, pages included. Here
        resettle/web/errors.py answers them all: JSON under /api/, GOV.UK error pages elsewhere."""

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """Register an ApiBlueprint: its operations are tagged with its readable tag (not its endpoint
        prefix)."""
        from resettle.api.blueprint import ApiBlueprint

        if not isinstance(blp, ApiBlueprint):
            raise TypeError("API resources are ApiBlueprints (resettle/api/blueprint.py)")
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=name, parameters=parameters)
        if blp.tag not in {tag["name"] for tag in self.spec._tags}:
            self.spec.tag({"name": blp.tag, "description": blp.description})


def api_settings() -> dict[str, Any]:
    return {
        "API_TITLE": "Resettle API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": API_PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {"description": API_DESCRIPTION},
            "security": [{"bearerAuth": []}],
            "servers": [{"url": "/", "description": "This server"}],
        },
    }
