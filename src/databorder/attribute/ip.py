"""IP address -> autonomous system (number, organisation name) and the address's country.

The bundled data comes from the ``geoip2fast`` package (MIT), whose ``.dat.gz`` files are built
from MaxMind GeoLite2 Country and ASN CSVs (GeoLite2 data by MaxMind, CC BY-SA 4.0). Those files
keep the AS *organisation name* of every network but not its number, so the bundled database
answers ``asn = null`` and the knowledge base matches networks by organisation name as well as by
number. A user's MaxMind-format files, which carry the numbers, load with ``from_mmdb``.
Special-purpose ranges (``special_ranges``) are folded into the same interval tables, so the
scope costs no extra search.

Lookups are vectorised: the data is loaded once into sorted, non-overlapping range tables
(IPv4 as ``uint32``, IPv6 as 16-byte big-endian ``S16`` strings, which NumPy compares
bytewise), IPv4 strings are parsed to integers with Polars expressions, and a whole column is
answered by one ``np.searchsorted`` per table. IPv6 strings are parsed once per distinct value.
"""

from __future__ import annotations

import gzip
import ipaddress
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from databorder.attribute import special_ranges
from databorder.errors import InputError

IP_SCOPES = ("public", "private", "shared", "reserved", "invalid", "unknown")
IpScope = pl.Enum(IP_SCOPES)
"""``private``: RFC 1918 and unique-local; ``shared``: carrier-grade NAT space (RFC 6598);
``reserved``: every other special-purpose range (loopback, link-local, documentation,
benchmarking, multicast, ..., see ``special_ranges``). Only ``public`` addresses get an ASN
and a country. ``unknown`` is never answered by ``lookup``: attribution gives it to a
destination whose log recorded no address (a proxy's host name), attributed by name only."""
_INVALID = IP_SCOPES.index("invalid")
_RESERVED = IP_SCOPES.index("reserved")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

_GEOIP2FAST_FILE = "geoip2fast-asn-ipv6.dat.gz"
_GEOIP2FAST_DAT_VERSION = 120
_GEOIP2FAST_RESERVED_IDS = 15
"""geoip2fast lists 15 reserved-range pseudo-countries (ids 0..14) before ``99`` (not found)."""
_V4_LIMIT = 1 << 32

Indexes = npt.NDArray[np.int32]

_UNIQUE_FIRST_MIN_ROWS = 100_000
"""Below this, ``lookup`` answers every row: encoding distinct values first would not pay."""
_REPEAT_SAMPLE_ROWS = 65_536
_UNIQUE_FIRST_MAX_SHARE = 0.5
"""``lookup`` answers distinct values first when at most this share of a sample is distinct."""


@dataclass(frozen=True, slots=True)
class RangeTable:
    """Sorted, non-overlapping inclusive ranges ``[starts[i], ends[i]]`` carrying ``values[i]``."""

    starts: npt.NDArray[Any]
    ends: npt.NDArray[Any]
    values: Indexes

    def find(self, keys: npt.NDArray[Any]) -> Indexes:
        """The value of the range holding each key, -1 where no range holds it."""
        if self.starts.size == 0 or keys.size == 0:
            return np.full(keys.shape, -1, dtype=np.int32)
        pos = np.searchsorted(self.starts, keys, side="right").astype(np.int64) - 1
        safe = np.maximum(pos, 0)
        hit = (pos >= 0) & (keys <= self.ends[safe])
        return np.where(hit, self.values[safe], -1).astype(np.int32)


class Ipv4Index:
    """Country and AS of every IPv4 address as elementary intervals, with a /24 shortcut.

    ``bounds[i]`` is the first address of interval ``i`` (intervals cover the whole space;
    -1 ids mean unknown). The shortcut maps each /24 lying inside one interval to that interval
    (16,777,216 int32, 64 MiB, built on first use), so most lookups are one gather; the few
    /24s that straddle a boundary fall back to ``np.searchsorted``.
    """

    def __init__(self, country: RangeTable, asn: RangeTable) -> None:
        self.bounds, (self.country_ids, self.asn_ids, self.special_ids) = _intervals(
            [country, asn, special_table(special_ranges.IPV4, 4)], np.uint32, 1 << 32)
        self._by_24: Indexes | None = None

    def find(self, keys: npt.NDArray[np.uint32]) -> tuple[Indexes, Indexes, Indexes]:
        """Country, AS and special-purpose scope ids (-1: none) of each key."""
        if self._by_24 is None:
            self._by_24 = self._build_shortcut()
        interval = self._by_24[keys >> 8]
        straddling = interval < 0
        if straddling.any():
            interval[straddling] = np.searchsorted(self.bounds, keys[straddling], "right") - 1
        return self.country_ids[interval], self.asn_ids[interval], self.special_ids[interval]

    def _build_shortcut(self) -> Indexes:
        firsts = np.arange(1 << 24, dtype=np.uint32) << np.uint32(8)
        table = (np.searchsorted(self.bounds, firsts, side="right") - 1).astype(np.int32)
        table[self.bounds[(self.bounds & 0xFF) != 0] >> 8] = -1
        return table


