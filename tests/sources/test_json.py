from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from source_helpers import only_source, read_all

from databorder.errors import ReadError
from databorder.sources import _json_arrow
from databorder.sources import json as json_module
from databorder.sources.json import JsonSource, flatten


def json_source(path: Path) -> JsonSource:
    source = only_source(path)
    assert isinstance(source, JsonSource)
    return source


def test_json_lines_nested_and_varying_schema(fixtures: Path) -> None:
    source = json_source(fixtures / "events.jsonl")
    assert source.layout == "lines"
    result = read_all(source)
    rows = result.table.to_pylist()
    assert len(rows) == 3  # the blank line is not a record
    assert rows[0]["device.wifi.bssid"] == "00:1a:2b:3c:4d:5e"
    assert rows[0]["user.email"] == "lena.k@example.com"
    assert rows[0]["amount"] == "12.5"  # the fast path keeps the value, not the spelling
    assert rows[1]["user.phone"] == "+49 30 901820"
    assert rows[1]["items.1.sku"] == "B-7"
    assert rows[1]["items.0.qty"] == "2"
    assert rows[1]["tags"] == '["promo","mobile"]'
    assert rows[1]["paid"] == "true"
    assert rows[1]["user.email"] is None
    assert rows[2]["note"] is None
    assert "device.wifi.bssid" in source.fields and "note" in source.fields
    assert result.progress == (fixtures / "events.jsonl").stat().st_size


def test_python_path_keeps_number_text(fixtures: Path) -> None:
    source = json_source(fixtures / "events.jsonl")
    source.fast = False
    assert read_all(source).table.column("amount")[0].as_py() == "12.50"
    assert source.sample(1).column("amount")[0].as_py() == "12.50"


def test_projection_fills_missing_fields_with_nulls(fixtures: Path) -> None:
    table = read_all(json_source(fixtures / "events.jsonl"), ["user.id", "user.phone"]).table
    assert table.column_names == ["user.id", "user.phone"]
    assert table.column("user.phone").to_pylist() == [None, "+49 30 901820", None]


def test_json_array_is_streamed_as_rows(fixtures: Path) -> None:
    source = json_source(fixtures / "orders.json")
    assert source.layout == "array"
    rows = read_all(source).table.to_pylist()
    assert [r["customer.address.zip"] for r in rows] == ["600001", "0150"]
    assert rows[0]["total"] == "1999.00"
    assert source.sample(1).num_rows == 1


def test_single_object_is_one_row(fixtures: Path) -> None:
    source = json_source(fixtures / "profile.json")
    assert source.layout == "object"
    rows = read_all(source).table.to_pylist()
    assert rows == [{"account": "acc-5521", "owner.name": "Kofi Mensah",
                     "owner.email": "kofi.mensah@example.com",
                     "ips": '["192.0.2.10","192.0.2.11"]'}]


