"""Opening logs: rotated folders, gzip, the generic CSV, and bad inputs that must not stop."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest
from traffic_helpers import FIXTURES, flows_of
from zeek_writer import CONN_FIELDS, CONN_TYPES, write_zeek

from databorder.errors import ReadError, UsageError
from databorder.sources.open import Skipped
from databorder.traffic.generic_csv import GenericCsvReader
from databorder.traffic.lines import MAX_LINE_BYTES
from databorder.traffic.open import FlowSource, open_log, open_logs, read_logs
from databorder.traffic.zeek_tsv import ZeekTsvReader

CONN = FIXTURES / "lnav_bro_conn.log"


def _rotate(folder: Path) -> None:
    """Split the fixture conn.log into three rotated, gzipped files with their own headers."""
    lines = CONN.read_text().splitlines(keepends=True)
    header = [line for line in lines if line.startswith("#") and not line.startswith("#close")]
    rows = [line for line in lines if not line.startswith("#")]
    folder.mkdir()
    for i, start in enumerate(range(0, len(rows), 40)):
        name = f"conn.2011-11-03-0{i}-00-00.log.gz"
        with gzip.open(folder / name, "wt") as out:
            out.write("".join(header + rows[start:start + 40]))


def test_rotated_folder(tmp_path: Path) -> None:
    _rotate(tmp_path / "rotated")
    sources = list(open_logs([tmp_path / "rotated"]))
    assert [s.path.name for s in sources if isinstance(s, FlowSource)] == [
        "conn.2011-11-03-00-00-00.log.gz", "conn.2011-11-03-01-00-00.log.gz",
        "conn.2011-11-03-02-00-00.log.gz"]
    logs = read_logs([tmp_path / "rotated"])
    assert logs.problems == []
    assert logs.flows.height == 92
    assert logs.flows["dst_ip"].n_unique() == 31
    assert logs.flows.filter(pl.col("log").str.ends_with("01-00-00.log.gz"))["line"].min() == 9


def test_header_block_mid_file_changes_columns(tmp_path: Path) -> None:
    text = CONN.read_text()
    second = write_zeek(tmp_path / "x.log", "conn", ["id.resp_h", "id.orig_h", "ts"],
                        ["addr", "addr", "time"], [["1.1.1.1", "10.0.0.1", "1700000000.5"]])
    both = tmp_path / "both.log"
    both.write_text(text + second.read_text())
    flows = flows_of(ZeekTsvReader(), both)
    assert flows.height == 93
    last = flows.row(-1, named=True)
    assert (last["src_ip"], last["dst_ip"], last["line"]) == ("10.0.0.1", "1.1.1.1", 110)


def test_large_file_gives_bounded_batches(tmp_path: Path) -> None:
    rows = [[f"1700000000.{i:06d}", f"C{i}", "10.0.0.1", str(i % 60000), f"10.1.{i % 250}.1",
             "443", "tcp", "-", "0.1", "1", "2", "SF"] for i in range(70_000)]
    path = write_zeek(tmp_path / "conn.log", "conn", CONN_FIELDS, CONN_TYPES, rows)
    batches = list(ZeekTsvReader().batches(path))
    assert [b.num_rows for b in batches] == [65_536, 4_464]
    assert batches[1].column("line")[-1].as_py() == 70_008


def test_truncated_gzip_names_file_and_line(tmp_path: Path) -> None:
    rows = [[f"1700000000.{i:06d}", f"C{i * 7919 % 100003}", "10.0.0.1", str(i * 31 % 65000),
             f"10.{i % 251}.{i * 7 % 253}.1", "443", "tcp", "-", f"0.{i * 13 % 997}", str(i),
             str(i * 17 % 9999), "SF"] for i in range(30_000)]
    plain = write_zeek(tmp_path / "conn.log", "conn", CONN_FIELDS, CONN_TYPES, rows)
    data = gzip.compress(plain.read_bytes())
    broken = tmp_path / "conn.log.gz"
    broken.write_bytes(data[: len(data) // 2])
    source = open_log(broken)
    assert isinstance(source, FlowSource)
    with pytest.raises(ReadError) as caught:
        list(source.batches())
    message = str(caught.value)
    assert message.startswith(f"{broken}:")
    assert "truncated gzip stream" in message
    assert caught.value.line is not None and caught.value.line > 100
    assert "\n" not in message


def test_long_line_is_bounded(tmp_path: Path) -> None:
    lines = CONN.read_text().splitlines(keepends=True)
    long_line = "1320279554.496300\t" + "x" * (MAX_LINE_BYTES + 10) + "\n"
    path = tmp_path / "conn.log"
    path.write_text("".join(lines[:12]) + long_line + "".join(lines[12:]))
    with pytest.raises(ReadError) as caught:
        list(ZeekTsvReader().batches(path))
    assert caught.value.line == 13
    assert str(caught.value) == f"{path}:13: line longer than 1 MiB"


def test_wrong_headers(tmp_path: Path) -> None:
    no_fields = tmp_path / "a.log"
    no_fields.write_text("#separator \\x09\n#path\tconn\n1.0\t10.0.0.1\n")
    with pytest.raises(ReadError, match=r"a\.log:3: data before any #fields header line"):
        list(ZeekTsvReader().batches(no_fields))
    vpc = tmp_path / "vpc.log"
    vpc.write_text("2 123 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK\n2 123 eni-1 x\n")
    source = open_log(vpc)
    assert isinstance(source, FlowSource)
    with pytest.raises(ReadError, match=r"vpc\.log:2: expected 14 fields, found 4"):
        list(source.batches())


def test_mixed_formats_in_one_folder(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a_conn.log").write_bytes(CONN.read_bytes())
    (folder / "b_vpc.log").write_text(
        "2 123 eni-1 10.0.0.1 52.1.2.3 40000 443 6 10 5000 1700000000 1700000060 ACCEPT OK\n")
    # a conn.log with VPC records appended: mixed formats inside one file
    (folder / "c_conn.log").write_text(CONN.read_text() +
                                       "2 123 eni-1 10.0.0.1 52.1.2.3 1 443 6 1 1 1 2 ACCEPT OK\n")
    (folder / "d_notes.txt").write_text("Meeting notes\nnothing to see here\n")
    (folder / "e_empty.log").write_text("")
    logs = read_logs([folder])
    assert logs.problems == [
        f"{folder / 'c_conn.log'}:102: expected 21 fields as #fields says, found 1",
        f"{folder / 'd_notes.txt'}: line 1: not a known egress-log format (Zeek TSV/JSON, "
        "VPC Flow Logs, nfdump, Squid access.log)",
    ]
    assert logs.flows.height == 92 + 1
    assert sorted(logs.flows["log"].unique().str.split("/").list.last()) == \
        ["a_conn.log", "b_vpc.log"]
    assert [s.reason for s in logs.skipped if not s.error] == ["empty file"]


def test_missing_target_and_broken_head(tmp_path: Path) -> None:
    from databorder.errors import InputError

    with pytest.raises(InputError, match="no such file or directory"):
        list(open_logs(["/nonexistent/conn.log"]))
    broken = tmp_path / "cut.log.gz"
    broken.write_bytes(gzip.compress(CONN.read_bytes())[:200])
    logs = read_logs(["/nonexistent/conn.log", broken, CONN])
    assert logs.problems == ["/nonexistent/conn.log: no such file or directory",
                             f"{broken}: truncated gzip stream"]
    assert logs.flows.height == 92


def test_generic_csv(tmp_path: Path) -> None:
    path = tmp_path / "egress.csv"
    path.write_text("time,client,server,port,host,sent\n"
                    "2024-05-01T10:00:00Z,10.0.0.5,47.88.1.10,443,dashscope.aliyuncs.com,1200\n"
                    "1714557600.5,10.0.0.6,8.8.8.8,53,-,80\n")
    reader = GenericCsvReader({"ts": "time", "src_ip": "client", "dst_ip": "server",
                               "dst_port": "port", "name": "host", "bytes_out": "sent"})
    source = next(iter(open_logs([path], readers=[reader])))
    assert isinstance(source, FlowSource) and source.reader is reader
    rows = flows_of(reader, path).to_dicts()
    assert rows[0]["ts"].isoformat() == "2024-05-01T10:00:00+00:00"
    assert rows[1]["ts"].isoformat() == "2024-05-01T10:00:00.500000+00:00"
    assert [(r["dst_ip"], r["dst_port"], r["name"], r["name_source"], r["bytes_out"], r["line"])
            for r in rows] == [("47.88.1.10", 443, "dashscope.aliyuncs.com", "log", 1200, 2),
                               ("8.8.8.8", 53, None, None, 80, 3)]
    with pytest.raises(UsageError, match="'server' is not a Flow column"):
        GenericCsvReader({"server": "dst"})
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    assert isinstance(next(iter(open_logs([other], readers=[reader]))), Skipped)
