"""Public pages, no sign-in: the offer form, its confirmation, what is needed now, and the offerer's private
link pages. Every page here is rate limited per address; every form carries a CSRF token and a honeypot.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from resettle.auth.permissions import public_route
from resettle.db import utcnow
from resettle.extensions import limiter
from resettle.offers import public_bp as bp
from resettle.offers.forms.public import (
    AvailabilityForm,
    NewLinkForm,
    OfferTypeForm,
    WithdrawForm,
    offer_form_for,
    offer_type_label,
    prefill_from,
    submission_from,
)
from resettle.offers.links import link_max_age_days, offer_for_token
from resettle.offers.needed import (
    is_offer_publicly_needed,
    needed_lines_now,
    needed_offer_types,
    open_need_rows,
    recently_met,
)
from resettle.offers.rules import OFFER_TYPES, OFFERER_MAY_CHANGE, OFFERER_MAY_WITHDRAW
from resettle.offers.services import (
    OfferError,
    change_availability,
    example_lha_rate,
    get_offer_by_public_id,
    send_new_link,
    submit_offer,
    withdraw_by_offerer,
)
from resettle.taxonomy import Category
from resettle.web.forms import show_field_error
from resettle.web.submissions import earlier_result, remember_result

# Reading a public page: generous for people, a brake on scraping and on load from one address.
PAGE_RATE_LIMIT = "60 per minute"
FORM_TEMPLATES = {
    Category.HOUSING: "housing",
    Category.FURNITURE: "goods",
    Category.ESOL: "tutoring",
    Category.MEAL: "meal",
}


def _form_rate_limit() -> str:
    return str(current_app.config["OFFER_FORM_RATE_LIMIT"])


def _link_rate_limit() -> str:
    return str(current_app.config["OFFER_LINK_RATE_LIMIT"])


def _offer_type_or_404(offer_type: str) -> Category:
    try:
        category = Category(offer_type)
    except ValueError:
        abort(404)
    if category not in OFFER_TYPES:
        abort(404)
    return category


@bp.route("/offer", methods=["GET", "POST"])
@public_route
@limiter.limit(_form_rate_limit, methods=["POST"])
@limiter.limit(PAGE_RATE_LIMIT)
def choose_offer_type() -> str | Response:
    form = OfferTypeForm()
    if form.validate_on_submit():
        return redirect(url_for(".offer_details", offer_type=form.offer_type.data))
    return render_template("offers/public/choose_type.html", form=form)


@bp.route("/offer/<offer_type>", methods=["GET", "POST"])
@public_route
@limiter.limit(_form_rate_limit, methods=["POST"])
@limiter.limit(PAGE_RATE_LIMIT)
def offer_details(offer_type: str) -> str | Response:
    category = _offer_type_or_404(offer_type)
    # From a /needed line's "Offer this": its answers are filled in (checked here, and validated as usual).
    prefill = prefill_from(category, request.args) if request.method == "GET" else {}
    form = offer_form_for(category, example_lha_rate() if category is Category.HOUSING else None, data=prefill)
    if form.validate_on_submit():
        if form.is_robot:
            current_app.logger.info("offer form honeypot filled; nothing saved")
            return render_template("offers/public/thank_you.html")
        if earlier := earlier_result(form):
            return earlier
        try:
            offer = submit_offer(submission_from(form))
        except OfferError as error:
            show_field_error(form, error)
        else:
            sent_url = url_for(".offer_sent", public_id=offer.public_id)
            return remember_result(form, sent_url) or redirect(sent_url)
    return render_template(
        f"offers/public/form_{FORM_TEMPLATES.get(category, 'service')}.html",
        form=form,
        category=category,
        label=offer_type_label(category),
        is_needed=category in needed_offer_types(open_need_rows()),
        prefilled=bool(prefill),
    )


@bp.route("/offer/sent/<public_id>")
@public_route
@limiter.limit(_link_rate_limit)
def offer_sent(public_id: str) -> str:
    offer = get_offer_by_public_id(public_id)
    if offer is None:
        abort(404)
    return render_template(
        "offers/public/sent.html", offer=offer, publicly_needed=is_offer_publicly_needed(offer, open_need_rows())
    )


@bp.route("/needed")
@public_route
@limiter.limit(PAGE_RATE_LIMIT)
def needed_now() -> str:
    lines = needed_lines_now()
    return render_template(
        "offers/public/needed.html", lines=lines, label_for=offer_type_label, met=recently_met(utcnow())
    )


def _link_expired() -> tuple[str, int]:
    return render_template("offers/public/link_expired.html", max_age_days=link_max_age_days()), 404


@bp.route("/offer/manage/<token>")
@public_route
@limiter.limit(_link_rate_limit)
def manage_offer(token: str) -> str | tuple[str, int]:
    offer = offer_for_token(token)
    if offer is None:
        return _link_expired()
    return render_template(
        "offers/public/manage.html",
        offer=offer,
        token=token,
        may_change=offer.status in OFFERER_MAY_CHANGE,
        may_withdraw=offer.status in OFFERER_MAY_WITHDRAW,
        publicly_needed=is_offer_publicly_needed(offer, open_need_rows()),
    )


@bp.route("/offer/manage/<token>/availability", methods=["GET", "POST"])
@public_route
@limiter.limit(_link_rate_limit)
def change_offer_availability(token: str) -> str | Response | tuple[str, int]:
    offer = offer_for_token(token)
    if offer is None:
        return _link_expired()
    if offer.status not in OFFERER_MAY_CHANGE:
        return redirect(url_for(".manage_offer", token=token))
    form = AvailabilityForm(data={"available_from": offer.available_from, "available_until": offer.available_until})
    if form.validate_on_submit():
        try:
            change_availability(offer, form.available_from.data, form.available_until.data)
        except OfferError as error:
            show_field_error(form, error)
        else:
            flash("Your dates have been saved", "success")
            return redirect(url_for(".manage_offer", token=token))
    return render_template("offers/public/availability.html", form=form, offer=offer, token=token)


@bp.route("/offer/manage/<token>/withdraw", methods=["GET", "POST"])
@public_route
@limiter.limit(_link_rate_limit)
def withdraw_offer(token: str) -> str | Response | tuple[str, int]:
    offer = offer_for_token(token)
    if offer is None:
        return _link_expired()
    if offer.status not in OFFERER_MAY_WITHDRAW:
        return redirect(url_for(".manage_offer", token=token))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            withdraw_by_offerer(offer, form.reason.data or "")
        except OfferError as error:
            form.reason.errors.append(error.message)
        else:
            flash("Your offer has been withdrawn. Thank you for offering to help", "success")
            return redirect(url_for(".manage_offer", token=token))
    return render_template("offers/public/withdraw.html", form=form, offer=offer, token=token)


@bp.route("/offer/new-link", methods=["GET", "POST"])
@public_route
@limiter.limit(_link_rate_limit)
def request_new_link() -> str:
    """For offerers whose link has expired or was lost: the same answer whether or not the details match."""
    form = NewLinkForm()
    if form.validate_on_submit():
        send_new_link(form.reference.data or "", form.email.data or "")
        return render_template("offers/public/new_link_sent.html", email=form.email.data)
    return render_template("offers/public/new_link.html", form=form)
