"""Sign-in pages and user administration; importing this package registers their routes."""

from resettle.auth.views import sign_in, users  # noqa: F401
