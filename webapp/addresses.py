"""Client addresses: the real client behind a trusted reverse proxy, and lists of networks.

Behind a proxy (nginx publishing the site over HTTPS) every request comes from the proxy's
address. `ARCHIVE_TRUSTED_PROXIES` names the proxies (addresses or networks); only a request
from one of them has its `X-Forwarded-For` believed — read from the right, skipping further
trusted proxies, so the first address not trusted is the client (Werkzeug's ProxyFix takes a
fixed count of hops instead; this rule also holds when a client sends its own forged header,
which a proxy appends to). `X-Forwarded-Proto` is believed from them too. Requests from any
other address keep their own, whatever headers they carry. Throttling (`webapp.logins`),
auth.log and the audit trail all read `request.remote_addr`, so they see the real client.
"""
from __future__ import annotations

import ipaddress
from typing import Iterable, Optional, Union

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


def parse_networks(text: Union[str, Iterable, None], setting: str = "") -> tuple[Network, ...]:
    """`10.0.0.1, 192.168.0.0/16 ::1` (or a list of addresses and networks) → networks (a bare
    address is a network of one). Raises ValueError with a one-line message naming `setting`."""
    items = (text or "").replace(",", " ").split() if isinstance(text, str) or text is None else text
    out = []
    for item in map(str, items):
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{setting or '地址'}中的 {item!r} 不是 IP 地址或网段 "
                             f"(例: 127.0.0.1, 10.0.0.0/8)") from None
    return tuple(out)


def address_in(address: Optional[str], networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in net for net in networks)


def forwarded_client(peer: str, forwarded_for: str, proxies: tuple[Network, ...]) -> str:
    """The client address of a request from `peer` carrying `forwarded_for`: the rightmost
    address that is not a trusted proxy, when `peer` is one; else `peer`."""
    if not address_in(peer, proxies):
        return peer
    client = peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage (or a port, an obfuscated name): trust nothing further left
        client = hop
        if not address_in(hop, proxies):
            break
    return client


class TrustedProxies:
    """WSGI middleware: REMOTE_ADDR (and the URL scheme) as the trusted proxies report them."""

    def __init__(self, app, proxies: tuple[Network, ...]):
        self.app, self.proxies = app, proxies

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR", "")
        if address_in(peer, self.proxies):
            environ["archive.proxy_addr"] = peer
            environ["REMOTE_ADDR"] = forwarded_client(
                peer, environ.get("HTTP_X_FORWARDED_FOR", ""), self.proxies)
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return self.app(environ, start_response)
