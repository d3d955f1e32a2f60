"""Free text: plain text, Markdown and log files, and VCF genomic variant files.

A text source yields the columns ``line`` (int64, 1-based) and ``text``. Each line is decoded
as UTF-8, or as Latin-1 when it is not valid UTF-8 (Latin-1 maps every byte, so nothing is
lost). A line longer than :data:`MAX_LINE_BYTES` is never held whole: it comes in pieces of at
most 1 MiB, each a row with the line's number, cut after a space or tab where one is near the
limit (so that values are not split), and its number is kept in ``TextSource.long_lines``.

VCF files (``.vcf`` or a head starting ``##fileformat=VCF``) are read as text too, but their
source has ``table == "vcf"`` so that a report can flag genomic data as such.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar

import numpy as np
import pyarrow as pa

from databorder.errors import InputError, ReadError

from .base import BATCH_ROWS, TEXT_COLUMNS, FileReader, ProgressFn, TableSource
from .compression import open_binary

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 1 << 20
BATCH_TEXT_BYTES = 32 << 20
"""A batch also ends once it holds this much text, so long lines keep memory bounded."""
_CONTROL = bytes(c for c in range(32) if chr(c) not in "\t\n\r\f\v\x1b")
SCHEMA = pa.schema([("line", pa.int64()), ("text", pa.string())])


def looks_like_text(head: bytes) -> bool:
    """No NUL byte, and valid UTF-8 (the head may cut a character) or mostly printable."""
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return True
    controls = sum(head.count(c) for c in _CONTROL)
    return controls <= len(head) // 100


def decode_line(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class TextReader(FileReader):
    """Plain text and logs, read line by line."""

    name: ClassVar[str] = "text"
    suffixes: ClassVar[tuple[str, ...]] = (".txt", ".text", ".log", ".md", ".rst", ".out")
    sniff_order: ClassVar[int] = 90
    table: ClassVar[str | None] = None

    def sniff(self, head: bytes) -> bool:
        return looks_like_text(head)

    def open(self, path: Path, compression: str | None) -> Iterator[TableSource]:
        yield TextSource(path, compression, self.table)


class VcfReader(TextReader):
    """Variant Call Format files: genomic data, read as text and named table ``vcf``."""

    name: ClassVar[str] = "vcf"
    suffixes: ClassVar[tuple[str, ...]] = (".vcf",)
    sniff_order: ClassVar[int] = 10
    table: ClassVar[str | None] = "vcf"

    def sniff(self, head: bytes) -> bool:
        return head.removeprefix(b"\xef\xbb\xbf").startswith(b"##fileformat=VCF")


class TextSource(TableSource):
    is_text = True

    def __init__(self, path: Path, compression: str | None, table: str | None = None) -> None:
        self.path = path
        self.source = str(path)
        self.table = table
        self.compression = compression
        self.size_bytes = path.stat().st_size
        self.long_lines: list[int] = []
        """Lines longer than :data:`MAX_LINE_BYTES`, read in pieces (one row each)."""

    def sample(self, rows: int) -> pa.Table:
        collected: list[pa.RecordBatch] = []
        count = 0
        for batch in self._read(TEXT_COLUMNS, None, max_rows=rows):
            collected.append(batch)
            count += batch.num_rows
        return pa.Table.from_batches(collected, schema=SCHEMA)

    def batches(
        self, columns: Sequence[str] | None = None, progress: ProgressFn | None = None
    ) -> Iterator[pa.RecordBatch]:
        wanted = tuple(columns) if columns is not None else TEXT_COLUMNS
        unknown = [c for c in wanted if c not in TEXT_COLUMNS]
        if unknown:
            raise InputError(self.source, f"no column {unknown[0]!r}")
        return self._read(wanted, progress)

    def _read(
        self, columns: Sequence[str], progress: ProgressFn | None, max_rows: int | None = None,
    ) -> Iterator[pa.RecordBatch]:
        numbers: list[int] = []
        texts: list[str] = []
        text_bytes = 0
        line_no = rows = 0
        with open_binary(self.path, self.compression, progress) as reader:
            blocks = line_blocks(reader)
            while max_rows is None or rows < max_rows:
                try:
                    block = next(blocks)
                except StopIteration:
                    break
                except ReadError as exc:
                    raise ReadError(self.source, exc.reason, line=line_no + 1) from exc
                if block.starts is None:
                    numbers.extend(range(line_no + 1, line_no + 1 + len(block.texts)))
                    line_no += len(block.texts)
                else:
                    for starts_line in block.starts:
                        if starts_line:
                            line_no += 1
                        elif not self.long_lines or self.long_lines[-1] != line_no:
                            self.long_lines.append(line_no)
                            log.info("%s:%d: line longer than %d bytes, read in pieces",
                                     self.source, line_no, MAX_LINE_BYTES)
                        numbers.append(line_no)
                texts.extend(block.texts)
                text_bytes += block.size
                rows += len(block.texts)
                if max_rows is not None and rows > max_rows:
                    del numbers[max_rows - rows:], texts[max_rows - rows:]
                    rows = max_rows
                while len(texts) >= BATCH_ROWS:
                    yield _batch(numbers[:BATCH_ROWS], texts[:BATCH_ROWS], columns)
                    del numbers[:BATCH_ROWS], texts[:BATCH_ROWS]
                    text_bytes = sum(map(len, texts))
                if text_bytes >= BATCH_TEXT_BYTES:
                    yield _batch(numbers, texts, columns)
                    numbers, texts, text_bytes = [], [], 0
        if texts:
            yield _batch(numbers, texts, columns)


READ_BLOCK_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class LineBlock:
    """Decoded lines (and pieces of long lines) read at once."""

    texts: list[str]
    starts: list[bool] | None
    """Per text, whether it starts a line; None when every one does."""
    size: int
    """Bytes read for them."""


def line_blocks(reader: BinaryIO) -> Iterator[LineBlock]:
    """The lines of ``reader`` without their line breaks, a block of complete lines at a
    time (one ``str.split`` for a block of valid UTF-8, instead of a Python step per line); a
    line longer than :data:`MAX_LINE_BYTES` comes in pieces as :func:`line_pieces` cuts them,
    never held whole."""
    carry = b""
    continuing = False
    while True:
        chunk = reader.read(READ_BLOCK_BYTES)
        data = carry + chunk
        if not chunk:
            if data:
                yield _decoded(data + b"\n", continuing)
            return
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            while len(data) > MAX_LINE_BYTES:
                end = piece_end(data, MAX_LINE_BYTES)
                yield LineBlock([decode_line(data[:end])], [not continuing], end)
                data, continuing = data[end:], True
            carry = data
            continue
        carry = data[cut:]
        yield _decoded(data[:cut], continuing)
        continuing = False


def _decoded(block: bytes, continuing: bool) -> LineBlock:
    """The lines of ``block``, complete lines each ending in ``\\n``; the first continues a
    long line when ``continuing``. Blocks of valid UTF-8 without a long line are split at
    once; others go line by line, each line UTF-8 or else Latin-1."""
    if not continuing and _lines_fit(block):
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            lines = text.split("\n")[:-1]
            if "\r" in text:
                lines = [line.rstrip("\r") for line in lines]
            return LineBlock(lines, None, len(block))
    pieces = list(line_pieces(io.BytesIO(block)))
    starts = [starts_line for _, starts_line in pieces]
    if continuing and starts:
        starts[0] = False
    return LineBlock([decode_line(raw) for raw, _ in pieces], starts, len(block))


def _lines_fit(block: bytes) -> bool:
    """No line of ``block`` (complete lines) is longer than :data:`MAX_LINE_BYTES`."""
    breaks = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 0x0A)
    return int(np.diff(breaks, prepend=-1).max(initial=0)) - 1 <= MAX_LINE_BYTES


def line_pieces(reader: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """Each line without its line break, and whether it starts a line: a line longer than
    :data:`MAX_LINE_BYTES` comes in pieces of at most that many bytes (:func:`piece_end`),
    never held whole."""
    carry = b""
    starts_line = True
    while True:
        raw = carry + reader.readline(MAX_LINE_BYTES + 1 - len(carry))
        carry = b""
        if not raw:
            return
        if len(raw) <= MAX_LINE_BYTES or raw.endswith(b"\n"):
            text = raw.rstrip(b"\r\n")
            if text or starts_line:
                yield text, starts_line
            starts_line = True
            continue
        cut = piece_end(raw, MAX_LINE_BYTES)
        carry = raw[cut:]
        yield raw[:cut], starts_line
        starts_line = False


PIECE_SEARCH_BYTES = 4096
"""How far back from a piece's limit a space or tab is looked for to end it."""


def piece_end(raw: bytes, limit: int) -> int:
    """Where to end a piece of the longer ``raw``: after the last space or tab of its final
    4 KiB, so that a value is not cut in two, or else at ``limit`` moved back off UTF-8
    continuation bytes, so that no character is."""
    start = limit - PIECE_SEARCH_BYTES
    space = max(raw.rfind(b" ", start, limit), raw.rfind(b"\t", start, limit))
    if space >= 0:
        return space + 1
    cut = limit
    while cut > limit - 3 and raw[cut] & 0xC0 == 0x80:
        cut -= 1
    return cut


def _batch(numbers: list[int], texts: list[str], columns: Sequence[str]) -> pa.RecordBatch:
    arrays = {"line": pa.array(numbers, pa.int64()), "text": pa.array(texts, pa.string())}
    return pa.RecordBatch.from_arrays([arrays[c] for c in columns], names=list(columns))
