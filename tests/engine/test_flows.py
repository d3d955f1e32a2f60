"""``run_flows`` streams: the same result as reading everything into memory, in bounded state."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from databorder.attribute.attribute import attribute_destinations
from databorder.attribute.domain import normalise_names
from databorder.destinations import PRIVATE, UNATTRIBUTED, DenseIds, DestinationTotals
from databorder.engine.flows import run_flows, total_size
from databorder.traffic.naming import name_flows
from databorder.traffic.open import read_logs

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "traffic-samples"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "traffic"
T0 = 1_700_000_000

_HEADER = ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
           "#path\t{path}\n#fields\t{fields}\n#types\t{types}\n")
_CONN = (["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto",
          "orig_bytes", "resp_bytes"],
         ["time", "string", "addr", "port", "addr", "port", "enum", "count", "count"])
_DNS = (["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "query",
         "answers"],
        ["time", "string", "addr", "port", "addr", "port", "enum", "string", "vector[string]"])

# public destinations of known and unknown owners, and private ones
_DESTINATIONS = ["47.88.1.1", "47.88.1.2", "8.8.8.8", "1.1.1.1", "13.107.42.14", "52.1.2.3",
                 "203.0.113.9", "10.9.9.9", "192.168.1.20", "185.199.108.153"]


def _zeek(path: Path, kind: str, columns: tuple[list[str], list[str]],
          rows: list[list[str]]) -> Path:
    text = _HEADER.format(path=kind, fields="\t".join(columns[0]), types="\t".join(columns[1]))
    text += "".join("\t".join(row) + "\n" for row in rows)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as out:
        out.write(text)
    return path


def _conn_rows(start: int, count: int) -> list[list[str]]:
    rows = []
    for i in range(start, start + count):
        host = f"10.0.{(i * 7) % 13}.{(i * 31) % 157 + 1}"
        dst = _DESTINATIONS[(i * i + i // 3) % len(_DESTINATIONS)]
        rows.append([f"{T0 + i}.{i % 1_000_000:06d}", f"C{i}", host, str(40000 + i % 20000),
                     dst, "443", "tcp", str(i % 5000), "-" if i % 11 == 0 else str(i % 700)])
    return rows


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three rotated conn logs (one gzipped), 150,000 records, and a dns.log naming some."""
    folder = tmp_path_factory.mktemp("capture")
    _zeek(folder / "conn.00.log", "conn", _CONN, _conn_rows(0, 70_000))
    _zeek(folder / "conn.01.log.gz", "conn", _CONN, _conn_rows(70_000, 50_000))
    _zeek(folder / "conn.02.log", "conn", _CONN, _conn_rows(120_000, 30_000))
    # answers seen early name connections read many batches (and files) later
    answers = [[f"{T0 + 5}.0", "D1", f"10.0.{h}.{k}", "5353", "10.0.0.53", "53", "udp",
                "dashscope.aliyuncs.com", "47.88.1.2"] for h in range(13) for k in range(1, 158)]
    answers.append([f"{T0 + 10}.0", "D2", "10.0.0.1", "5353", "10.0.0.53", "53", "udp",
                    "WWW.Example.ORG.", "203.0.113.9"])
    _zeek(folder / "dns.log", "dns", _DNS, answers)
    return folder


_Keyed = tuple[dict[tuple[Any, ...], tuple[Any, ...]], dict[tuple[Any, ...], tuple[Any, ...]]]


def _group_key(row: dict[str, Any]) -> tuple[Any, ...]:
    recipient = {PRIVATE: "private", UNATTRIBUTED: "unattributed"}.get(
        row["recipient"], row["ultimate_parent"])
    return recipient, row["ultimate_parent"], row["controlled_from"]


