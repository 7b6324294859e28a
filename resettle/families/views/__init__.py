"""The families pages, one module per area; importing this package registers their routes."""

from resettle.families.views import family, members, needs, tasks  # noqa: F401
