"""The funding pages: configuration, spend and review; importing this package registers their routes."""

from resettle.funding.views import config, review, spend, spend_search  # noqa: F401
