"""Fixtures for the matching engine tests: the shared spec folder (../shared/matching beside the
repository root) with its checker, generator and greedy baseline."""

import importlib
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED = REPO_ROOT.parent / "shared" / "matching"


def _load(name):
    """Import check.py / greedy.py / gen.py from the shared folder (greedy.py imports check by name)."""
    if str(SHARED) not in sys.path:
        sys.path.insert(0, str(SHARED))
    return importlib.import_module(name)


def _need_shared():
    if not (SHARED / "check.py").is_file():
        pytest.skip(f"the shared matching folder {SHARED} (check.py, greedy.py, instances) is absent")


@pytest.fixture(scope="session")
def shared_dir():
    _need_shared()
    return SHARED


@pytest.fixture(scope="session")
def checker():
    _need_shared()
    return _load("check")


@pytest.fixture(scope="session")
def greedy_mod(checker):
    return _load("greedy")


@pytest.fixture(scope="session")
def gen_mod(checker):
    return _load("gen")
