"""Behind a reverse proxy, the client's address and scheme come from X-Forwarded-* headers, but only as many
hops as are configured are believed (TRUSTED_PROXY_HOPS): anyone can send those headers, so with no proxy in
front they must be ignored, which is the default. Rate limits, sign-in throttling, session records and audit
rows all read `request.remote_addr`, which this makes the real client's address."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

MAX_PROXY_HOPS = 5


def trusted_proxy_hops(value: object) -> int:
    try:
        hops = int(str(value))
    except ValueError:
        raise RuntimeError(f"TRUSTED_PROXY_HOPS must be a whole number, not {value!r}") from None
    if not 0 <= hops <= MAX_PROXY_HOPS:
        raise RuntimeError(f"TRUSTED_PROXY_HOPS must be between 0 and {MAX_PROXY_HOPS}, not {hops}")
    return hops


def trust_proxies(app: Flask, hops: int) -> None:
    """Believe the last `hops` entries of X-Forwarded-For and X-Forwarded-Proto (each proxy appends one)."""
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)  # type: ignore[method-assign]
