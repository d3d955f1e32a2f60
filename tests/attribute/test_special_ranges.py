"""Special-purpose address ranges are never public, whatever the IP data says."""

import ipaddress
import random

import polars as pl
import pytest

from databorder.attribute import special_ranges
from databorder.attribute.ip import IpDatabase

CASES = [
    ("192.0.2.77", "reserved"),  # TEST-NET-1
    ("198.51.100.7", "reserved"),  # TEST-NET-2
    ("203.0.113.5", "reserved"),  # TEST-NET-3, public in geoip2fast's data
    ("100.64.0.1", "shared"), ("100.127.255.254", "shared"),  # CGNAT
    ("100.63.255.255", "public"), ("100.128.0.1", "public"),
    ("169.254.3.4", "reserved"),
    ("192.0.0.1", "reserved"), ("192.0.0.170", "reserved"),
    ("192.0.0.9", "public"),  # PCP anycast: globally reachable per IANA
    ("198.18.0.1", "reserved"), ("198.19.255.255", "reserved"), ("198.20.0.1", "public"),
    ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"), ("224.0.0.251", "reserved"),
    ("0.1.2.3", "reserved"), ("127.0.0.1", "reserved"),
    ("10.1.1.1", "private"), ("172.31.0.1", "private"), ("192.168.1.1", "private"),
    ("::1", "reserved"), ("::", "reserved"),
    ("fc00::1", "private"), ("fd12:3456::1", "private"),
    ("fe80::1%eth0", "reserved"), ("febf::1", "reserved"),
    ("2001:db8::1", "reserved"), ("2001:db8:ffff::1", "reserved"),
    ("ff02::1", "reserved"), ("2001:1::1", "public"), ("1::1", "reserved"),
    ("64:ff9b:1::1", "reserved"),
    ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
    ("::ffff:192.0.2.1", "reserved"),  # IPv4-mapped TEST-NET-1
    ("8.8.8.8", "public"), ("2400:3200::1", "public"), ("not an address", "invalid"),
]


@pytest.fixture(scope="module")
def database() -> IpDatabase:
    return IpDatabase.bundled()


def test_scopes(database: IpDatabase) -> None:
    ips = [ip for ip, _ in CASES]
    found = database.lookup(pl.Series(ips))
    assert dict(zip(ips, found["ip_scope"].cast(pl.String).to_list(), strict=True)) == dict(CASES)
    hidden = found.filter(pl.col("ip_scope") != "public")
    assert hidden["as_name"].null_count() == hidden.height
    assert hidden["ip_country"].null_count() == hidden.height


def test_nat64_and_mapped_addresses_are_answered_for_their_ipv4_address(
        database: IpDatabase) -> None:
    found = database.lookup(pl.Series(["47.88.1.1", "64:ff9b::2f58:101", "::ffff:47.88.1.1"]))
    assert found["ip_scope"].cast(pl.String).to_list() == ["public"] * 3
    assert found["as_name"].n_unique() == 1 and found["as_name"][0] is not None
    assert found["ip_country"].to_list() == ["US"] * 3


def _exempt(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Where we knowingly differ from ``is_global``: registry exceptions and look-through."""
    public = [ipaddress.ip_network(p) for table in (special_ranges.IPV4, special_ranges.IPV6)
              for p, scope, _, _ in table if scope == "public"]
    look_through = [ipaddress.ip_network("::ffff:0:0/96"), ipaddress.ip_network("64:ff9b::/96")]
    return any(address.version == n.version and address in n for n in public + look_through)


def test_everything_python_calls_non_global_is_not_public(database: IpDatabase) -> None:
    rng = random.Random(6890)
    addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for table in (special_ranges.IPV4, special_ranges.IPV6):
        for prefix, _, _, _ in table:
            network = ipaddress.ip_network(prefix)
            addresses += [network.network_address, network.broadcast_address]
            addresses += [network.network_address + rng.randrange(network.num_addresses)
                          for _ in range(20)]
    addresses += [ipaddress.IPv4Address(rng.getrandbits(32)) for _ in range(20_000)]
    addresses += [ipaddress.IPv6Address(rng.getrandbits(128)) for _ in range(2_000)]
    scopes = database.lookup(pl.Series([str(a) for a in addresses]))["ip_scope"].to_list()
    wrong = [str(a) for a, scope in zip(addresses, scopes, strict=True)
             if not a.is_global and scope == "public" and not _exempt(a)]
    assert wrong == []
