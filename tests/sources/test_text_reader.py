from __future__ import annotations

import gzip
import io
import random
from pathlib import Path

import pytest
from source_helpers import only_source, read_all

from databorder.errors import ReadError
from databorder.sources import text as text_module
from databorder.sources.text import MAX_LINE_BYTES, TextSource, looks_like_text, piece_end


def text_source(path: Path) -> TextSource:
    source = only_source(path)
    assert isinstance(source, TextSource)
    return source


def test_log_file_lines(fixtures: Path) -> None:
    source = text_source(fixtures / "app.log")
    assert source.is_text and source.table is None
    result = read_all(source)
    assert result.table.column_names == ["line", "text"]
    assert result.table.column("line").to_pylist() == [1, 2, 3]
    assert result.table.column("text")[2].as_py().endswith("user=lena.k@example.com")
    assert result.progress == (fixtures / "app.log").stat().st_size
    assert read_all(source, ["text"]).table.column_names == ["text"]


def test_vcf_is_flagged_as_genomic(fixtures: Path, tmp_path: Path) -> None:
    source = text_source(fixtures / "sample.vcf")
    assert source.table == "vcf"
    assert source.label.endswith("sample.vcf#vcf")
    unsuffixed = tmp_path / "calls"
    unsuffixed.write_bytes((fixtures / "sample.vcf").read_bytes())
    assert text_source(unsuffixed).table == "vcf"  # sniffed, not taken for TSV


def test_huge_single_line_is_read_in_pieces_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "one_line.txt"
    with path.open("wb") as out:
        out.write(b"first\n")
        chunk = b"x" * (1 << 20)
        for _ in range(50):
            out.write(chunk)
        out.write(b"\nlast\n")
    source = text_source(path)
    result = read_all(source)
    texts = result.table.column("text").to_pylist()
    # no space to cut after: pieces of exactly MAX_LINE_BYTES
    assert [len(t) for t in texts] == [5] + [MAX_LINE_BYTES] * 50 + [4]
    assert result.table.column("line").to_pylist() == [1] + [2] * 50 + [3]
    assert source.long_lines == [2]
    assert result.progress == path.stat().st_size


def test_pieces_end_after_a_space_so_values_stay_whole(tmp_path: Path) -> None:
    words = [f"user{i}@example.com" for i in range(120_000)]
    line = " ".join(words)
    assert len(line) > 2 * MAX_LINE_BYTES
    path = tmp_path / "dump.log"
    path.write_text("head\n" + line + "\r\ntail\n", encoding="ascii")
    texts = read_all(text_source(path)).table.column("text").to_pylist()
    assert texts[0] == "head" and texts[-1] == "tail"
    pieces = texts[1:-1]
    assert len(pieces) == 3 and all(len(p) <= MAX_LINE_BYTES for p in pieces)
    assert "".join(pieces) == line
    assert [w for p in pieces for w in p.split()] == words


def test_piece_end_keeps_characters_whole() -> None:
    limit = 10_000
    raw = "é".encode() * limit  # two bytes each, no space: the cut must not halve one
    cut = piece_end(raw, limit)
    assert cut in (limit, limit - 1) and raw[:cut].decode() == "é" * (cut // 2)
    assert piece_end(b"a" * (limit - 10) + b" " + b"b" * 100, limit) == limit - 9


def test_latin1_lines_are_decoded(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes("Größe ok\n".encode() + b"Jos\xe9 M\xfcller\n")
    texts = read_all(text_source(path)).table.column("text").to_pylist()
    assert texts == ["Größe ok", "José Müller"]


def test_truncated_gzip_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "app.log.gz"
    lines = b"".join(b"%d request from 198.51.100.%d\n" % (i, i % 250) for i in range(100_000))
    path.write_bytes(gzip.compress(lines)[:-1000])
    with pytest.raises(ReadError, match="truncated gzip stream") as info:
        read_all(text_source(path))
    assert info.value.line is not None and info.value.line > 1
    assert str(path) in str(info.value)


def test_binary_is_not_text() -> None:
    assert not looks_like_text(b"\x00\x01\x02abc")
    assert looks_like_text("naïve café".encode()[:-1])  # a cut multi-byte character


@pytest.mark.parametrize("block", [7, 64, 1000])
def test_lines_read_by_blocks_equal_lines_read_one_by_one(
        block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """``line_blocks`` splits whole blocks at once; ``line_pieces``, the line-by-line
    reference, must give the same texts and line starts, long lines and odd bytes included."""
    monkeypatch.setattr(text_module, "MAX_LINE_BYTES", 100)
    monkeypatch.setattr(text_module, "PIECE_SEARCH_BYTES", 20)
    monkeypatch.setattr(text_module, "READ_BLOCK_BYTES", block)
    rng = random.Random(block)
    parts = [b"plain %d\n", "ünï %d\n".encode(), b"bad \xff %d\n", b"\n", b"cr %d\r\n",
             b"long " + b"word " * 40 + b"%d\n", b"x" * 250 + b"%d\n", "é".encode() * 80 + b"\n"]
    data = b"".join(rng.choice(parts).replace(b"%d", b"%d" % i) for i in range(3000)) + b"tail"
    reference = [(text_module.decode_line(raw), starts)
                 for raw, starts in text_module.line_pieces(io.BytesIO(data))]
    blocks = list(text_module.line_blocks(io.BytesIO(data)))
    by_blocks = [(text, True if b.starts is None else b.starts[i])
                 for b in blocks for i, text in enumerate(b.texts)]
    assert by_blocks == reference
    assert any(not starts for _, starts in reference)  # long lines came in pieces


def test_sample_takes_exactly_the_rows_asked(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    path.write_text("".join(f"line {i}\n" for i in range(100_000)), encoding="ascii")
    source = text_source(path)
    for rows in (1, 999, 70_000):
        sample = source.sample(rows)
        assert sample.num_rows == rows
        assert sample.column("line").to_pylist()[-1] == rows