def _in_memory(targets: list[Path]) -> _Keyed:
    """The whole capture in one table, grouped directly: what streaming must reproduce."""
    logs = read_logs(targets)
    named = name_flows(logs.flows, logs.names)
    named = named.with_columns(normalise_names(named["name"]).alias("name")).filter(
        pl.col("dst_ip").is_not_null() | pl.col("name").is_not_null())
    keys = named.select("dst_ip", "name").unique()
    attributed = keys.hstack(attribute_destinations(keys).drop("dst_ip", "name"))
    joined = named.join(attributed, on=["dst_ip", "name"], how="left", nulls_equal=True)
    joined = joined.with_columns(
        pl.when(~pl.col("ip_scope").is_in(["public", "unknown"])).then(pl.lit("private"))
        .when(pl.col("ultimate_parent").is_null()).then(pl.lit("unattributed"))
        .otherwise(pl.col("ultimate_parent")).alias("key"))
    sums = [pl.len(), pl.col("bytes_out").sum(), pl.col("bytes_in").sum(),
            pl.col("src_ip").drop_nulls().n_unique().alias("hosts"),
            pl.struct("dst_ip", pl.when(pl.col("dst_ip").is_null()).then(pl.col("name")))
            .n_unique().alias("destinations"),
            pl.col("ts").min().alias("first"), pl.col("ts").max().alias("last")]
    groups = {tuple(row[:3]): tuple(row[3:]) for row in joined.group_by(
        "key", "ultimate_parent", "controlled_from").agg(sums).iter_rows()}
    destinations = {(row[0], row[1]): tuple(row[2:]) for row in
                    joined.group_by("dst_ip", "name").agg(sums).iter_rows()}
    return groups, destinations


_COUNTED = ["flows", "bytes_out", "bytes_in", "internal_hosts", "destinations", "first_seen",
            "last_seen"]


def _streamed(targets: list[Path]) -> _Keyed:
    result = run_flows([str(t) for t in targets])
    assert result.problems == read_logs(targets).problems
    groups = {_group_key(row): tuple(row[c] for c in _COUNTED)
              for row in result.groups.iter_rows(named=True)}
    destinations = {(row["dst_ip"], row["name"]): tuple(row[c] for c in _COUNTED)
                    for row in result.destinations.iter_rows(named=True)}
    return groups, destinations


@pytest.mark.parametrize("kind", ["zeek", "vpc", "nfdump", "squid"])
def test_streaming_equals_in_memory_on_the_shared_samples(kind: str) -> None:
    if not SAMPLES.is_dir():
        pytest.skip("shared traffic samples are not beside the repository")
    targets = [SAMPLES / kind]
    streamed, expected = _streamed(targets), _in_memory(targets)
    assert streamed == expected
    assert sum(g[0] for g in streamed[0].values()) > 0


def test_streaming_equals_in_memory_on_a_multi_batch_capture(capture: Path) -> None:
    streamed_groups, streamed_destinations = _streamed([capture])
    groups, destinations = _in_memory([capture])
    assert streamed_destinations == destinations
    assert streamed_groups == groups
    assert sum(g[0] for g in groups.values()) == 150_000


def test_hosts_are_counted_exactly_across_batches_files_and_destinations(capture: Path) -> None:
    result = run_flows([str(capture)])
    rows = _conn_rows(0, 150_000)
    private = {"10.9.9.9", "192.168.1.20", "203.0.113.9"}  # the last: documentation range
    expected = {r[2] for r in rows if r[4] in private}
    groups = {row["recipient"]: row for row in result.groups.iter_rows(named=True)}
    assert groups[PRIVATE]["internal_hosts"] == len(expected)
    assert groups[PRIVATE]["destinations"] == 3
    alibaba = {r[2] for r in rows if r[4] in ("47.88.1.1", "47.88.1.2")}
    parent = groups["Alibaba Group Holding Limited"]
    assert parent["internal_hosts"] == len(alibaba)
    # each destination alone has fewer hosts: the group's count is a union, not a sum
    per_destination = result.destinations.filter(pl.col("dst_ip").str.starts_with("47.88."))
    assert per_destination["internal_hosts"].sum() > parent["internal_hosts"]
    assert result.logs == sorted(str(p) for p in capture.glob("conn.*"))


