"""A user's MaxMind-format databases, written here with a real MMDB writer."""

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from databorder.attribute.attribute import attribute_destinations
from databorder.attribute.ip import IpDatabase
from databorder.errors import InputError

mmdb_writer = pytest.importorskip("mmdb_writer")
netaddr = pytest.importorskip("netaddr")


def _write(path: Path, ip_version: int, kind: str, networks: dict[str, dict[str, object]]) -> Path:
    writer = mmdb_writer.MMDBWriter(ip_version=ip_version, database_type=kind,
                                    ipv4_compatible=ip_version == 6)
    for network, record in networks.items():
        writer.insert_network(netaddr.IPSet([network]), record)
    writer.to_db_file(str(path))
    return path


@pytest.fixture()
def asn_file(tmp_path: Path) -> Path:
    return _write(tmp_path / "GeoLite2-ASN.mmdb", 6, "GeoLite2-ASN", {
        "47.88.0.0/16": {"autonomous_system_number": 45102,
                         "autonomous_system_organization": "Alibaba US Technology Co., Ltd."},
        "8.8.8.0/24": {"autonomous_system_number": 15169,
                       "autonomous_system_organization": "GOOGLE"},
        "203.0.113.0/24": {"autonomous_system_number": 64500,
                           "autonomous_system_organization": "Documentation Networks"},
        "2400:3200::/32": {"autonomous_system_number": 37963,
                           "autonomous_system_organization": "Hangzhou Alibaba Advertising"},
    })


@pytest.fixture()
def country_file(tmp_path: Path) -> Path:
    return _write(tmp_path / "GeoLite2-Country.mmdb", 4, "GeoLite2-Country", {
        "47.88.0.0/16": {"country": {"iso_code": "US", "names": {"en": "United States"}}},
        "8.8.0.0/16": {"registered_country": {"iso_code": "US"}},
    })


def test_asn_and_country_files_are_merged(asn_file: Path, country_file: Path) -> None:
    database = IpDatabase.from_mmdb(asn_file, country_file)
    found = database.lookup(pl.Series(["47.88.1.1", "8.8.8.8", "8.8.9.9", "2400:3200::1",
                                       "1.1.1.1", "203.0.113.9", "::ffff:47.88.3.4"]))
    assert found["asn"].to_list() == [45102, 15169, None, 37963, None, None, 45102]
    assert found["ip_country"].to_list() == ["US", "US", "US", None, None, None, "US"]
    assert found["ip_scope"].cast(pl.String).to_list()[5] == "reserved"  # TEST-NET-3 stays so
    assert "GeoLite2-ASN.mmdb (GeoLite2-ASN, built " in database.source
    assert "GeoLite2-Country.mmdb (GeoLite2-Country" in database.source
    assert database.as_of == datetime.now(UTC).date()


def test_as_numbers_decide_the_entity(asn_file: Path) -> None:
    dst = pl.DataFrame({"dst_ip": ["47.88.1.1", "2400:3200::1"], "name": [None, None]},
                       schema={"dst_ip": pl.String, "name": pl.String})
    rows = attribute_destinations(dst, ip_db=IpDatabase.from_mmdb(asn_file)).to_dicts()
    assert [(r["entity"], r["evidence"], r["ultimate_parent"]) for r in rows] == [
        ("alibaba-cloud", "asn", "alibaba-group")] * 2
    assert rows[0]["ip_country"] is None  # no country file given


def test_bad_files_give_one_clear_error(tmp_path: Path, asn_file: Path) -> None:
    missing = tmp_path / "nope.mmdb"
    with pytest.raises(InputError, match=r"nope\.mmdb: no such file"):
        IpDatabase.from_mmdb(missing)
    corrupt = tmp_path / "corrupt.mmdb"
    corrupt.write_bytes(asn_file.read_bytes()[:200])
    with pytest.raises(InputError, match=r"corrupt\.mmdb: not a readable MaxMind database") as bad:
        IpDatabase.from_mmdb(corrupt)
    assert "\n" not in str(bad.value)
    with pytest.raises(InputError, match="a second database of the same kind"):
        IpDatabase.from_mmdb(asn_file, asn_file)
    with pytest.raises(InputError, match="one or two MaxMind databases, not 3"):
        IpDatabase.from_mmdb(asn_file, asn_file, asn_file)
    empty = _write(tmp_path / "other.mmdb", 4, "Other", {"1.0.0.0/8": {"isp": "x"}})
    with pytest.raises(InputError, match=r"other\.mmdb: carries neither AS nor country data"):
        IpDatabase.from_mmdb(empty)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "databorder", *args], capture_output=True,
                          text=True, timeout=300, check=False)


def test_ip_db_option_of_whois_and_flows(tmp_path: Path, asn_file: Path,
                                         country_file: Path) -> None:
    done = _cli("whois", "47.88.1.1", "--ip-db", str(asn_file), "--ip-db", str(country_file))
    assert done.returncode == 0, done.stderr
    assert "AS45102" in done.stdout and "decided by: asn" in done.stdout
    assert "GeoLite2-ASN.mmdb" in done.stdout
    log = tmp_path / "conn.log"
    log.write_text("#separator \\x09\n#fields\tts\tid.orig_h\tid.resp_h\torig_bytes\tresp_bytes\n"
                   "#types\ttime\taddr\taddr\tcount\tcount\n"
                   "1700000000.0\t10.0.0.5\t47.88.1.1\t100\t10\n", encoding="utf-8")
    out = tmp_path / "flows.json"
    done = _cli("flows", str(log), "--ip-db", str(asn_file), "--json", str(out))
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    destination = result["destinations"][0]
    assert (destination["asn"], destination["evidence"]) == (45102, "asn")
    done = _cli("flows", str(log), "--ip-db", str(tmp_path / "missing.mmdb"))
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [f"error: {tmp_path / 'missing.mmdb'}: no such file"]
