from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest
import zstandard

from databorder.errors import InputError, ReadError
from databorder.sources.compression import (
    compression_of,
    format_suffix,
    open_binary,
    read_head,
)

CONTENT = b"".join(b"line %d %x\n" % (i, random.Random(i).getrandbits(128))
                  for i in range(20_000))


@pytest.fixture
def gz(tmp_path: Path) -> Path:
    path = tmp_path / "data.log.gz"
    path.write_bytes(gzip.compress(CONTENT))
    return path


@pytest.fixture
def zst(tmp_path: Path) -> Path:
    path = tmp_path / "data.log.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(CONTENT))
    return path


def test_compression_is_recognised_by_magic_not_suffix(tmp_path: Path, gz: Path, zst: Path) -> None:
    disguised = tmp_path / "data.txt"
    disguised.write_bytes(gz.read_bytes())
    plain = tmp_path / "plain.gz"
    plain.write_bytes(b"not compressed\n")
    assert compression_of(gz) == "gzip"
    assert compression_of(zst) == "zstd"
    assert compression_of(disguised) == "gzip"
    assert compression_of(plain) is None
    assert format_suffix(gz) == ".log"
    assert format_suffix(Path("A.CSV.ZST")) == ".csv"


@pytest.mark.parametrize("name", ["gz", "zst"])
def test_streams_decompressed_bytes_and_reports_compressed_progress(
    name: str, request: pytest.FixtureRequest
) -> None:
    path: Path = request.getfixturevalue(name)
    reported: list[int] = []
    with open_binary(path, compression_of(path), reported.append, buffer_size=4096) as reader:
        data = reader.read()
    assert data == CONTENT
    assert sum(reported) == path.stat().st_size
    assert len(reported) > 1  # progress moves while reading, not only at the end
    assert read_head(path, compression_of(path), 100) == CONTENT[:100]


@pytest.mark.parametrize("name", ["gz", "zst"])
def test_truncated_stream_raises_read_error(name: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(name)
    path.write_bytes(path.read_bytes()[:-200])
    kind = compression_of(path)
    with pytest.raises(ReadError, match=f"truncated {kind} stream") as info, \
            open_binary(path, kind) as reader:
        reader.read()
    assert info.value.source == str(path)


def test_concatenated_gzip_members_are_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "two.gz"
    path.write_bytes(gzip.compress(b"first\n") + gzip.compress(b"second\n"))
    with open_binary(path, "gzip") as reader:
        assert reader.read() == b"first\nsecond\n"


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        compression_of(tmp_path / "absent.csv")
