"""Naming destinations from DNS answers, TLS SNI and HTTP Host of the same capture."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from traffic_helpers import FIXTURES
from zeek_writer import (
    CONN_FIELDS,
    CONN_TYPES,
    DNS_FIELDS,
    DNS_TYPES,
    SSL_FIELDS,
    SSL_TYPES,
    write_zeek,
)

from databorder.traffic.naming import NameIndex, name_flows
from databorder.traffic.open import read_logs

CLIENT, OTHER = "10.0.0.5", "10.0.0.9"
API, CDN = "47.88.1.10", "104.16.2.20"


def _conn(ts: str, uid: str, client: str, port: str, server: str, dport: str) -> list[str]:
    return [ts, uid, client, port, server, dport, "tcp", "ssl", "1.0", "100", "2000", "SF"]


def _capture(tmp_path: Path) -> Path:
    folder = tmp_path / "capture"
    folder.mkdir()
    write_zeek(folder / "dns.log", "dns", DNS_FIELDS, DNS_TYPES, [
        ["1700000000.000000", "Cd1", CLIENT, "5353", "10.0.0.1", "53", "udp",
         "old.example.com", f"old.example.com.cdn.net,{API}"],
        ["1700000010.000000", "Cd2", CLIENT, "5354", "10.0.0.1", "53", "udp",
         "dashscope.aliyuncs.com", f"dashscope.aliyuncs.com.w.cdngslb.com,{API},{CDN}"],
        ["1700000500.000000", "Cd3", CLIENT, "5355", "10.0.0.1", "53", "udp",
         "later.example.org", API],
    ])
    write_zeek(folder / "ssl.log", "ssl", SSL_FIELDS, SSL_TYPES, [
        ["1700000020.100000", "Cs1", CLIENT, "40001", CDN, "443", "TLSv13", "api.openai.com"],
        ["1700000030.000000", "Cother", OTHER, "40009", CDN, "443", "TLSv13",
         "chat.deepseek.com"],
    ])
    write_zeek(folder / "conn.log", "conn", CONN_FIELDS, CONN_TYPES, [
        # named by the DNS answer 10 s before, the most recent one (not old.example.com)
        _conn("1700000020.000000", "Cc1", CLIENT, "40000", API, "443"),
        # SNI of the same connection (same uid) beats the DNS answer for that address
        _conn("1700000020.000000", "Cs1", CLIENT, "40001", CDN, "443"),
        # another client never asked: no DNS name for it
        _conn("1700000021.000000", "Cc3", OTHER, "40002", API, "443"),
        # a connection before any answer for that address: no name
        _conn("1699999990.000000", "Cc4", CLIENT, "40003", CDN, "443"),
        # a different uid, but the same 5-tuple and time as an ssl.log row
        _conn("1700000029.900000", "Cx", OTHER, "40009", CDN, "443"),
    ])
    return folder


def test_dns_and_sni_naming(tmp_path: Path) -> None:
    logs = read_logs([_capture(tmp_path)])
    assert logs.problems == []
    named = name_flows(logs.flows, logs.names)
    assert named.columns == logs.flows.columns
    result = {row["uid"]: (row["name"], row["name_source"]) for row in named.to_dicts()}
    assert result == {
        "Cc1": ("dashscope.aliyuncs.com", "dns"),
        "Cs1": ("api.openai.com", "sni"),
        "Cc3": (None, None),
        "Cc4": (None, None),
        "Cx": ("chat.deepseek.com", "sni"),
    }


def test_dns_max_age(tmp_path: Path) -> None:
    from datetime import timedelta

    logs = read_logs([_capture(tmp_path)])
    named = name_flows(logs.flows, logs.names, dns_max_age=timedelta(seconds=5))
    assert named.filter(pl.col("uid") == "Cc1")["name"].to_list() == [None]


def test_naming_without_uid_uses_the_five_tuple(tmp_path: Path) -> None:
    logs = read_logs([_capture(tmp_path)], with_uid=False)
    assert "uid" not in logs.flows.columns
    named = name_flows(logs.flows, logs.names)
    by_port = dict(zip(named["src_port"].to_list(), named["name"].to_list(), strict=True))
    assert by_port[40001] == "api.openai.com"
    assert by_port[40009] == "chat.deepseek.com"


def test_real_capture_http_host_by_uid() -> None:
    logs = read_logs([FIXTURES / "lnav_bro_conn.log", FIXTURES / "lnav_bro_http.log"])
    named = name_flows(logs.flows, logs.names)
    assert named.height == 92
    counts = dict(named.group_by("name_source").len().iter_rows())
    assert counts == {"http_host": 83, None: 9}
    www = named.filter(pl.col("uid") == "CwFs1P2UcUdlSxD2La").row(0, named=True)
    assert (www["dst_ip"], www["name"]) == ("132.235.215.119", "www.reddit.com")


def test_a_prepared_index_names_batches_as_the_whole_table_does(tmp_path: Path) -> None:
    """``NameIndex`` is prepared once and reused for every batch; batches named with it match
    the whole table named at once, and it holds no more rows than the records it reduces."""
    logs = read_logs([_capture(tmp_path)])
    real = read_logs([FIXTURES / "lnav_bro_conn.log", FIXTURES / "lnav_bro_http.log"])
    for flows, names in ((logs.flows, logs.names), (real.flows, real.names)):
        index = NameIndex.of(names)
        whole = name_flows(flows, names)
        batched = pl.concat([name_flows(flows.slice(start, 7), index)
                             for start in range(0, flows.height, 7)])
        assert batched.equals(whole)
        held = index.by_uid.height + index.untimed.height + index.timed.height + index.dns.height
        assert 0 < held <= 3 * names.height
    assert NameIndex.of(logs.names.clear()).is_empty()


def test_repeated_dns_answers_are_held_once_with_the_same_names(samples: Path) -> None:
    """Clients re-resolve the same names: an answer repeating the client's previous name for
    that address is dropped from the index, and every flow still gets the same name."""
    from datetime import timedelta

    logs = read_logs([samples / "zeek/wrccdc2018_default_dns.log.gz"])
    answers = logs.names.filter(pl.col("name_source") == "dns")
    # a flow 2 s after every answer, and one before the first answer of each client/address
    after = answers.select(pl.col("ts") + timedelta(seconds=2), pl.col("client_ip").alias("src_ip"),
                           pl.col("server_ip").alias("dst_ip"))
    before = answers.select(pl.col("ts") - timedelta(seconds=2),
                            pl.col("client_ip").alias("src_ip"),
                            pl.col("server_ip").alias("dst_ip"))
    flows = pl.concat([after, before]).drop_nulls().with_columns(
        pl.lit(None, pl.String).alias("name"), pl.lit(None, pl.String).alias("name_source"))
    collapsed = NameIndex.of(logs.names)
    whole = NameIndex.of(logs.names, dns_max_age=timedelta(days=3650))
    assert collapsed.dns.height * 4 < whole.dns.height  # 47,814 -> 7,403 on this capture
    named = name_flows(flows, collapsed)
    assert named.equals(name_flows(flows, whole, dns_max_age=timedelta(days=3650)))
    assert named["name"].null_count() < flows.height
    with pytest.raises(ValueError, match="dns_max_age"):
        name_flows(flows, collapsed, dns_max_age=timedelta(hours=1))
