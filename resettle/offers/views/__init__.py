"""The offers pages: the public form and links, and the staff queue; importing this registers their routes."""

from resettle.offers.views import public, staff  # noqa: F401
