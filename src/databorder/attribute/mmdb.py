"""A user's MaxMind-format databases (``GeoLite2-ASN``, ``GeoLite2-Country``/``City``) as an
:class:`IpDatabase`.

Every network of each file is read once with ``maxminddb`` (which skips the IPv4 aliases of an
IPv6 tree) into the same sorted range tables as the bundled data, so lookups stay vectorised.
An ASN file gives ``autonomous_system_number`` and ``autonomous_system_organization``; a country
or city file gives ``country.iso_code`` (``registered_country.iso_code`` where a network has no
``country``). One file of each kind may be combined.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import maxminddb
import numpy as np
import polars as pl

from databorder.attribute.ip import IpDatabase, Ipv4Index, Ipv6Index, v4_table, v6_table
from databorder.errors import InputError

MAX_FILES = 2


@dataclass(slots=True)
class _Ranges:
    """Networks of one kind, split by family: (starts, prefix lengths, label ids)."""

    v4: tuple[list[int], list[int], list[int]] = field(default_factory=lambda: ([], [], []))
    v6: tuple[list[int], list[int], list[int]] = field(default_factory=lambda: ([], [], []))

    def add(self, network: ipaddress.IPv4Network | ipaddress.IPv6Network, label: int) -> None:
        target = self.v4 if network.version == 4 else self.v6
        target[0].append(int(network.network_address))
        target[1].append(network.prefixlen)
        target[2].append(label)

    def __bool__(self) -> bool:
        return bool(self.v4[0] or self.v6[0])


@dataclass(slots=True)
class _Labels:
    countries: dict[str, int] = field(default_factory=dict)
    systems: dict[tuple[int, str | None], int] = field(default_factory=lambda: {(0, None): 0})

    def country(self, code: str) -> int:
        return self.countries.setdefault(code, len(self.countries))

    def system(self, number: int, name: str | None) -> int:
        return self.systems.setdefault((number, name), len(self.systems))


def load_mmdb(paths: Sequence[Path]) -> IpDatabase:
    """Read one or two MaxMind-format files (an ASN and a country/city database) into one."""
    if not 1 <= len(paths) <= MAX_FILES:
        raise InputError(", ".join(map(str, paths)) or "--ip-db",
                         f"give one or two MaxMind databases, not {len(paths)}")
    labels = _Labels()
    country, asn = _Ranges(), _Ranges()
    described: list[str] = []
    built: list[date] = []
    for path in paths:
        kinds, kind_name, built_on = _read(path, labels, country, asn)
        described.append(f"{path.name} ({kind_name}, built {built_on.isoformat()})")
        built.append(built_on)
        if not kinds:
            raise InputError(str(path), "carries neither AS nor country data")
    names = [name for (_number, name) in labels.systems]
    return IpDatabase(
        countries=pl.Series("ip_country", list(labels.countries), dtype=pl.String),
        as_names=pl.Series("as_name", names, dtype=pl.String),
        as_numbers=np.array([number for (number, _name) in labels.systems], dtype=np.int64),
        reserved_country_ids=frozenset(),
        v4=Ipv4Index(v4_table(*country.v4), v4_table(*asn.v4)),
        v6=Ipv6Index(v6_table(*country.v6), v6_table(*asn.v6)),
        source=" + ".join(described),
        as_of=min(built),
        licence="MaxMind-format database(s) supplied by the user, under their own licence",
    )


def _read(path: Path, labels: _Labels, country: _Ranges, asn: _Ranges
          ) -> tuple[set[str], str, date]:
    """Add the file's networks; returns the kinds it carried, its type name and build date."""
    had_country, had_asn = bool(country), bool(asn)
    kinds: set[str] = set()
    try:
        with maxminddb.open_database(str(path)) as reader:
            metadata = reader.metadata()
            for network, record in reader:
                if not isinstance(record, dict):
                    continue
                code = _country_code(record)
                if code is not None:
                    country.add(network, labels.country(code))
                    kinds.add("country")
                number = record.get("autonomous_system_number")
                if isinstance(number, int):
                    name = record.get("autonomous_system_organization")
                    asn.add(network, labels.system(number, name if isinstance(name, str)
                                                   else None))
                    kinds.add("asn")
    except FileNotFoundError as error:
        raise InputError(str(path), "no such file") from error
    except OSError as error:
        raise InputError(str(path), f"cannot read ({error.strerror or error})") from error
    except (maxminddb.InvalidDatabaseError, ValueError) as error:
        raise InputError(str(path), f"not a readable MaxMind database ({error})") from error
    if ("country" in kinds and had_country) or ("asn" in kinds and had_asn):
        raise InputError(str(path), "a second database of the same kind; give one ASN and one "
                                    "country or city database")
    built_on = datetime.fromtimestamp(int(metadata.build_epoch), UTC).date()
    return kinds, str(metadata.database_type), built_on


def _country_code(record: dict[str, Any]) -> str | None:
    for key in ("country", "registered_country"):
        place = record.get(key)
        if isinstance(place, dict):
            code = place.get("iso_code")
            if isinstance(code, str) and len(code) == 2:
                return code
    return None
