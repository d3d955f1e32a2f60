"""``IpDatabase.lookup`` answers repeated addresses once each, with the same results."""

from __future__ import annotations

import ipaddress

import numpy as np
import polars as pl

from databorder.attribute import ip
from databorder.attribute.ip import IpDatabase, parse_ipv4

ADVERSARIAL = ["1.2.3.4", "01.2.3.4", "256.1.1.1", "1.2.3", "1.2.3.4.5", " 1.2.3.4", "2001:db8::1",
               "::ffff:8.8.8.8", "64:ff9b::808:808", "", None, "8.8.8.8", "10.0.0.1", "0.0.0.0",
               "255.255.255.255", "1.1.1.1 ", "a.b.c.d", "fe80::1%eth0", "100.64.0.1"]


def _repeated_column(rows: int) -> pl.Series:
    rng = np.random.default_rng(7)
    addresses = rng.integers(0, 1 << 32, 2_000, dtype=np.uint64)
    dotted = [f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}" for a in addresses.tolist()]
    pool = pl.Series([*dotted, *ADVERSARIAL], dtype=pl.String)
    return pool.gather(rng.integers(0, pool.len(), rows))


def test_unique_first_matches_per_row_answers() -> None:
    db = IpDatabase.bundled()
    column = _repeated_column(150_000)
    assert ip._mostly_repeated(column)
    fast = db.lookup(column)
    assert fast.height == column.len()
    assert fast.equals(db._lookup_each(column))
    at = column.to_list().index("8.8.8.8")
    assert fast.row(at, named=True)["ip_country"] == "US"
    nulls = column.is_null().to_numpy()
    assert (fast["ip_scope"].to_numpy()[nulls] == "invalid").all()


def test_distinct_columns_are_answered_row_by_row() -> None:
    distinct = pl.Series([f"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}" for i in range(70_000)])
    assert not ip._mostly_repeated(distinct)
    assert ip._mostly_repeated(pl.Series(["1.2.3.4", "5.6.7.8"] * 40_000))


def test_encode_numbers_distinct_values_in_order_of_appearance() -> None:
    codes, distinct = ip._encode(pl.Series(["b", "a", None, "b", "c"]))
    assert codes.to_list() == [0, 1, None, 0, 2]
    assert distinct.to_list() == ["b", "a", "c"]


def test_parse_ipv4_rejects_non_dotted_quads() -> None:
    parsed = parse_ipv4(pl.Series(ADVERSARIAL, dtype=pl.String)).to_list()
    assert parsed[0] == 0x01020304
    assert parsed[ADVERSARIAL.index("255.255.255.255")] == 0xFFFFFFFF
    for bad in ("256.1.1.1", "1.2.3", "1.2.3.4.5", "a.b.c.d", "", None, "2001:db8::1",
                "01.2.3.4"):
        assert parsed[ADVERSARIAL.index(bad)] is None, bad


def test_parse_ipv4_agrees_with_ipaddress_on_ambiguous_forms() -> None:
    """Leading zeros (octal to ``inet_aton``), signs and spaces are not addresses, as in Python."""
    forms = ["01.2.3.4", "1.02.3.4", "1.2.3.00", "0.0.0.0", "10.0.0.0", "+1.2.3.4", "1.2.3.+4",
             "1.2.3.4 ", "1. 2.3.4", "1.2.3.4\n", "255.255.255.255", "1.2.3.256", "1.2.3.0255",
             "000.1.2.3", "1.2.3.4e0", "1..3.4"]
    parsed = parse_ipv4(pl.Series(forms, dtype=pl.String)).to_list()
    for text, value in zip(forms, parsed, strict=True):
        try:
            expected: int | None = int(ipaddress.IPv4Address(text))
        except ValueError:
            expected = None
        assert value == expected, text
    scopes = IpDatabase.bundled().lookup(pl.Series(["01.2.3.4", "1.2.3.4"]))["ip_scope"]
    assert scopes.to_list() == ["invalid", "public"]
