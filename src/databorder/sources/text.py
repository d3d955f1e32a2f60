"""Free text: plain text, Markdown and log files, and VCF genomic variant files.

A text source yields the columns ``line`` (int64, 1-based) and ``text``. Each line is decoded
as UTF-8, or as Latin-1 when it is not valid UTF-8 (Latin-1 maps every byte, so nothing is
lost). A line longer than :data:`MAX_LINE_BYTES` keeps only its first MiB; the rest is skipped
without being held in memory, and the line number is logged and kept in
``TextSource.truncated_lines``.

VCF files (``.vcf`` or a head starting ``##fileformat=VCF``) are read as text too, but their
source has ``table == "vcf"`` so that a report can flag genomic data as such.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, ClassVar

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
        self.truncated_lines: list[int] = []

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
        line_no = 0
        with open_binary(self.path, self.compression, progress) as reader:
            while max_rows is None or line_no < max_rows:
                try:
                    raw = self._next_line(reader, line_no + 1)
                except ReadError as exc:
                    raise ReadError(self.source, exc.reason, line=line_no + 1) from exc
                if raw is None:
                    break
                line_no += 1
                numbers.append(line_no)
                texts.append(decode_line(raw))
                text_bytes += len(raw)
                if len(texts) >= BATCH_ROWS or text_bytes >= BATCH_TEXT_BYTES:
                    yield _batch(numbers, texts, columns)
                    numbers, texts, text_bytes = [], [], 0
        if texts:
            yield _batch(numbers, texts, columns)

    def _next_line(self, reader: BinaryIO, line_no: int) -> bytes | None:
        raw = reader.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return None
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raw = raw[:MAX_LINE_BYTES]
            while True:  # skip the rest of the line a chunk at a time
                rest = reader.readline(MAX_LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            self.truncated_lines.append(line_no)
            log.warning("%s:%d: line longer than %d bytes, truncated", self.source, line_no,
                        MAX_LINE_BYTES)
        return raw.rstrip(b"\r\n")


def _batch(numbers: list[int], texts: list[str], columns: Sequence[str]) -> pa.RecordBatch:
    arrays = {"line": pa.array(numbers, pa.int64()), "text": pa.array(texts, pa.string())}
    return pa.RecordBatch.from_arrays([arrays[c] for c in columns], names=list(columns))