def test_dns_names_connections_read_files_later(capture: Path) -> None:
    result = run_flows([str(capture)])
    named = result.destinations.filter(pl.col("name") == "dashscope.aliyuncs.com").row(0,
                                                                                         named=True)
    rows = _conn_rows(0, 150_000)
    after_answer = [r for r in rows if r[4] == "47.88.1.2" and float(r[0]) >= T0 + 5]
    assert named["dst_ip"] == "47.88.1.2" and named["flows"] == len(after_answer)
    assert named["evidence"] == "domain"
    assert named["last_seen"] >= datetime.fromtimestamp(T0 + 140_000, UTC)
    example = result.destinations.filter(pl.col("name") == "www.example.org")
    one_client = [r for r in rows if r[2] == "10.0.0.1" and r[4] == "203.0.113.9"
                  and float(r[0]) >= T0 + 10]
    assert example["dst_ip"].to_list() == ["203.0.113.9"]
    assert example["flows"].to_list() == [len(one_client)] and one_client
    top = {row["recipient"]: row["top_names"] for row in result.groups.iter_rows(named=True)}
    assert top["Alibaba Group Holding Limited"] == ["dashscope.aliyuncs.com"]


def test_only_naming_logs_are_the_flows(tmp_path: Path) -> None:
    http = FIXTURES / "lnav_bro_http.log"
    result = run_flows([str(http)])
    rows = sum(1 for line in http.read_text().splitlines() if not line.startswith("#"))
    assert result.totals["flows"] == rows > 0
    assert result.logs == [str(http)]


def test_a_file_that_fails_midway_counts_for_nothing(tmp_path: Path) -> None:
    good = _zeek(tmp_path / "a_conn.log", "conn", _CONN, _conn_rows(0, 100))
    bad = _zeek(tmp_path / "b_conn.log", "conn", _CONN, _conn_rows(100, 70_000))
    with bad.open("a") as out:
        out.write("2 123 eni-1 10.0.0.1 52.1.2.3 1 443 6 1 1 1 2 ACCEPT OK\n")
    result = run_flows([str(good), str(bad)])
    assert len(result.problems) == 1 and str(bad) in result.problems[0]
    assert result.totals["flows"] == 100
    assert result.logs == [str(good)]


def test_progress_counts_every_input_byte_once(capture: Path) -> None:
    seen: list[int] = []
    run_flows([str(capture)], progress=seen.append)
    assert sum(seen) == total_size([str(capture)])


def _batch(destinations: int, hosts: int, repeat: int) -> pl.DataFrame:
    rows = [(f"198.51.{d // 250}.{d % 250}", f"10.1.0.{h}") for _ in range(repeat)
            for d in range(destinations) for h in range(hosts)]
    return pl.DataFrame({
        "ts": [datetime.fromtimestamp(T0, UTC)] * len(rows),
        "src_ip": [r[1] for r in rows], "dst_ip": [r[0] for r in rows],
        "bytes_out": [10] * len(rows), "bytes_in": [None] * len(rows),
        "name": [None] * len(rows), "log": ["conn.log"] * len(rows),
    }, schema_overrides={"ts": pl.Datetime("us", "UTC"), "bytes_in": pl.Int64,
                         "name": pl.String})


def test_state_is_bounded_by_destinations_not_records() -> None:
    totals = DestinationTotals(compact_rows=2_000)
    batch = _batch(destinations=200, hosts=5, repeat=4)
    held = []
    for _ in range(100):
        totals.add(batch)
        held.append(totals.held_rows)
    # 400,000 records folded; the state never outgrows a few times the distinct keys
    assert max(d for d, _ in held) <= 3 * 200 + 2_000
    assert max(p for _, p in held) <= 3 * 1_000 + 2_000
    assert max(held[50:]) <= max(held[:50])
    totals.compact()
    assert totals.held_rows == (200, 1_000)
    groups, destinations, sums = totals.summarise()
    assert (sums["flows"], sums["bytes_out"], sums["bytes_in"]) == (400_000, 4_000_000, 0)
    assert destinations.height == 200
    assert destinations["internal_hosts"].to_list() == [5] * 200
    assert groups["internal_hosts"].max() == 5


