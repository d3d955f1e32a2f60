"""Special-purpose IPv4 and IPv6 ranges: addresses that never name a recipient on the Internet.

Sources (checked 2026-01; most specific entry wins):
- IANA IPv4 Special-Purpose Address Registry,
  https://www.iana.org/assignments/iana-ipv4-special-registry/ (RFC 6890, updated by RFC 8190)
- IANA IPv6 Special-Purpose Address Registry,
  https://www.iana.org/assignments/iana-ipv6-special-registry/ (RFC 6890, RFC 8190)
- IANA IPv6 Address Space, https://www.iana.org/assignments/ipv6-address-space/ (only
  2000::/3 is global unicast; the rest is reserved by the IETF, RFC 4291)
- Multicast, which those registries leave to their own: 224.0.0.0/4 (RFC 5771),
  ff00::/8 (RFC 4291)

Scopes: ``private`` (RFC 1918, unique-local), ``shared`` (RFC 6598 carrier-grade NAT space: an
ISP's, not ours, and not a recipient), ``reserved`` (everything else not globally reachable),
and ``public`` for the blocks inside a reserved one that the registry marks globally reachable
(anycast services such as 192.0.0.9/32).

Not listed, because the address embeds the IPv4 destination and is looked up through it
(``IpDatabase.lookup``): ``::ffff:0:0/96`` (IPv4-mapped) and ``64:ff9b::/96`` (NAT64 well-known
prefix, RFC 6052: the packet goes to the embedded IPv4 host). ``64:ff9b:1::/48`` (local-use
NAT64, RFC 8215) may embed the IPv4 address at several positions, so it is ``reserved``.
"""

from __future__ import annotations

from typing import Final

SOURCE: Final = ("IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890, RFC 8190), "
                 "multicast per RFC 5771 and RFC 4291")

# (prefix, scope, what it is, reference)
IPV4: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("0.0.0.0/8", "reserved", "this network", "RFC 791"),
    ("10.0.0.0/8", "private", "private use", "RFC 1918"),
    ("100.64.0.0/10", "shared", "shared address space (carrier-grade NAT)", "RFC 6598"),
    ("127.0.0.0/8", "reserved", "loopback", "RFC 1122"),
    ("169.254.0.0/16", "reserved", "link local", "RFC 3927"),
    ("172.16.0.0/12", "private", "private use", "RFC 1918"),
    ("192.0.0.0/24", "reserved", "IETF protocol assignments", "RFC 6890"),
    ("192.0.0.9/32", "public", "Port Control Protocol anycast", "RFC 7723"),
    ("192.0.0.10/32", "public", "TURN anycast", "RFC 8155"),
    ("192.0.2.0/24", "reserved", "documentation (TEST-NET-1)", "RFC 5737"),
    ("192.88.99.0/24", "reserved", "deprecated 6to4 relay anycast", "RFC 7526"),
    ("192.168.0.0/16", "private", "private use", "RFC 1918"),
    ("198.18.0.0/15", "reserved", "benchmarking", "RFC 2544"),
    ("198.51.100.0/24", "reserved", "documentation (TEST-NET-2)", "RFC 5737"),
    ("203.0.113.0/24", "reserved", "documentation (TEST-NET-3)", "RFC 5737"),
    ("224.0.0.0/4", "reserved", "multicast", "RFC 5771"),
    ("240.0.0.0/4", "reserved", "reserved for future use", "RFC 1112"),
    ("255.255.255.255/32", "reserved", "limited broadcast", "RFC 919"),
)

IPV6: Final[tuple[tuple[str, str, str, str], ...]] = (
    # outside 2000::/3 nothing is allocated for global unicast (IANA IPv6 Address Space)
    ("::/3", "reserved", "reserved by the IETF", "RFC 4291"),
    ("4000::/2", "reserved", "reserved by the IETF", "RFC 4291"),
    ("8000::/1", "reserved", "reserved by the IETF", "RFC 4291"),
    ("::/128", "reserved", "unspecified address", "RFC 4291"),
    ("::1/128", "reserved", "loopback", "RFC 4291"),
    ("64:ff9b:1::/48", "reserved", "local-use IPv4/IPv6 translation", "RFC 8215"),
    ("100::/64", "reserved", "discard-only", "RFC 6666"),
    ("2001::/23", "reserved", "IETF protocol assignments (incl. Teredo 2001::/32)", "RFC 2928"),
    ("2001:1::1/128", "public", "Port Control Protocol anycast", "RFC 7723"),
    ("2001:1::2/128", "public", "TURN anycast", "RFC 8155"),
    ("2001:3::/32", "public", "AMT", "RFC 7450"),
    ("2001:4:112::/48", "public", "AS112-v6", "RFC 7535"),
    ("2001:20::/28", "public", "ORCHIDv2", "RFC 7343"),
    ("2001:30::/28", "public", "drone remote ID entity tags", "RFC 9374"),
    ("2001:db8::/32", "reserved", "documentation", "RFC 3849"),
    ("2002::/16", "reserved", "6to4", "RFC 3056"),
    ("3fff::/20", "reserved", "documentation", "RFC 9637"),
    ("5f00::/16", "reserved", "segment routing (SRv6) SIDs", "RFC 9602"),
    ("fc00::/7", "private", "unique local", "RFC 4193"),
    ("fe80::/10", "reserved", "link-local unicast", "RFC 4291"),
    ("ff00::/8", "reserved", "multicast", "RFC 4291"),
)