def test_bad_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}\n{"a": "secret-value\n{"a": 4}\n')
    with pytest.raises(ReadError) as info:
        read_all(json_source(path))
    assert info.value.line == 3
    assert "secret-value" not in str(info.value)


def test_bad_array_element_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[{"a": 1}, {"a": secret}]')
    with pytest.raises(ReadError, match="array element 2") as info:
        read_all(json_source(path))
    assert "secret" not in str(info.value)


def test_compressed_json_lines_in_bounded_batches(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl.gz"
    lines = "".join(f'{{"id": {i}, "u": {{"zip": "0{i % 9999:04d}"}}}}\n' for i in range(70_000))
    path.write_bytes(gzip.compress(lines.encode()))
    result = read_all(json_source(path), ["u.zip"])
    assert result.batch_rows == [65_536, 4_464]
    assert result.table.column("u.zip")[1].as_py() == "00001"
    assert result.progress == path.stat().st_size


def test_long_lists_of_objects_stay_json_text() -> None:
    row = flatten({"xs": [{"k": i} for i in range(101)], "ys": [{"k": 1}, 2]})
    assert set(row) == {"xs", "ys"}
    assert row["ys"] == '[{"k":1},2]'


# Lines meant to reach every branch of the Arrow flattening (and some that must fall back).
TRICKY_LINES: list[dict[str, Any]] = [
    {"id": 1, "geo": {"lat": 47.3769, "lon": 8.5417}, "scan": [{"bssid": "aa", "rssi": -60}],
     "tags": ["a", 'quo"te', "back\\slash", "new\nline", "tab\t", "Zürich 东京"],
     "ints": [1, 22, -3], "flags": [True, False, None], "when": "2024-05-01 12:00:00"},
    {"id": 2, "geo": None, "scan": [], "tags": [], "day": "2024-05-02", "empty": {},
     "scan2": [{"a": {"b": [{"c": "deep"}]}}], "n": None, "f": 0.5},
    {"id": 3, "scan": [{"bssid": "bb"}, {"ssid": "x", "rssi": -70}, {"bssid": "cc"}],
     "dotted.key": "v", "f": 3, "card": 4111111111111111, "imei": 356938035643809},
]


@pytest.fixture
def arrow_chunks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rows of every chunk the Arrow path rendered (the others went through Python)."""
    rendered: list[int] = []
    flatten_table = _json_arrow.flatten_table

    def spy(table: pa.Table, wanted: Callable[[str], bool]) -> _json_arrow.Columns:
        columns = flatten_table(table, wanted)
        rendered.append(table.num_rows)
        return columns

    monkeypatch.setattr(_json_arrow, "flatten_table", spy)
    return rendered


def write_lines(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return path


def read_both(path: Path, columns: list[str] | None = None) -> tuple[JsonSource, JsonSource]:
    fast, python = json_source(path), json_source(path)
    python.fast = False
    fast_rows = [r for b in fast.batches(columns) for r in b.to_pylist()]
    python_rows = [r for b in python.batches(columns) for r in b.to_pylist()]
    # A fast batch carries the fields of its whole chunk: compare the cells that hold a value.
    assert len(fast_rows) == len(python_rows)
    for fast_row, python_row in zip(fast_rows, python_rows, strict=True):
        expected = {k: _spelling(v) for k, v in _present(python_row).items()}
        assert _present(fast_row) == expected
    return fast, python


def _present(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if value is not None}


def _spelling(cell: str) -> str:
    """The text the fast path gives for a non-integer number (integers must match as they are)."""
    try:
        number = float(cell)
    except ValueError:
        return cell
    if not any(mark in cell for mark in ".eE") or cell.strip() != cell:
        return cell
    return str(int(number)) if number.is_integer() else repr(number)


def test_fast_and_python_paths_agree(tmp_path: Path, fixtures: Path,
                                     arrow_chunks: list[int]) -> None:
    path = write_lines(tmp_path / "tricky.jsonl", TRICKY_LINES * 3)
    fast, python = read_both(path)
    assert arrow_chunks == [9]
    assert set(fast.fields) == set(python.fields) - {"geo"}  # a null object leaves no column
    read_both(fixtures / "events.jsonl")
    first = next(json_source(path).batches()).to_pylist()
    tags = TRICKY_LINES[0]["tags"]
    assert first[0]["tags"] == json.dumps(tags, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(first[0]["tags"]) == tags
    assert first[0]["flags"] == "[true,false,null]"
    assert first[0]["when"] == "2024-05-01 12:00:00"  # not a timestamp
    assert first[1]["scan"] == "[]" and first[1]["scan2.0.a.b.0.c"] == "deep"
    assert first[2]["scan.1.ssid"] == "x" and first[2]["f"] == "3"


def test_chunks_mixing_fast_and_python_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             arrow_chunks: list[int]) -> None:
    monkeypatch.setattr(json_module, "CHUNK_BYTES", 300)
    odd = ["a bare string", {"xs": [{"k": i} for i in range(101)]}, {"ys": [{"k": 1}, 2]},
           {"id": "now a string"}, {"geo": "flat"}, {"big": 123456789012345678901234567890}]
    path = write_lines(tmp_path / "mixed.jsonl", TRICKY_LINES + odd + TRICKY_LINES)
    fast, python = read_both(path)
    assert set(fast.fields) == set(python.fields)
    assert 0 < sum(arrow_chunks) < len(TRICKY_LINES) * 2 + len(odd)  # some chunks in each path
    read_both(path, ["id", "scan.2.bssid", "xs", "value", "missing"])


def test_integers_keep_every_digit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_module, "CHUNK_BYTES", 64)  # one line per chunk
    path = write_lines(tmp_path / "numbers.jsonl", [
        {"card": 4111111111111111, "x": 1.5},
        {"card": 4111111111111111},
        {"v": 4111111111111111}, {"v": 1.25},  # one column mixing integers and floats
        {"v": 1000000000000000}, {"v": 2.5},
        {"imei": 356938035643809, "big": 123456789012345678901234567890},
        {"neg": -9223372036854775808, "frac": 0.1, "exp": 1e-7},
    ])
    monkeypatch.setattr(json_module, "CHUNK_BYTES", 1 << 20)
    cells = [_present(r) for b in json_source(path).batches() for r in b.to_pylist()]
    assert cells[0]["card"] == cells[1]["card"] == cells[2]["v"] == "4111111111111111"
    assert cells[4]["v"] == "1000000000000000"
    assert cells[6] == {"imei": "356938035643809", "big": "123456789012345678901234567890"}
    assert cells[7]["neg"] == "-9223372036854775808" and cells[7]["frac"] == "0.1"


def test_bad_line_is_named_after_fast_chunks(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_module, "CHUNK_BYTES", 40)
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2}\n{"a": 3}\n{"a": 4}\n{"a": "secret\n{"a": 6}\n')
    source = json_source(path)
    with pytest.raises(ReadError) as info:
        for _ in source.batches():
            pass
    assert info.value.line == 6
    assert "secret" not in str(info.value)


def test_fast_path_batches_are_bounded_and_projected(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "many.jsonl", [{"n": i, "u": {"zip": f"{i:05d}"}}
                                                  for i in range(140_000)])
    batches = list(json_source(path).batches(["u.zip", "absent"]))
    assert [b.num_rows for b in batches] == [65_536, 65_536, 8_928]
    assert batches[0].schema == pa.schema([("u.zip", pa.string()), ("absent", pa.string())])
    assert batches[2].column("u.zip")[-1].as_py() == "139999"


def test_zstd_lines_report_compressed_progress(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    path = tmp_path / "events.jsonl.zst"
    lines = "".join(f'{{"n": {i}, "ip": "10.0.{i % 250}.1"}}\n' for i in range(50_000))
    path.write_bytes(zstandard.ZstdCompressor().compress(lines.encode()))
    result = read_all(json_source(path), ["ip"])
    assert result.table.num_rows == 50_000
    assert result.progress == path.stat().st_size


def test_truncated_gzip_lines_raise_read_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    lines = "".join(f'{{"n": {i}, "secret": "s-{i}"}}\n' for i in range(200_000))
    packed = gzip.compress(lines.encode())
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(ReadError, match="truncated gzip stream") as info:
        read_all(json_source(path))
    assert "s-1" not in str(info.value)


def test_types_learnt_from_one_chunk_yield_to_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arrow_chunks: list[int]
) -> None:
    monkeypatch.setattr(json_module, "CHUNK_BYTES", 16)  # one line per chunk
    path = write_lines(tmp_path / "drift.jsonl", [
        {"a": 1, "s": {"x": "p"}}, {"a": 2.5, "s": {"x": "q", "y": 1}},
        {"a": "text", "d": "2024-05-01"}, {"a": 7, "s": {"x": "r"}, "d": "2024-05-02 10:00:00"},
        {"note": None}, {"note": "now", "s": {"y": [{"z": True}]}},
    ])
    fast, python = read_both(path)
    assert arrow_chunks == [1] * 6  # every chunk went through Arrow, none fell back
    assert set(fast.fields) == set(python.fields)
    cells = [_present(r) for b in json_source(path).batches() for r in b.to_pylist()]
    assert cells[3] == {"a": "7", "s.x": "r", "d": "2024-05-02 10:00:00"}
    assert cells[5] == {"note": "now", "s.y.0.z": "true"}