def test_merging_partials_equals_one_pass() -> None:
    first, second = _batch(100, 3, 1), _batch(150, 4, 1)
    one = DestinationTotals()
    one.add(pl.concat([first, second]))
    left, right = DestinationTotals(), DestinationTotals()
    left.add(first)
    right.add(second)
    left.merge(right)
    assert left.summarise()[1].equals(one.summarise()[1])
    assert left.summarise()[0].equals(one.summarise()[0])


def test_merging_translates_ids_of_partials_that_saw_keys_in_another_order() -> None:
    # the same destinations and hosts, first seen in opposite orders, overlapping only in part
    first = _batch(120, 6, 1)
    second = _batch(200, 4, 1).reverse()
    one = DestinationTotals()
    one.add(pl.concat([first, second]))
    left, right = DestinationTotals(compact_rows=100), DestinationTotals(compact_rows=100)
    for start in range(0, first.height, 97):
        left.add(first.slice(start, 97))
    right.add(second)
    left.merge(right)
    left.compact()
    assert left.held_rows == (200, 120 * 6 + 80 * 4)
    merged_groups, merged_destinations, _ = left.summarise()
    groups, destinations, _ = one.summarise()
    assert merged_destinations.equals(destinations)
    assert merged_groups.equals(groups)
    assert destinations["internal_hosts"].sort().to_list() == [4] * 80 + [6] * 120
    assert groups["internal_hosts"].max() == 6


def test_dense_ids_number_keys_in_order_of_first_sight() -> None:
    ids = DenseIds()
    keys = pl.Series([30, 10, 30, 20, 10], dtype=pl.UInt64)
    assert ids.ids_of(keys).to_list() == [0, 1, 0, 2, 1]
    assert ids.ids_of(pl.Series([20, 40], dtype=pl.UInt64)).to_list() == [2, 3]
    other = DenseIds()
    other.ids_of(pl.Series([40, 50, 30], dtype=pl.UInt64))
    assert ids.translation(other).tolist() == [3, 4, 0]
    assert len(ids) == 5


def test_name_only_destinations_of_a_combined_squid_log_are_egress_attributed_by_name(
        tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    line = ('10.0.0.{host} - - [23/Nov/2026:01:15:1{i} +0000] "{request} HTTP/1.1" 200 {size} '
            '"-" "curl/8.0 \\"x\\"" {code}\n')
    requests = [("CONNECT api.deepseek.com:443", "TCP_TUNNEL:HIER_DIRECT"),
                ("GET http://www.deepseek.com/", "TCP_MISS:HIER_DIRECT"),
                ("GET http://unknown-owner.example/", "TCP_MISS:HIER_DIRECT"),
                ("GET http://10.1.2.3:8080/", "TCP_MISS:HIER_DIRECT"),
                ("GET http://api.deepseek.com/cached", "TCP_MEM_HIT:HIER_NONE")]
    log.write_text("".join(line.format(host=i % 2 + 1, i=i, request=r, size=100 * (i + 1),
                                       code=c) for i, (r, c) in enumerate(requests)))
    result = run_flows([str(log)])
    assert result.problems == []
    assert result.totals["flows"] == 4  # the HIER_NONE cache hit never left the proxy
    rows = {row["name"] or row["dst_ip"]: row for row in result.destinations.iter_rows(named=True)}
    deepseek = rows["api.deepseek.com"]
    assert deepseek["dst_ip"] is None and deepseek["ip_scope"] == "unknown"
    assert deepseek["evidence"] == "domain" and deepseek["country_of_concern"] is True
    assert deepseek["bytes_in"] == 100
    assert rows["unknown-owner.example"]["ip_scope"] == "unknown"
    assert rows["10.1.2.3"]["ip_scope"] == "private"
    groups = {row["recipient"]: row for row in result.groups.iter_rows(named=True)}
    parent = next(g for r, g in groups.items() if r not in (PRIVATE, UNATTRIBUTED))
    assert (parent["flows"], parent["destinations"], parent["internal_hosts"]) == (2, 2, 2)
    assert groups[UNATTRIBUTED]["flows"] == 1 and groups[PRIVATE]["flows"] == 1
    # name-only destinations are egress: the unattributed share is of 3 egress flows
    assert result.unattributed_share["flows"] == 1 / 3
