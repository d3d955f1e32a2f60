from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pytest
import zstandard
from source_helpers import only_source, read_all

from databorder.errors import ReadError
from databorder.sources.base import BATCH_ROWS
from databorder.sources.csv import BLOCK_BYTES, CsvSource, looks_like_header, sniff_dialect


def csv_source(path: Path) -> CsvSource:
    source = only_source(path)
    assert isinstance(source, CsvSource)
    return source


def test_semicolon_fixture_with_quotes_and_quoted_newline(fixtures: Path) -> None:
    source = csv_source(fixtures / "customers.csv")
    assert source.dialect.delimiter == ";"
    assert source.columns == ("customer_id", "full_name", "email", "card_number", "zip", "city")
    rows = read_all(source).table.to_pylist()
    assert len(rows) == 4
    assert rows[0]["customer_id"] == "000417"  # leading zeros kept: strings, never numbers
    assert rows[2]["full_name"] == "Quinn O'Hara; Jr."
    assert rows[2]["card_number"] is None  # empty cell
    assert rows[3]["full_name"] == "Ana\nMarquez"
    assert rows[3]["zip"] == "07302"


def test_tab_delimited_fixture(fixtures: Path) -> None:
    source = csv_source(fixtures / "devices.tsv")
    assert source.dialect.delimiter == "\t"
    table = read_all(source, ["mac"]).table
    assert table.column_names == ["mac"]
    assert table.column("mac").to_pylist() == ["00:1A:2B:3C:4D:5E", "3C:5A:B4:00:11:22"]


def test_sniffed_without_suffix(tmp_path: Path) -> None:
    path = tmp_path / "export"
    path.write_text("name|phone\nAda|+44 20 7946 0958\nBo|+1 202 555 0143\n")
    source = csv_source(path)
    assert source.dialect.delimiter == "|"
    assert read_all(source).table.column("phone").to_pylist()[0] == "+44 20 7946 0958"


def test_no_header_gets_numbered_columns(tmp_path: Path) -> None:
    path = tmp_path / "raw.csv"
    path.write_text("0042,alice@example.com,02134\n0043,bob@example.com,00501\n")
    source = csv_source(path)
    assert not source.dialect.has_header
    assert source.columns == ("column_1", "column_2", "column_3")
    assert read_all(source).table.column("column_3").to_pylist() == ["02134", "00501"]


def test_bom_is_not_part_of_the_first_name(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffemail,zip\nx@example.com,01001\n".encode())
    source = csv_source(path)
    assert source.columns == ("email", "zip")
    assert read_all(source).table.to_pylist() == [{"email": "x@example.com", "zip": "01001"}]


def test_header_heuristic() -> None:
    assert looks_like_header(["id", "email", "zip code"])
    assert not looks_like_header(["0042", "alice", "x"])
    assert not looks_like_header(["name", "a@b.example"])
    assert not looks_like_header(["name", "name"])
    assert not looks_like_header(["name", ""])


def test_sniffing_rejects_prose() -> None:
    prose = b"Hello, this is text.\nIt has commas, here, and there,\nbut no table\n"
    assert sniff_dialect(prose, None, strict=True) is None


@pytest.mark.parametrize("kind", ["gzip", "zstd"])
def test_compressed_csv_streams_in_bounded_batches(tmp_path: Path, kind: str) -> None:
    lines = ["card,zip"] + [f"{4000000000000000 + i},{i % 100000:05d}" for i in range(150_000)]
    data = ("\n".join(lines) + "\n").encode()
    if kind == "gzip":
        path = tmp_path / "cards.csv.gz"
        path.write_bytes(gzip.compress(data))
    else:
        path = tmp_path / "cards.csv.zst"
        path.write_bytes(zstandard.ZstdCompressor().compress(data))
    source = csv_source(path)
    assert source.compression == kind
    result = read_all(source, ["zip"])
    assert result.table.num_rows == 150_000
    assert len(result.batch_rows) >= 3  # 65,536 rows at most per batch
    assert result.table.column("zip")[0].as_py() == "00000"
    assert result.progress == path.stat().st_size
    assert source.sample(5).num_rows == 5


def test_progress_adds_up_to_file_size(fixtures: Path) -> None:
    path = fixtures / "customers.csv"
    assert read_all(csv_source(path)).progress == path.stat().st_size


def test_truncated_gzip_names_the_file(tmp_path: Path) -> None:
    data = "".join(f"{i},user{i}@example.com\n" for i in range(200_000)).encode()
    path = tmp_path / "users.csv.gz"
    path.write_bytes(gzip.compress(b"id,email\n" + data)[:-5000])
    with pytest.raises(ReadError, match="truncated gzip stream") as info:
        read_all(csv_source(path))
    assert str(path) in str(info.value)


def test_wrong_field_count_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text('id,name,zip\n1,"Ann\nLee",01001\n2,Bob\n3,Cy,02134\n')
    with pytest.raises(ReadError) as info:
        read_all(csv_source(path))
    assert info.value.line == 4  # physical line, counting the quoted newline
    assert "expected 3 fields, found 2" in str(info.value)
    assert "Bob" not in str(info.value)  # never a raw value in a message


def test_invalid_utf8_falls_back_to_windows_1252_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"name,city\nJos\xe9,M\xfcnchen \x81\nAnna,Berlin\n")
    rows = read_all(csv_source(path)).table.to_pylist()
    # \x81 is undefined in cp1252 and becomes U+FFFD; the rest decodes as Latin text
    assert rows[0] == {"name": "Jos\u00e9", "city": "M\u00fcnchen \ufffd"}
    assert rows[1] == {"name": "Anna", "city": "Berlin"}


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "empty_table.csv"
    path.write_text("id,email\n")
    source = csv_source(path)
    assert source.columns == ("id", "email")
    assert read_all(source).table.num_rows == 0
    assert source.sample(10).num_rows == 0


