"""Where robots and partner webhooks may be posted: public http(s) addresses only.

A registered URL could otherwise make the platform post, with its own network position, to
itself, to its neighbours on the private network or to the cloud's metadata service
(169.254.169.254). A URL is refused when its scheme is not http or https, or when its host, or
any address the host's name resolves to, is private, loopback, link-local, multicast, reserved
or unspecified, unless the host is allowed by name (OUTBOUND_ALLOWED_HOSTS: an administrator's
decision; the demo and the tests allow the local stand-ins' 127.0.0.1).

Checked when a URL is registered and again before every send, because what a name resolves to
can change after registration. A name that does not resolve is let through: there is nowhere
to post it to, and the send fails as a connection error.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Collection
from typing import Literal
from urllib.parse import urlsplit

Problem = Literal["scheme", "address"]


def problem(url: str, allowed_hosts: Collection[str] = ()) -> Problem | None:
    """Why the platform may not post to `url` ("scheme" or "address"), or None."""
    parts = urlsplit(url.strip())
    host = parts.hostname  # lower case, without the brackets of an IPv6 literal
    if parts.scheme not in ("http", "https") or not host:
        return "scheme"
    if host in allowed_hosts:
        return None
    if any(_forbidden(address) for address in _addresses(host)):
        return "address"
    return None


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        # Also how "2130706433" or "0x7f.1" turn out to be 127.0.0.1.
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return not address.is_global or address.is_multicast
