from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from databorder.errors import InputError
from databorder.sources.csv import CsvReader, CsvSource
from databorder.sources.json import JsonSource
from databorder.sources.open import Skipped, file_readers, open_target
from databorder.sources.parquet import ParquetSource
from databorder.sources.sql import SqlTableSource
from databorder.sources.sqlite import SqliteReader
from databorder.sources.text import TextSource, VcfReader


def test_every_reader_is_discovered_in_sniffing_order() -> None:
    names = [reader.name for reader in file_readers()]
    assert set(names) == {"csv", "json", "parquet", "sqlite", "text", "vcf"}
    assert names.index("vcf") < names.index("csv") < names.index("text")
    assert any(isinstance(r, CsvReader) for r in file_readers())
    assert any(isinstance(r, SqliteReader) for r in file_readers())
    assert any(isinstance(r, VcfReader) for r in file_readers())


def test_directory_walk_is_sorted_skips_hidden_dirs_and_notes_binaries(
    fixtures: Path, tmp_path: Path
) -> None:
    for fixture in fixtures.iterdir():
        (tmp_path / fixture.name).write_bytes(fixture.read_bytes())
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\nbare = false\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    (tmp_path / "sub" / "blob.bin").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "sub" / "empty.csv").write_bytes(b"")
    (tmp_path / "sub" / "notes.csv.gz").write_bytes(gzip.compress(b"id;zip\n1;01001\n"))
    opened = list(open_target(str(tmp_path)))
    labels = [(Path(o.source).relative_to(tmp_path).as_posix(),
               o.reason if isinstance(o, Skipped) else type(o).__name__) for o in opened]
    assert labels == [
        ("app.log", "TextSource"),
        ("crm.sqlite", "SqlTableSource"),
        ("crm.sqlite", "SqlTableSource"),
        ("customers.csv", "CsvSource"),
        ("devices.parquet", "ParquetSource"),
        ("devices.tsv", "CsvSource"),
        ("events.jsonl", "JsonSource"),
        ("orders.json", "JsonSource"),
        ("profile.json", "JsonSource"),
        ("sample.vcf", "TextSource"),
        ("sub/blob.bin", "binary file of unknown format"),
        ("sub/empty.csv", "empty file"),
        ("sub/notes.csv.gz", "CsvSource"),
        ("sub/photo.jpg", "binary file (JPEG image)"),
    ]


def test_tables_filter_applies_to_databases_only(fixtures: Path) -> None:
    opened = list(open_target(str(fixtures), ("payments",)))
    tables = [o.table for o in opened if isinstance(o, SqlTableSource)]
    assert tables == ["payments"]
    assert any(isinstance(o, CsvSource) for o in opened)


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("export.dat", b'{"email": "a@example.com"}\n{"email": "b@example.com"}\n', JsonSource),
    ("export.dat.gz",
     gzip.compress(b"id,email,zip\n1,a@x.example,01001\n2,b@x.example,02134\n", mtime=0),
     CsvSource),
    ("README", b"Just some notes about the project.\nNothing tabular.\n", TextSource),
    ("log.json", b"[2024-05-01] not json at all\n", JsonSource),
])
def test_reader_by_suffix_then_by_sniffing(
    tmp_path: Path, name: str, content: bytes, kind: type
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    (source,) = list(open_target(str(path)))
    assert isinstance(source, kind)


@pytest.mark.parametrize("lines", [
    "[2024-05-01 10:00:01] GET /login from 203.0.113.7\n[2024-05-01 10:00:02] ok\n",
    "2024-05-01 10:00:01,017 INFO login\n2024-05-01 10:00:02,345 INFO logout\n",
])
def test_unsuffixed_logs_are_text(tmp_path: Path, lines: str) -> None:
    path = tmp_path / "server"
    path.write_text(lines)
    (source,) = list(open_target(str(path)))
    assert isinstance(source, TextSource)


def test_parquet_found_by_magic(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "devices.data"
    path.write_bytes((fixtures / "devices.parquet").read_bytes())
    (source,) = list(open_target(str(path)))
    assert isinstance(source, ParquetSource)


def test_missing_target_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        list(open_target(str(tmp_path / "nope")))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "secret.csv"
    path.write_text("a,b\n1,2\n")
    path.chmod(0)
    with pytest.raises(InputError, match="permission denied"):
        list(open_target(str(path)))
    (skipped,) = list(open_target(str(tmp_path)))
    assert isinstance(skipped, Skipped) and skipped.error


def test_broken_file_in_a_directory_does_not_stop_the_walk(tmp_path: Path) -> None:
    (tmp_path / "a_broken.parquet").write_bytes(b"PAR1 garbage")
    (tmp_path / "b.csv").write_text("id,zip\n1,01001\n")
    broken, csv = list(open_target(str(tmp_path)))
    assert isinstance(broken, Skipped) and broken.error
    assert broken.reason == f"{tmp_path / 'a_broken.parquet'}: not a valid Parquet file"
    assert isinstance(csv, CsvSource)
    with pytest.raises(InputError, match="not a valid Parquet file"):
        list(open_target(str(tmp_path / "a_broken.parquet")))


def test_file_named_compressed_is_read_plain_only_when_its_bytes_are_text(
        tmp_path: Path) -> None:
    plain = tmp_path / "export.csv.gz"
    plain.write_text("id,email\n1,a@example.com\n")
    noise = tmp_path / "export.csv.zst"
    noise.write_bytes(bytes(range(256)) * 8)
    assert isinstance(next(iter(open_target(str(plain)))), CsvSource)
    with pytest.raises(InputError, match=r"export\.csv\.zst: named \.zst but not a zstd stream"):
        list(open_target(str(noise)))
