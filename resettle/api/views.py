"""The API's own resource: which token is calling, for whom, until when."""

from __future__ import annotations

from flask import g

from resettle.api.blueprint import ApiBlueprint
from resettle.api.models import ApiToken
from resettle.api.schemas import CurrentTokenSchema
from resettle.auth.permissions import STAFF, roles_required

blp = ApiBlueprint("tokens", __name__, tag="Tokens", url_prefix="/token", description="The token you call with")


@blp.route("")
@roles_required(*STAFF)
@blp.response(200, CurrentTokenSchema)
def show_current_token() -> ApiToken:
    """The token in use: its owner, role, scope and expiry."""
    token: ApiToken = g.api_token
    return token
