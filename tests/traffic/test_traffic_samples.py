"""Every shared sample parses with the README's record and distinct-destination counts."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import polars as pl
import pytest
from traffic_helpers import flows_of, names_of

from databorder.errors import ReadError
from databorder.traffic.open import FlowSource, open_log

# (path under traffic-samples, records, distinct destinations) as in the README's tables
README_COUNTS = [
    ("zeek/wrccdc2018_default_dns.log.gz", 53615, 215),
    ("zeek/wrccdc2018_json_dns.json.gz", 53615, 215),
    ("zeek/wrccdc2018_default_ssl.log.gz", 49474, 609),
    ("zeek/wrccdc2018_json_ssl.json.gz", 49474, 609),
    ("zeek/zq_readme_conn.log", 92, 37),
    ("zeek/lnav_bro_conn.log", 92, 31),
    ("zeek/lnav_bro_http.log", 197, 28),
    ("zeek/zeekbtest_scripts.policy.protocols.conn.mac-logging_conn3.log", 1333, 1),
    ("zeek/zeekbtest_core.tunnels.teredo_conn.log", 21, 12),
    ("zeek/zeekbtest_scripts.base.frameworks.logging.scope_sep_conn.log", 34, 10),
    ("zeek/zeekbtest_core.ipv6-frag_dns.log", 3, 1),
    ("zeek/zeekbtest_scripts.base.protocols.ssl.keyexchange_ssl-all.log", 8, 6),
    ("zeek/zeekbtest_scripts.base.protocols.http.http-methods_http.log", 49, 1),
    ("zeek/zeekbtest_scripts.base.frameworks.logging.ascii-escape_ssh.log", 5, 1),
    ("vpc/opensearch_catalog_aws_vpc_flow_raw.log", 775, 38),
    ("vpc/awsdocs_default_v2_examples.log", 7, 5),
    ("vpc/awsdocs_custom_v3_tcpflags_with_header.log", 8, 2),
    # the README counts ``dstaddr`` (3); the Flow table prefers ``pkt-dstaddr``, the packet's
    # real destination behind the transit gateway, which has 2 distinct values here
    ("vpc/awsdocs_custom_tgw_with_header.log", 4, 2),
    ("vpc/awsdocs_custom_v5_traffic_path_with_header.log", 2, 2),
    ("nfdump/nfdump171_zeek_traces_default.csv", 793, 550),
    ("nfdump/nfdump171_zeek_traces_quiet_ipv6only.csv", 47, 12),
    ("nfdump/nfdump171_zeek_traces_fmt_tcp.txt", 195, 24),
    # the README counts 18 records; the 7 with ``HIER_NONE/-`` (cache hits, denials, a failed
    # look-up) never left the proxy, so they are not egress flows
    ("squid/squid57_loopback_native_access.log", 11, 2),
    ("squid/squid57_loopback_combined_access.log", 5, 2),
]


def _open(path: Path) -> FlowSource:
    source = open_log(path)
    assert isinstance(source, FlowSource), source
    return source


@pytest.mark.parametrize(("name", "records", "distinct"), README_COUNTS,
                         ids=[c[0].split("/")[1] for c in README_COUNTS])
def test_sample_counts(samples: Path, name: str, records: int, distinct: int) -> None:
    source = _open(samples / name)
    flows = flows_of(source.reader, source.path)
    assert flows.height == records
    assert flows["dst_ip"].drop_nulls().n_unique() == distinct
    assert flows["line"].is_unique().all()
    assert (flows["log"] == str(source.path)).all()


def test_readers_chosen_by_content(samples: Path) -> None:
    chosen = {name: _open(samples / name).reader.name for name, _, _ in README_COUNTS}
    assert chosen["zeek/wrccdc2018_json_dns.json.gz"] == "zeek-json"
    assert chosen["zeek/lnav_bro_conn.log"] == "zeek-tsv"
    assert chosen["vpc/awsdocs_default_v2_examples.log"] == "aws-vpc"
    assert chosen["nfdump/nfdump171_zeek_traces_fmt_tcp.txt"] == "nfdump"
    assert chosen["squid/squid57_loopback_native_access.log"] == "squid"
    assert chosen["squid/squid57_loopback_combined_access.log"] == "squid-combined"


def test_kinds(samples: Path) -> None:
    assert _open(samples / "zeek/lnav_bro_conn.log").kind == "flows"
    assert _open(samples / "zeek/wrccdc2018_json_ssl.json.gz").kind == "names"
    assert _open(samples / "zeek/wrccdc2018_default_dns.log.gz").kind == "names"
    assert _open(samples / "zeek/zeekbtest_scripts.base.frameworks.logging.ascii-escape_ssh.log"
                 ).kind == "events"


@pytest.mark.parametrize("kind", ["dns", "ssl"])
def test_tsv_and_json_twins_agree(samples: Path, kind: str) -> None:
    tsv = _open(samples / f"zeek/wrccdc2018_default_{kind}.log.gz")
    json = _open(samples / f"zeek/wrccdc2018_json_{kind}.json.gz")
    tsv_flows, json_flows = flows_of(tsv.reader, tsv.path), flows_of(json.reader, json.path)
    assert tsv_flows.drop("log", "line").equals(json_flows.drop("log", "line"))
    # the TSV file has eight header lines before the first record, the JSON file none
    assert ((tsv_flows["line"] - json_flows["line"]) == 8).all()
    tsv_names = names_of(tsv.reader, tsv.path)
    assert tsv_names.height > 10_000
    assert tsv_names.drop("log", "line").equals(
        names_of(json.reader, json.path).drop("log", "line"))


def test_conn_values(samples: Path) -> None:
    source = _open(samples / "zeek/lnav_bro_conn.log")
    first = flows_of(source.reader, source.path).row(0, named=True)
    assert first["ts"].isoformat() == "2011-11-03T00:19:14.496300+00:00"
    assert (first["src_ip"], first["src_port"], first["dst_ip"], first["dst_port"]) == \
        ("192.168.2.76", 52025, "208.85.42.28", 80)
    assert (first["proto"], first["bytes_out"], first["bytes_in"], first["line"]) == \
        ("tcp", 0, 1092421, 9)


def test_masked_timestamps_are_null(samples: Path) -> None:
    source = _open(samples / "zeek/zeekbtest_core.tunnels.teredo_conn.log")
    flows = flows_of(source.reader, source.path)
    assert flows["ts"].null_count() == flows.height
    assert flows.filter(pl.col("dst_ip").str.contains(":")).height > 0


def test_dns_answers_become_naming_records(samples: Path) -> None:
    source = _open(samples / "zeek/wrccdc2018_default_dns.log.gz")
    names = names_of(source.reader, source.path)
    first = names.row(0, named=True)
    assert (first["client_ip"], first["server_ip"], first["name"], first["name_source"]) == \
        ("10.47.1.100", "134.71.3.16", "ise.wrccdc.org", "dns")
    # CNAME answers are names, not addresses, and are not naming records
    for address in names["server_ip"].unique():
        ipaddress.ip_address(address)


def test_ssl_rows_carry_sni(samples: Path) -> None:
    source = _open(samples / "zeek/wrccdc2018_default_ssl.log.gz")
    flows = flows_of(source.reader, source.path)
    named = flows.filter(pl.col("name").is_not_null())
    assert named.height > 10_000
    assert set(named["name_source"].unique()) == {"sni"}


def test_escaped_separator_file(samples: Path) -> None:
    source = _open(samples / "zeek/zeekbtest_scripts.base.frameworks.logging.ascii-escape_ssh.log")
    flows = flows_of(source.reader, source.path)
    assert flows["dst_ip"].to_list() == ["2.3.4.5"] * 5
    assert flows["proto"].to_list() == ["tcp"] * 5


def test_vpc_nodata_rows_have_no_destination(samples: Path) -> None:
    source = _open(samples / "vpc/opensearch_catalog_aws_vpc_flow_raw.log")
    flows = flows_of(source.reader, source.path)
    assert flows["dst_ip"].null_count() == 404
    assert flows["src_ip"].null_count() == 404
    assert flows["ts"].null_count() == 0


def test_vpc_custom_order_and_double_space(samples: Path) -> None:
    source = _open(samples / "vpc/awsdocs_custom_v3_tcpflags_with_header.log")
    first = flows_of(source.reader, source.path).row(0, named=True)
    assert (first["src_ip"], first["dst_ip"], first["dst_port"], first["proto"],
            first["bytes_out"], first["line"]) == ("52.213.180.42", "10.0.0.62", 5001, "tcp",
                                                    568, 2)


def test_nfdump_abbreviated_ipv6_is_null(samples: Path) -> None:
    source = _open(samples / "nfdump/nfdump171_zeek_traces_fmt_tcp.txt")
    flows = flows_of(source.reader, source.path)
    assert flows["dst_ip"].null_count() == 5
    assert not flows["dst_ip"].drop_nulls().str.contains("..", literal=True).any()


def test_squid_destination_and_name(samples: Path) -> None:
    source = _open(samples / "squid/squid57_loopback_native_access.log")
    flows = flows_of(source.reader, source.path)
    assert flows["dst_ip"].null_count() == 0
    tunnel = flows.filter((pl.col("dst_ip") == "::1") & (pl.col("dst_port") == 8443)
                          & (pl.col("name") == "::1"))
    assert tunnel.height >= 1
    assert set(flows["name_source"].unique()) == {"proxy_url"}
    # HIER_NONE rows (cache hits, denials, the failed look-up) are not read as egress
    lines = (samples / "squid/squid57_loopback_native_access.log").read_text().splitlines()
    hier_none = {i for i, line in enumerate(lines, start=1) if " HIER_NONE/" in line}
    assert len(hier_none) == 7
    assert hier_none.isdisjoint(flows["line"].to_list())
    assert "unresolvable-host.invalid" not in flows["name"].to_list()
    assert flows.height + len(hier_none) == len(lines)


def test_btest_json_is_not_json(samples: Path) -> None:
    source = _open(samples / "zeek/zeekbtest_javascript.http-uri-sha256_http.log")
    with pytest.raises(ReadError) as caught:
        list(source.batches())
    assert caught.value.line == 2
    assert "not valid JSON" in str(caught.value)
    assert str(caught.value).startswith(f"{source.path}:2:")


def test_squid_combined_names_destinations_by_url_host(samples: Path) -> None:
    source = _open(samples / "squid/squid57_loopback_combined_access.log")
    flows = flows_of(source.reader, source.path)
    # line 4 is TCP_DENIED:HIER_NONE: it never left the proxy
    assert flows["line"].to_list() == [1, 2, 3, 5, 6]
    by_line = {row["line"]: row for row in flows.iter_rows(named=True)}
    # an IP-literal host is the destination address, not a name
    assert (by_line[1]["dst_ip"], by_line[1]["name"], by_line[1]["dst_port"]) == \
        ("127.0.0.1", None, 8000)
    assert (by_line[5]["dst_ip"], by_line[5]["dst_port"]) == ("::1", 8443)  # CONNECT [::1]
    # a host name is a name-only destination: the format logs no server address
    assert (by_line[3]["dst_ip"], by_line[3]["name"], by_line[3]["name_source"]) == \
        (None, "localhost", "proxy_url")
    assert by_line[2]["bytes_in"] == 27315  # the user agent's own quotes do not split the line
    assert by_line[1]["ts"].isoformat() == "2026-11-23T01:15:11+00:00"
    assert flows["src_ip"].to_list() == ["127.0.0.1", "::1", "127.0.0.1", "::1", "127.0.0.1"]


def test_squid_combined_bad_line_names_file_and_line(tmp_path: Path, samples: Path) -> None:
    log = tmp_path / "access.log"
    text = (samples / "squid/squid57_loopback_combined_access.log").read_text()
    log.write_text(text + '127.0.0.1 - - [23/Nov/2026:01:15:16 +0000] "GET http://x/\n')
    source = _open(log)
    assert source.reader.name == "squid-combined"
    with pytest.raises(ReadError) as caught:
        list(source.batches())
    assert str(caught.value).startswith(f"{log}:7:")
    assert "Squid combined" in str(caught.value)
