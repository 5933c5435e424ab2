"""Webhook targets: only ``https`` URLs whose host resolves to public addresses (SSRF guard).

Checked when an endpoint is registered or changed, and again before every delivery, which then connects to
the very address that was checked (the host name still goes in ``Host`` and in TLS SNI, and the
certificate is verified against it), so a DNS answer that changes between the check and the connection
(DNS rebinding) cannot point a delivery at an internal address. Redirects are never followed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from services.common.i18n import msg

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """The URL may not receive webhooks (its text says why; it never holds a secret)."""


class ResolutionFailed(Exception):
    """The host name did not resolve (possibly for a while only)."""


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    """What the settings allow: plain http (tests) and private addresses (tests)."""

    allow_http: bool = False
    allow_private: bool = False


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL and the address to connect to."""

    url: SplitResult
    host: str
    port: int
    address: IpAddress

    def pinned_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return self.url._replace(netloc=f"{literal}:{self.port}", fragment="").geturl()

    def host_header(self) -> str:
        """The ``Host`` header the receiver expects (its name, and the port when not the default)."""
        default = 443 if self.url.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def parse_target(url: str, policy: TargetPolicy) -> tuple[SplitResult, str, int]:
    """Check the shape of a target URL; returns (parts, host, port) or raises TargetRefused."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(msg("The URL is malformed.")) from exc
    allowed = ("https", "http") if policy.allow_http else ("https",)
    if parts.scheme not in allowed:
        raise TargetRefused(msg("Webhook URLs must use https."))
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(msg("Webhook URLs must not carry credentials."))
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise TargetRefused(msg("The URL has no host."))
    if parts.fragment:
        raise TargetRefused(msg("Webhook URLs must not carry a fragment."))
    return parts, host, port or (443 if parts.scheme == "https" else 80)


# IPv6 ranges that carry an IPv4 address, and so reach that IPv4 host through a translator or tunnel
# (docs/security.md, Key and token lifecycle / SSRF). Judged by the IPv4 address inside: NAT64's well-known
# prefix (RFC 6052), IPv4-compatible (RFC 4291, deprecated) and, through ``sixtofour``, 6to4 (RFC 3056).
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Refused outright: the local-use NAT64 prefix (RFC 8215) places the IPv4 address wherever the operator's
# prefix length says, so what it reaches cannot be told from the address; Teredo (RFC 4380) tunnels to a
# client behind a NAT that the address does not identify.
_REFUSED_OUTRIGHT = (ipaddress.IPv6Network("64:ff9b:1::/48"), ipaddress.IPv6Network("2001::/32"))


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 transition address leads to (IPv4-mapped, IPv4-compatible, NAT64 well-known
    prefix, 6to4); None for any other IPv6 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64_WELL_KNOWN or (address in _IPV4_COMPATIBLE and int(address) > 1):
        # ``::`` and ``::1`` are the unspecified and loopback addresses, judged as such below.
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IpAddress) -> bool:
    """True for globally routable unicast addresses (not loopback, private, link-local, shared, multicast,
    reserved or unspecified). An IPv6 address that embeds an IPv4 address (mapped, compatible, NAT64, 6to4)
    is judged by the IPv4 address inside; local-use NAT64 and Teredo addresses are never public."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in net for net in _REFUSED_OUTRIGHT):
            return False
        inner = embedded_ipv4(address)
        if inner is not None:
            return is_public(inner)
    return address.is_global and not address.is_multicast


async def resolve(host: str, port: int) -> list[IpAddress]:
    """Every address the host resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ResolutionFailed(msg("The host {host!r} does not resolve.", host=host)) from exc
    addresses: list[IpAddress] = []
    for info in infos:
        # The scope of a link-local IPv6 address ("fe80::1%eth0") is not part of the address.
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ResolutionFailed(msg("The host {host!r} does not resolve.", host=host))
    return addresses


async def check_target(url: str, policy: TargetPolicy) -> Target:
    """Check a URL and resolve its host; every address must be public unless the policy allows private
    ones (a host answering with one public and one private address is refused)."""
    parts, host, port = parse_target(url, policy)
    addresses = await resolve(host, port)
    if not policy.allow_private:
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise TargetRefused(
                msg(
                    "The host {host!r} resolves to a loopback, private, link-local or reserved address.",
                    host=host,
                )
            )
    return Target(url=parts, host=host, port=port, address=addresses[0])
