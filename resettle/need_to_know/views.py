"""Breaking glass (caseworkers outside a family's team), the break-glass list and teams (administrators)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from resettle.auth.models import Role, User
from resettle.auth.permissions import roles_required
from resettle.errors import FieldError
from resettle.extensions import db
from resettle.families.queries import get_family_or_404
from resettle.need_to_know import bp
from resettle.need_to_know.forms import BreakGlassForm, NewTeamForm, TeamMemberForm
from resettle.need_to_know.models import Team
from resettle.need_to_know.policy import SpecialCategoryAccess, break_glass, special_category_access
from resettle.need_to_know.teams import (
    break_glass_query,
    caseworkers_by_name,
    create_team,
    set_team,
    teams_by_name,
    teams_query,
    teams_with_members,
)
from resettle.web.forms import show_field_error
from resettle.web.pagination import paginate

# Where to go once glass is broken; a fixed list, so the parameter cannot redirect anywhere else.
DESTINATIONS = {"health": "families.health_notes", "family": "families.view_family"}


@bp.route("/families/<reference>/break-glass", methods=["GET", "POST"])
@roles_required(Role.CASEWORKER)
def break_glass_page(reference: str) -> str | Response:
    family = get_family_or_404(reference)
    then = request.args.get("then", "family")
    destination = url_for(DESTINATIONS.get(then, DESTINATIONS["family"]), reference=family.reference)
    access = special_category_access(current_user, family)
    if access.may_read:
        return redirect(destination)
    if access == SpecialCategoryAccess.NEVER:
        abort(403)
    form = BreakGlassForm()
    if form.validate_on_submit():
        try:
            break_glass(current_user, family, form.reason.data or "")
        except FieldError as error:
            show_field_error(form, error)
        else:
            flash("Access recorded. An administrator can see that you opened this family's sensitive details.")
            return redirect(destination)
    return render_template("need_to_know/break_glass.html", form=form, family=family)


@bp.route("/admin/break-glass")
@roles_required(Role.ADMIN)
def break_glass_list() -> str:
    return render_template("need_to_know/break_glass_list.html", page=paginate(break_glass_query(), per_page=50))


def _member_form() -> TeamMemberForm:
    form = TeamMemberForm()
    users = caseworkers_by_name()
    form.user.choices = [("", "Choose a person")] + [(str(u.id), f"{u.name} ({u.email})") for u in users]
    teams = teams_by_name()
    form.team.choices = [("", "No team")] + [(str(t.id), t.name) for t in teams]
    return form


@bp.route("/admin/teams", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def teams() -> str | Response:
    form = NewTeamForm()
    if form.validate_on_submit():
        try:
            team = create_team(form.name.data or "", current_user)
        except FieldError as error:
            show_field_error(form, error)
        else:
            flash(f"Team {team.name} added", "success")
            return redirect(url_for("need_to_know.teams"))
    return _teams_page(form, _member_form())


def _teams_page(form: NewTeamForm, member_form: TeamMemberForm) -> str:
    """The teams a page at a time (a London deployment may have hundreds), with the two forms."""
    page = paginate(teams_query())
    return render_template(
        "need_to_know/teams.html", form=form, member_form=member_form, page=page, teams=teams_with_members(page.items)
    )


@bp.route("/admin/teams/members", methods=["POST"])
@roles_required(Role.ADMIN)
def set_user_team() -> str | Response:
    member_form = _member_form()
    if member_form.validate_on_submit():
        user = db.session.get(User, int(member_form.user.data)) if (member_form.user.data or "").isdigit() else None
        team = db.session.get(Team, int(member_form.team.data)) if (member_form.team.data or "").isdigit() else None
        if user is None or user.role != Role.CASEWORKER:
            member_form.user.errors = ["Choose a caseworker"]
        elif member_form.team.data and team is None:
            member_form.team.errors = ["Choose a team"]
        else:
            set_team(user, team, current_user)
            flash(f"{user.name} is {'in ' + team.name if team else 'in no team'}", "success")
            return redirect(url_for("need_to_know.teams"))
    return _teams_page(NewTeamForm(formdata=None), member_form)