def test_narrow_rows_come_in_near_equal_batches_of_the_same_rows(tmp_path: Path) -> None:
    """A block holding more than 65,536 rows is cut in near-equal parts (no short remainder),
    with the same cells as one read of the whole file."""
    lines = ["id,n"] + [f"{i},{i % 7}" for i in range(200_000)]
    path = tmp_path / "narrow.csv"
    path.write_text("\n".join(lines) + "\n")
    source = csv_source(path)
    batch_rows = [b.num_rows for b in source.batches(["id"])]
    assert sum(batch_rows) == 200_000 and len(batch_rows) == 4
    assert max(batch_rows) <= BATCH_ROWS and max(batch_rows) - min(batch_rows) <= 1
    ids = read_all(source, ["id"]).table.column("id").to_pylist()
    assert ids == [str(i) for i in range(200_000)]


def test_a_row_longer_than_a_block_names_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("id,note\n1,short\n2," + "y" * (2 * BLOCK_BYTES) + "\n")
    with pytest.raises(ReadError, match="a row is longer than 8 MiB"):
        read_all(csv_source(path))


def test_bytes_that_are_not_utf8_in_a_later_block_read_on_as_bytes(tmp_path: Path) -> None:
    """Blocks before the bad one were given as strings; the read goes on from the next row,
    as bytes decoded per column: every row once, the same cells as a read of bytes only,
    and progress adds up to the file size once."""
    lines = [b"id,city,note"] + [b"%d,Berlin,note %d" % (i, i) for i in range(20_000)]
    lines[15_001] = b"15000,M\xfcnchen \x81,caf\xe9"
    lines[15_002] = b"15001,\"\",\"caf\xc3\xa9\""
    path = tmp_path / "late.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    source = CsvSource(path, None, csv_source(path).dialect, 1 << 16)
    read = read_all(source)
    rows = read.table.to_pylist()
    assert len(rows) == 20_000 and [r["id"] for r in rows] == [str(i) for i in range(20_000)]
    assert rows[15_000] == {"id": "15000", "city": "M\u00fcnchen \ufffd", "note": "caf\u00e9"}
    assert rows[15_001] == {"id": "15001", "city": None, "note": "caf\u00e9"}
    assert read.progress == path.stat().st_size
    reference = pa.Table.from_batches(
        list(source._parse(list(source.columns), lambda _: None, 1 << 16, pa.binary())))
    assert reference.to_pylist() == rows
    assert len(read.batch_rows) > 5  # many blocks, most of them read before the bad one
