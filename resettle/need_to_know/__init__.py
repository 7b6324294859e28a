"""Need to know: who may read a family's special category data (health notes, access, dietary and religious
needs). The family's caseworker and their team may; any other caseworker must break glass, giving a reason
that is kept and shown to administrators; administrators and reviewers never may."""

from flask import Blueprint

bp = Blueprint("need_to_know", __name__)

from resettle.need_to_know import views  # noqa: E402,F401
