"""Rate limits hold across web processes when their counters live in Redis: gunicorn with two workers, the
limit on the offerer's link pages set to 5 a minute, eight requests from one address: the sixth is refused,
whichever worker answers. (With in-memory counters each worker would allow five of its own.)"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.load import REPO, prepare_database, start_gunicorn, stop_gunicorn
from tests.postgres import IS_POSTGRESQL, create_scratch_database, drop_scratch_database

redis = pytest.importorskip("redis")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


@pytest.fixture
def redis_db() -> Iterator[object]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"Redis is not running at {REDIS_URL} (start it: see .ci/run)")
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def two_workers(tmp_path: Path, redis_db: object) -> Iterator[str]:
    url = create_scratch_database("redis_limits") if IS_POSTGRESQL else f"sqlite:///{tmp_path / 'limits.sqlite'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "rate-limit-test-key",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "OFFER_LINK_RATE_LIMIT": "5 per minute",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "PYTHONPATH": str(REPO),
    }
    prepare_database(REPO, env, demo=False)
    server, base_url = start_gunicorn(REPO, env, workers=2, threads=1)
    try:
        yield base_url
    finally:
        stop_gunicorn(server)
        if IS_POSTGRESQL:
            drop_scratch_database("redis_limits")


def _link_page(base_url: str) -> int:
    try:
        with urllib.request.urlopen(f"{base_url}/offer/sent/no-such-offer", timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_a_rate_limit_is_shared_by_every_worker(two_workers: str, redis_db: object) -> None:
    statuses = [_link_page(two_workers) for _ in range(8)]
    assert statuses[:5] == [404] * 5, statuses  # no such offer, but counted
    assert statuses[5:] == [429, 429, 429], statuses
    assert redis_db.keys("*"), "no counters in Redis"
