"""resettle: refugee resettlement casework and community offers for a London borough.

`create_app` is imported lazily so that pure packages such as the matching engine can be imported
(and benchmarked) without loading Flask.
"""

from typing import Any


def create_app(config: Any = None) -> Any:
    from resettle.app import create_app as _create_app

    return _create_app(config)