class Ipv6Index:
    """Country and AS of every IPv6 address as elementary intervals over 16-byte keys."""

    def __init__(self, country: RangeTable, asn: RangeTable) -> None:
        self.bounds, (self.country_ids, self.asn_ids, self.special_ids) = _intervals(
            [country, asn, special_table(special_ranges.IPV6, 6)], "S16", None)

    def find(self, keys: npt.NDArray[Any]) -> tuple[Indexes, Indexes, Indexes]:
        """Country, AS and special-purpose scope ids (-1: none) of each key."""
        interval = np.searchsorted(self.bounds, keys, side="right") - 1
        return self.country_ids[interval], self.asn_ids[interval], self.special_ids[interval]


def _intervals(tables: Sequence[RangeTable], dtype: Any, limit: int | None
               ) -> tuple[npt.NDArray[Any], list[Indexes]]:
    """Cut the space at every range start and end + 1 of all tables; merge equal neighbours."""
    if dtype == "S16":
        ends = [_next_key(k) for t in tables for k in t.ends.tolist()]
        cuts = np.concatenate([*(t.starts.astype("S16") for t in tables),
                               np.array([e for e in ends if e is not None], dtype="S16"),
                               np.array([bytes(16)], dtype="S16")])
    else:
        wide = [t.starts.astype(np.uint64) for t in tables]
        wide += [t.ends.astype(np.uint64) + 1 for t in tables]
        cuts64 = _sorted_unique(np.concatenate([*wide, np.zeros(1, np.uint64)]))
        cuts = cuts64[cuts64 < (limit or 0)].astype(dtype)
    bounds = _sorted_unique(cuts)
    ids = [t.find(bounds) for t in tables]
    keep = np.ones(bounds.size, dtype=bool)
    keep[1:] = np.logical_or.reduce([i[1:] != i[:-1] for i in ids])
    return bounds[keep], [i[keep] for i in ids]


