from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from source_helpers import only_source, read_all

from databorder.errors import InputError, ReadError
from databorder.sources.parquet import ParquetSource


def parquet_source(path: Path) -> ParquetSource:
    source = only_source(path)
    assert isinstance(source, ParquetSource)
    return source


def test_nested_structs_become_dotted_columns(fixtures: Path) -> None:
    source = parquet_source(fixtures / "devices.parquet")
    assert source.columns == ("user_id", "device.model", "device.wifi.bssid",
                              "device.wifi.ssid", "visits", "tags")
    result = read_all(source)
    rows = result.table.to_pylist()
    assert rows[0]["device.wifi.bssid"] == "00:1a:2b:3c:4d:5e"
    assert rows[1]["device.wifi.bssid"] is None  # the whole struct is null
    assert rows[0]["visits"] == 3  # primitives keep their type
    assert rows[0]["tags"] == '["a", "b"]'
    assert result.batch_rows == [2, 1]  # one batch per row group
    assert result.progress == (fixtures / "devices.parquet").stat().st_size


def test_projection_reads_only_the_asked_leaf(fixtures: Path) -> None:
    table = read_all(parquet_source(fixtures / "devices.parquet"), ["device.wifi.bssid"]).table
    assert table.column_names == ["device.wifi.bssid"]
    assert table.column(0).to_pylist() == ["00:1a:2b:3c:4d:5e", None, "3c:5a:b4:00:11:22"]
    with pytest.raises(InputError, match="no column"):
        read_all(parquet_source(fixtures / "devices.parquet"), ["device.imei"])


def test_sample_and_bounded_batches(tmp_path: Path) -> None:
    path = tmp_path / "ids.parquet"
    pq.write_table(pa.table({"id": pa.array([f"{i:06d}" for i in range(100_000)])}), path,
                   row_group_size=100_000)
    source = parquet_source(path)
    assert source.sample(3).column("id").to_pylist() == ["000000", "000001", "000002"]
    result = read_all(source)
    assert result.batch_rows == [65_536, 34_464]


def test_not_parquet_is_a_read_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")
    with pytest.raises(ReadError, match="not a valid Parquet file"):
        only_source(path)
