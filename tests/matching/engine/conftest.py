"""Fixtures for the matching engine tests: the project's own checker and instance generator (in this
folder, so the tests run in any clone), and the shared spec folder (../shared/matching beside the
repository root) as an extra when it is present."""

import importlib
import sys
from pathlib import Path

import pytest

from . import feasibility, instances

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED = REPO_ROOT.parent / "shared" / "matching"


@pytest.fixture(scope="session")
def checker():
    """The project's own feasibility checker (feasibility.check, feasibility.first_come)."""
    return feasibility


@pytest.fixture(scope="session")
def generator():
    """The project's own instance generator (instances.generate)."""
    return instances


@pytest.fixture(scope="session")
def shared_dir():
    if not (SHARED / "check.py").is_file():
        pytest.skip(f"the shared matching folder {SHARED} (check.py, instances) is absent")
    return SHARED


@pytest.fixture(scope="session")
def shared_checker(shared_dir):
    """The shared check.py, a second opinion on the shared instances."""
    if str(shared_dir) not in sys.path:
        sys.path.insert(0, str(shared_dir))
    return importlib.import_module("check")