def _sorted_unique(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``np.unique`` by sorting: several times faster than its hash path on 16-byte keys."""
    ordered = np.sort(values)
    if ordered.size == 0:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _next_key(key: bytes) -> bytes | None:
    value = int.from_bytes(key.ljust(16, b"\0"), "big") + 1
    return value.to_bytes(16, "big") if value < (1 << 128) else None


@dataclass(frozen=True, slots=True)
class IpDatabase:
    """Country and AS interval indexes for IPv4 and IPv6, with the labels their ids index."""

    countries: pl.Series
    """ISO 3166-1 alpha-2 codes; id -1 means unknown."""
    as_names: pl.Series
    as_numbers: npt.NDArray[np.int64]
    """AS number per ``as_names`` entry, 0 where the source does not carry it."""
    reserved_country_ids: frozenset[int]
    v4: Ipv4Index
    v6: Ipv6Index
    source: str
    as_of: date | None
    licence: str

    @classmethod
    def bundled(cls) -> IpDatabase:
        """The database shipped in the ``geoip2fast`` package (loaded once per process)."""
        return _bundled()

    @classmethod
    def from_mmdb(cls, *paths: Path) -> IpDatabase:
        """Load one or two MaxMind-format files (an ASN and a country or city database)."""
        from databorder.attribute.mmdb import load_mmdb

        return load_mmdb(paths)

    @classmethod
    def from_geoip2fast(cls, path: Path) -> IpDatabase:
        """Load a geoip2fast ``*-asn-ipv6.dat.gz`` file (country + ASN, IPv4 + IPv6)."""
        return _load_geoip2fast(path, str(path))

    def lookup(self, ips: pl.Series) -> pl.DataFrame:
        """Attribute a column of IP strings: one row per input row, in order.

        Columns: ``ip_scope`` (see ``IP_SCOPES``), ``asn`` (Int64, null when unknown or not
        carried by the data), ``as_name``, ``ip_country`` (ISO alpha-2). IPv4-mapped and NAT64
        (``64:ff9b::/96``) IPv6 addresses are answered for the IPv4 address they carry.
        """
        ips = ips.cast(pl.String)
        if ips.len() >= _UNIQUE_FIRST_MIN_ROWS and _mostly_repeated(ips):
            codes, distinct = _encode(ips)
            with_null = pl.concat([distinct, pl.Series([None], dtype=pl.String)])
            return self._lookup_each(with_null)[codes.fill_null(distinct.len())]
        return self._lookup_each(ips)

    def _lookup_each(self, ips: pl.Series) -> pl.DataFrame:
        """``lookup`` without the unique-first shortcut: every row parsed and searched."""
        parsed = parse_ipv4(ips)
        is_v4 = parsed.is_not_null().to_numpy()
        country, asn, special = self.v4.find(parsed.fill_null(0).to_numpy())
        valid = is_v4.copy()
        if not is_v4.all():
            self._lookup_v6(ips, ~is_v4, country, asn, special, valid)
        flagged = np.isin(country, np.fromiter(self.reserved_country_ids, dtype=np.int32))
        scope = np.where(special >= 0, special, np.where(flagged, _RESERVED, 0))
        scope = np.where(valid, scope, _INVALID).astype(np.uint32)
        hide = scope != 0
        country = np.where(hide, -1, country)
        asn = np.where(hide, -1, asn)
        return pl.DataFrame(
            {
                "ip_scope": pl.Series(IP_SCOPES, dtype=IpScope).gather(scope),
                "asn": _gather_number(self.as_numbers, asn),
                "as_name": _gather(self.as_names, asn),
                "ip_country": _gather(self.countries, country),
            }
        )

    def _lookup_v6(
        self,
        ips: pl.Series,
        rows: npt.NDArray[np.bool_],
        country: Indexes,
        asn: Indexes,
        special: Indexes,
        valid: npt.NDArray[np.bool_],
    ) -> None:
        """Fill the non-IPv4 rows in place, parsing each distinct string once."""
        candidates = ips.filter(pl.Series(rows))
        distinct = candidates.drop_nulls().unique(maintain_order=True)
        parsed = [_parse_other(text) for text in distinct.to_list()]
        keys = np.array([p[0] or bytes(16) for p in parsed], dtype="S16")
        d_country, d_asn, d_special = self.v6.find(keys)
        # IPv4-mapped and NAT64 addresses are looked up in the IPv4 index
        embeds = np.array([p[1] is not None for p in parsed], dtype=bool)
        if embeds.any():
            m_country, m_asn, m_special = self.v4.find(
                np.array([p[1] or 0 for p in parsed], dtype=np.uint32))
            d_country = np.where(embeds, m_country, d_country)
            d_asn = np.where(embeds, m_asn, d_asn)
            d_special = np.where(embeds, m_special, d_special)
        d_valid = np.array([p[0] is not None for p in parsed], dtype=bool)
        position = (
            candidates.to_frame("ip")
            .join(distinct.to_frame("ip").with_row_index("k"), on="ip", how="left",
                  maintain_order="left")["k"]
        )
        found = position.is_not_null().to_numpy()
        k = position.fill_null(0).cast(pl.Int64).to_numpy()
        where = np.flatnonzero(rows)
        if k.size and distinct.len():
            country[where] = np.where(found, d_country[k], -1)
            asn[where] = np.where(found, d_asn[k], -1)
            special[where] = np.where(found, d_special[k], -1)
            valid[where] = found & d_valid[k]
        else:
            country[where], asn[where], special[where], valid[where] = -1, -1, -1, False


def _mostly_repeated(ips: pl.Series) -> bool:
    """Whether the distinct values of a leading sample are a small share of it."""
    sample = ips.head(_REPEAT_SAMPLE_ROWS)
    return sample.n_unique() <= sample.len() * _UNIQUE_FIRST_MAX_SHARE


def _encode(ips: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(code of each row, null for null; the distinct strings, indexed by code).

    A categorical cast with categories of its own hashes every string once and numbers the
    distinct ones densely in order of appearance, cheaper than ``unique`` plus a join back.
    """
    encoded = ips.cast(pl.Categorical(pl.Categories.random()))
    # read the categories while ``encoded`` holds them: they are freed with their last user
    distinct = encoded.dtype.categories.to_series().cast(pl.String)  # type: ignore[attr-defined]
    return encoded.to_physical(), distinct


_DOTTED_QUAD = r"^(?:(?:0|[1-9][0-9]{0,2})\.){3}(?:0|[1-9][0-9]{0,2})$"
"""Four decimal octets without sign, space or leading zero: ``01.2.3.4`` is ambiguous (octal
to ``inet_aton``) and Python's ``ipaddress`` rejects it, so it is not an address here either."""


def parse_ipv4(ips: pl.Series) -> pl.Series:
    """Dotted-quad strings to UInt32 (null where the string is not a plain IPv4 address)."""
    # "1.2.3.4.5" and "+1.2.3.4" fail the pattern; octets over 255 fail the UInt8 cast
    octets = ips.str.splitn(".", 4).struct.unnest()
    value = None
    for i, name in enumerate(octets.columns):
        octet = octets[name].cast(pl.UInt8, strict=False).cast(pl.UInt32)
        part = octet * (1 << (8 * (3 - i)))
        value = part if value is None else value + part
    assert value is not None
    return value.set(~ips.str.contains(_DOTTED_QUAD).fill_null(False), None).alias("ipv4")


def _parse_other(text: str) -> tuple[bytes | None, int | None]:
    """(16 packed bytes or None if not an address, the IPv4 address it carries or None)."""
    try:
        address = ipaddress.IPv6Address(text.strip().split("%", 1)[0])
    except ValueError:
        return None, None
    if address.ipv4_mapped is not None:
        return address.packed, int(address.ipv4_mapped)
    if address in _NAT64:
        return address.packed, int(address) & 0xFFFFFFFF
    return address.packed, None


def _gather(labels: pl.Series, index: Indexes) -> pl.Series:
    idx = pl.Series(index, dtype=pl.Int32)
    return labels.gather(idx.set(idx < 0, None))


def _gather_number(numbers: npt.NDArray[np.int64], index: Indexes) -> pl.Series:
    values = numbers[np.maximum(index, 0)] if numbers.size else np.zeros(index.shape, np.int64)
    series = pl.Series("asn", values, dtype=pl.Int64)
    return series.set(pl.Series((index < 0) | (values == 0)), None)


# --- building range tables ---------------------------------------------------------------


def v4_table(starts: Sequence[int], prefix_lengths: Sequence[int],
             values: Sequence[int]) -> RangeTable:
    start = np.asarray(starts, dtype=np.uint64)
    size = np.left_shift(np.uint64(1), (32 - np.asarray(prefix_lengths, dtype=np.uint64)))
    return _sorted(start.astype(np.uint32), (start + size - 1).astype(np.uint32), values)


def v6_table(starts: Sequence[int], prefix_lengths: Sequence[int],
             values: Sequence[int]) -> RangeTable:
    first = [s.to_bytes(16, "big") for s in starts]
    last = [
        (s | ((1 << (128 - n)) - 1)).to_bytes(16, "big")
        for s, n in zip(starts, prefix_lengths, strict=True)
    ]
    return _sorted(np.array(first, dtype="S16"), np.array(last, dtype="S16"), values)


@cache
def special_table(entries: tuple[tuple[str, str, str, str], ...], family: int) -> RangeTable:
    """The special-purpose ranges as non-overlapping ranges, the most specific prefix winning;
    values are indexes of ``IP_SCOPES``."""
    networks = sorted(((ipaddress.ip_network(prefix), IP_SCOPES.index(scope))
                       for prefix, scope, _what, _reference in entries),
                      key=lambda item: item[0].prefixlen)
    top = (1 << (32 if family == 4 else 128)) - 1
    points = sorted({int(n.network_address) for n, _ in networks}
                    | {int(n.broadcast_address) + 1 for n, _ in networks
                       if int(n.broadcast_address) < top})
    starts: list[int] = []
    ends: list[int] = []
    values: list[int] = []
    for i, point in enumerate(points):
        holders = [code for n, code in networks
                   if int(n.network_address) <= point <= int(n.broadcast_address)]
        if holders:
            starts.append(point)
            ends.append(points[i + 1] - 1 if i + 1 < len(points) else top)
            values.append(holders[-1])
    if family == 4:
        return _sorted(np.array(starts, dtype=np.uint32), np.array(ends, dtype=np.uint32), values)
    return _sorted(np.array([s.to_bytes(16, "big") for s in starts], dtype="S16"),
                   np.array([e.to_bytes(16, "big") for e in ends], dtype="S16"), values)


def _sorted(starts: npt.NDArray[Any], ends: npt.NDArray[Any], values: Iterable[int]
            ) -> RangeTable:
    vals = np.fromiter(values, dtype=np.int32)
    order = np.argsort(starts, kind="stable")
    return RangeTable(starts[order], ends[order], vals[order])


# --- the bundled geoip2fast data -----------------------------------------------------------


@cache
def _bundled() -> IpDatabase:
    try:
        resource = resources.files("geoip2fast").joinpath(_GEOIP2FAST_FILE)
    except ModuleNotFoundError as error:  # pragma: no cover - a declared dependency
        raise InputError("geoip2fast", "the package is not installed") from error
    with resources.as_file(resource) as path:
        return _load_geoip2fast(path, f"geoip2fast {_package_version()} ({_GEOIP2FAST_FILE})")


def _package_version() -> str:
    from importlib.metadata import version

    return version("geoip2fast")


def _load_geoip2fast(path: Path, label: str) -> IpDatabase:
    try:
        with gzip.open(path, "rb") as handle:
            # the file is the geoip2fast package's own pickle; only trusted files belong here
            dat_version, info, _total, database = pickle.load(handle)  # noqa: S301
    except (OSError, EOFError, pickle.UnpicklingError, ValueError) as error:
        raise InputError(str(path), f"not a readable geoip2fast data file ({error})") from error
    if dat_version != _GEOIP2FAST_DAT_VERSION or not (info.get("country") and info.get("asn")):
        raise InputError(str(path), "needs a geoip2fast country+ASN data file (version 120)")
    (_index, _index_asn, country_names, as_names, first_ips, first_ips_asn, country_ids,
     asn_ids, prefix_lengths, prefix_lengths_asn) = database
    countries = [entry.split(":", 1)[0] for entry in country_names]
    country_labels = [c if len(c) == 2 and c.isalpha() else None for c in countries]
    c4, c6 = _split_families(_flat(first_ips), _flat(prefix_lengths), _flat(country_ids))
    a4, a6 = _split_families(_flat(first_ips_asn), _flat(prefix_lengths_asn), _flat(asn_ids))
    names = list(as_names)
    return IpDatabase(
        countries=pl.Series("ip_country", country_labels, dtype=pl.String),
        as_names=pl.Series("as_name", [None, *names[1:]], dtype=pl.String),  # 0 is <unknown>
        as_numbers=np.zeros(len(names), dtype=np.int64),
        reserved_country_ids=frozenset(range(_GEOIP2FAST_RESERVED_IDS)),
        v4=Ipv4Index(v4_table(*c4), v4_table(*a4)),
        v6=Ipv6Index(v6_table(*c6), v6_table(*a6)),
        source=f"{label}: {info.get('info', 'unknown')}",
        as_of=_date_of(str(info.get("info", ""))),
        licence="geoip2fast MIT; GeoLite2 data by MaxMind, CC BY-SA 4.0",
    )


def _flat(chunks: list[list[int]]) -> list[int]:
    return [value for chunk in chunks for value in chunk]


Family = tuple[list[int], list[int], list[int]]


def _split_families(starts: list[int], lengths: list[int], values: list[int]
                    ) -> tuple[Family, Family]:
    """geoip2fast keeps IPv4 and IPv6 in one integer space; IPv4 entries come first."""
    v4: Family = ([], [], [])
    v6: Family = ([], [], [])
    seen_v6 = False
    for start, length, value in zip(starts, lengths, values, strict=True):
        seen_v6 = seen_v6 or start >= _V4_LIMIT
        target = v6 if seen_v6 else v4
        target[0].append(start)
        target[1].append(length)
        target[2].append(value)
    return v4, v6


def _date_of(info: str) -> date | None:
    """The GeoLite2 build date at the end of geoip2fast's info string (``...-20240618``)."""
    tail = info.rsplit("-", 1)[-1]
    if len(tail) == 8 and tail.isdigit():
        return date(int(tail[:4]), int(tail[4:6]), int(tail[6:]))
    return None
