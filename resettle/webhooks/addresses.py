"""Which partner URLs may be registered and called.

In production only https to a public address: an administrator (or someone with an administrator's
session) must not be able to point the service at the council's own network or at a cloud metadata address
(server-side request forgery). The host is resolved again at every delivery and the connection is made to the
address that was checked, so a name that later resolves elsewhere (DNS rebinding) is refused too. In
development and tests `WEBHOOK_ALLOW_LOCAL` also allows plain http to this machine (127.0.0.1, localhost, ::1).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from resettle.errors import FieldError

URL_MAX_LENGTH = 500
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class AddressRefused(Exception):
    """A delivery's host resolves to an address the service must not call."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        raise FieldError("url", "Enter a full web address, like https://partner.example/resettle-events") from None
    return parts


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(url: str, allow_local: bool) -> str:
    """The URL, tidied, if it may be registered; otherwise FieldError("url", ...)."""
    url = (url or "").strip()
    if not url:
        raise FieldError("url", "Enter the web address that should receive events")
    if len(url) > URL_MAX_LENGTH:
        raise FieldError("url", f"Web address must be {URL_MAX_LENGTH} characters or fewer")
    parts = _split(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise FieldError("url", "Enter a full web address, like https://partner.example/resettle-events")
    if parts.username is not None or parts.password is not None:
        raise FieldError("url", "Do not put a user name or password in the web address")
    if parts.fragment:
        raise FieldError("url", "Remove the part of the web address after #")
    local = allow_local and host in LOOPBACK_HOSTS
    if parts.scheme != "https" and not local:
        raise FieldError("url", "The web address must start with https://")
    if not allow_local:
        try:
            addresses = resolve(host, parts.port or 443)
        except (OSError, UnicodeError):
            raise FieldError("url", "No server with this name was found: check the web address") from None
        if not addresses or not all(_is_public(address) for address in addresses):
            raise FieldError("url", "The web address must be on the public internet, not a private or local network")
    return url


def target_of(url: str) -> Target:
    parts = _split(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    default_port = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname or "", parts.port or default_port, path)


def address_to_call(target: Target, allow_local: bool) -> str:
    """The address to connect to, checked now (not just when the URL was registered)."""
    addresses = resolve(target.host, target.port)
    if not addresses:
        raise AddressRefused(f"{target.host} does not resolve")
    if allow_local:
        return addresses[0]
    public = [address for address in addresses if _is_public(address)]
    if len(public) != len(addresses):
        raise AddressRefused(f"{target.host} resolves to a private or local address; not called")
    return public[0]
