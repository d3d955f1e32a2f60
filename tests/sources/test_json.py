from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from source_helpers import only_source, read_all

from databorder.errors import ReadError
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
    assert rows[0]["amount"] == "12.50"  # numbers keep their source text
    assert rows[1]["user.phone"] == "+49 30 901820"
    assert rows[1]["items.1.sku"] == "B-7"
    assert rows[1]["items.0.qty"] == "2"
    assert rows[1]["tags"] == '["promo","mobile"]'
    assert rows[1]["paid"] == "true"
    assert rows[1]["user.email"] is None
    assert rows[2]["note"] is None
    assert "device.wifi.bssid" in source.fields and "note" in source.fields
    assert result.progress == (fixtures / "events.jsonl").stat().st_size


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
