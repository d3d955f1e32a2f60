"""Delimited text: CSV, TSV, pipe- and semicolon-separated files, plain or compressed.

The delimiter and the presence of a header are sniffed from the first 64 KiB; a file without a
header gets ``column_1`` .. ``column_n``. Every column is read as a string, so card numbers and
zip codes keep their leading zeros; empty cells are null.

The engine's frames of a plain file come from Polars' parser (:meth:`CsvSource.frames`, about
40 % less CPU than Arrow's on the bench file); Arrow's streaming reader serves compressed files,
record batches, and every frame Polars cannot read exactly (see ``docs/sources.md``). Arrow
reads cells as UTF-8; a block that is not is read again as bytes, and a column that holds
invalid UTF-8 is decoded cell by cell (UTF-8, else Windows-1252) instead of failing.
"""

from __future__ import annotations

import csv as stdcsv
import io
import re
from collections import Counter
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from databorder.errors import InputError, ReadError

from .base import BATCH_ROWS, FileReader, ProgressFn, TableSource
from .compression import (
    HEAD_BYTES,
    decompression_error,
    format_suffix,
    open_arrow_stream,
    open_binary,
    read_head,
)

DELIMITERS = (",", "\t", ";", "|")
SUFFIX_DELIMITERS = {".csv": ",", ".tsv": "\t", ".tab": "\t", ".psv": "|"}
BLOCK_BYTES = 8 << 20
"""Arrow parses in blocks of this size; a single row must fit in one block. Larger blocks
(about :data:`BATCH_ROWS` rows of a wide file, 21 MiB here) saved CPU but made the peak
memory grow with the file (docs/performance.md)."""
SNIFF_RECORDS = 200
_DATA_LIKE = re.compile(r"[\d\s.,:;/+\-()$€£%#]+")


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    has_header: bool
    columns: tuple[str, ...]


def _records(text: str, delimiter: str, complete: bool) -> list[list[str]]:
    reader = stdcsv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for record in reader:
            if record:
                records.append(record)
            if len(records) > SNIFF_RECORDS:
                break
    except stdcsv.Error:
        pass
    if not complete and len(records) <= SNIFF_RECORDS and records:
        records.pop()  # the head may have cut the last record short
    return records[:SNIFF_RECORDS]


def _consistency(records: list[list[str]]) -> tuple[float, int]:
    """Share of records with the most common field count, and that count."""
    if not records:
        return 0.0, 0
    count, freq = Counter(len(r) for r in records).most_common(1)[0]
    return freq / len(records), count


def sniff_delimiter(
    text: str, complete: bool, preferred: str | None = None, strict: bool = True
) -> tuple[str, list[list[str]]] | None:
    """The delimiter giving the most consistent field count (at least two fields per row).

    ``strict`` (used to recognise a file without a known suffix) also asks for two records,
    90 % of them with the same field count, and three fields unless split by tab or pipe.
    """
    candidates = ([preferred] if preferred else []) + [d for d in DELIMITERS if d != preferred]
    best: tuple[float, int, str, list[list[str]]] | None = None
    for delimiter in candidates:
        records = _records(text, delimiter, complete)
        share, count = _consistency(records)
        if count < 2 or (strict and (len(records) < 2 or share < 0.9)):
            continue
        if strict and count == 2 and delimiter in ",;":
            continue  # ``10:22:13,123 INFO ...``: log lines, not a two-column table
        if best is None or share > best[0] + 0.05:
            best = (share, count, delimiter, records)
    return (best[2], best[3]) if best else None


def looks_like_header(first: list[str]) -> bool:
    """A header has distinct, non-empty, short names that do not look like numbers or emails."""
    names = [f.strip() for f in first]
    if any(not n or len(n) > 64 or "@" in n or _DATA_LIKE.fullmatch(n) for n in names):
        return False
    return len(set(names)) == len(names)


def column_names(first: list[str], has_header: bool, width: int) -> tuple[str, ...]:
    if not has_header:
        return tuple(f"column_{i}" for i in range(1, width + 1))
    names: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(first, start=1):
        name = raw.strip() or f"column_{i}"
        base, n = name, 2
        while name in seen:
            name, n = f"{base}_{n}", n + 1
        seen.add(name)
        names.append(name)
    return tuple(names)


def decode_head(head: bytes) -> str:
    return head.decode("utf-8", errors="replace").removeprefix("\ufeff")


def sniff_dialect(head: bytes, preferred: str | None, strict: bool) -> Dialect | None:
    complete = len(head) < HEAD_BYTES
    found = sniff_delimiter(decode_head(head), complete, preferred, strict)
    if found is None:
        return None
    delimiter, records = found
    first = records[0]
    has_header = looks_like_header(first)
    return Dialect(delimiter, has_header, column_names(first, has_header, len(first)))


class CsvReader(FileReader):
    """Comma, tab, semicolon and pipe separated text, with or without a header."""

    name: ClassVar[str] = "csv"
    suffixes: ClassVar[tuple[str, ...]] = (".csv", ".tsv", ".tab", ".psv")
    sniff_order: ClassVar[int] = 60

    def sniff(self, head: bytes) -> bool:
        return sniff_dialect(head, None, strict=True) is not None

    def open(self, path: Path, compression: str | None) -> Iterator[TableSource]:
        head = read_head(path, compression)
        preferred = SUFFIX_DELIMITERS.get(format_suffix(path))
        dialect = sniff_dialect(head, preferred, strict=False)
        if dialect is None:
            first = decode_head(head).partition("\n")[0].rstrip("\r")
            if not first:
                raise ReadError(str(path), "no rows")
            # one column: every line is a record
            dialect = Dialect(preferred or ",", looks_like_header([first]),
                              column_names([first], looks_like_header([first]), 1))
        yield CsvSource(path, compression, dialect)


class CsvSource(TableSource):
    def __init__(self, path: Path, compression: str | None, dialect: Dialect,
                 block_bytes: int = BLOCK_BYTES) -> None:
        self.path = path
        self.block_bytes = block_bytes
        self.source = str(path)
        self.compression = compression
        self.dialect = dialect
        self.size_bytes = path.stat().st_size

    @property
    def columns(self) -> tuple[str, ...]:
        return self.dialect.columns

    def sample(self, rows: int) -> pa.Table:
        collected: list[pa.RecordBatch] = []
        count = 0
        for batch in self._read(list(self.columns), _HighWaterProgress(None), 1 << 20):
            collected.append(batch.slice(0, rows - count))
            count += collected[-1].num_rows
            if count >= rows:
                break
        schema = pa.schema([(c, pa.string()) for c in self.columns])
        return pa.Table.from_batches(collected, schema=schema)

    def batches(
        self, columns: Sequence[str] | None = None, progress: ProgressFn | None = None
    ) -> Iterator[pa.RecordBatch]:
        return self._read(self._wanted(columns), _HighWaterProgress(progress), self.block_bytes)

    def frames(
        self, columns: Sequence[str] | None = None, progress: ProgressFn | None = None,
        rows: int = BATCH_ROWS,
    ) -> Iterator[pl.DataFrame]:
        """Polars' parser for a plain file (about 40 % less CPU than Arrow's, in frames of
        ``rows`` rows); Arrow's for compressed files and streams, and from the first frame
        Polars cannot read exactly: Arrow then reads on from the first row not yet given.

        Polars fills the fields missing from a short row and reads a blank line as a row of
        empty fields; Arrow reports the first and skips the second. Both leave the last
        field empty, so a frame with an empty last field is left to Arrow, as is any error
        (a long row, invalid UTF-8)."""
        wanted = self._wanted(columns)
        reporter = _HighWaterProgress(progress)
        given = 0
        if self.compression is None and self.path.is_file():
            parsed = self._polars_frames(wanted, reporter, rows)
            while True:
                try:
                    frame = next(parsed)
                except StopIteration:
                    return
                except (pl.exceptions.PolarsError, OSError, _ArrowMustReadError):
                    break
                given += frame.height
                yield frame
            parsed.close()
            reporter.restart()
        for batch in self._read(wanted, reporter, self.block_bytes, skip=given):
            yield pl.DataFrame(pl.from_arrow(batch))

    def _wanted(self, columns: Sequence[str] | None) -> list[str]:
        wanted = list(columns) if columns is not None else list(self.columns)
        missing = [c for c in wanted if c not in self.columns]
        if missing:
            raise InputError(self.source, f"no column {missing[0]!r}")
        return wanted

    def _polars_frames(self, wanted: list[str], progress: ProgressFn, rows: int
                       ) -> Generator[pl.DataFrame, None, None]:
        """Frames of the ``wanted`` columns, empty cells null; raises :class:`_ArrowMustReadError`
        at a frame with an empty last field. Progress is estimated from the bytes per line
        of the file's head (Polars does not tell its position)."""
        last = pl.col(self.columns[-1])
        flag = max(self.columns, key=len) + "_last_empty"  # longer than any column's name
        query = pl.scan_csv(
            self.path, has_header=self.dialect.has_header, separator=self.dialect.delimiter,
            schema={c: pl.String for c in self.columns}, empty_string_is_null=False,
            raise_if_empty=False, glob=False,  # a file name may hold ``[`` or ``*``
        ).select(*(pl.when(pl.col(c).str.len_bytes() > 0).then(pl.col(c)).alias(c)
                   for c in wanted),
                 (last.str.len_bytes() == 0).alias(flag))
        size = self.size_bytes or 0
        per_row = _bytes_per_line(self.path)
        reported = read = 0
        for frame in query.collect_batches(chunk_size=rows):
            if frame[flag].any():
                raise _ArrowMustReadError
            read += frame.height
            estimate = min(size, round(read * per_row))
            progress(estimate - reported)
            reported = estimate
            if frame.height:
                yield frame.drop(flag)
        progress(size - reported)

    def _read(
        self, wanted: list[str], reporter: _HighWaterProgress, block_bytes: int, skip: int = 0,
    ) -> Iterator[pa.RecordBatch]:
        """Batches of strings from the row ``skip`` on: read as UTF-8 (Arrow validates while
        converting, cheaper than a cast of bytes); past a block that is not valid UTF-8, read
        again as bytes, decoded column by column, from the first row not yet given."""
        given = skip
        try:
            for batch in _after(self._parse(wanted, reporter, block_bytes, pa.string()), skip):
                given += batch.num_rows
                yield batch
            return
        except _NotUtf8Error:
            reporter.restart()
        yield from _after(self._parse(wanted, reporter, block_bytes, pa.binary()), given)

    def _parse(
        self, wanted: list[str], progress: ProgressFn, block_bytes: int, cell_type: pa.DataType,
    ) -> Iterator[pa.RecordBatch]:
        read_options = pacsv.ReadOptions(
            column_names=list(self.columns), skip_rows=1 if self.dialect.has_header else 0,
            block_size=block_bytes,
        )
        parse_options = pacsv.ParseOptions(
            delimiter=self.dialect.delimiter, newlines_in_values=True,
        )
        convert_options = pacsv.ConvertOptions(
            include_columns=wanted, column_types={c: cell_type for c in self.columns},
            null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True,
        )
        with open_arrow_stream(self.path, self.compression, progress) as (stream, reporter):
            try:
                reader = pacsv.open_csv(stream, read_options, parse_options, convert_options)
                for batch in reader:
                    decoded = batch if cell_type == pa.string() else _decode_batch(batch)
                    # in near-equal parts: no short remainder batch
                    parts = -(-decoded.num_rows // BATCH_ROWS)
                    step = -(-decoded.num_rows // parts) if parts else 0
                    for start in range(0, decoded.num_rows, step or 1):
                        yield decoded.slice(start, step)
                    reporter.report()
            except pa.ArrowInvalid as exc:
                if cell_type == pa.string() and _INVALID_UTF8 in str(exc):
                    raise _NotUtf8Error from exc
                raise self._parse_error(exc, block_bytes) from exc
            except OSError as exc:
                raise decompression_error(self.source, self.compression, exc) from exc
            reporter.report()

    def _parse_error(self, exc: pa.ArrowInvalid, block_bytes: int) -> ReadError:
        message = str(exc)
        if "straddling" in message:
            return ReadError(self.source, f"a row is longer than {block_bytes >> 20} MiB")
        if "Expected" in message and "columns" in message:
            line, found = self._locate_bad_row()
            return ReadError(self.source, f"expected {len(self.columns)} fields, found {found}",
                             line=line)
        if "empty" in message.lower():
            return ReadError(self.source, "no rows")
        return ReadError(self.source, "malformed CSV")

    def _locate_bad_row(self) -> tuple[int | None, int | None]:
        """Find the first row with the wrong field count again, in Python, for its line number.

        Arrow's streaming reader does not report row numbers; this slow pass runs only once an
        error is certain.
        """
        expected = len(self.columns)
        try:
            with open_binary(self.path, self.compression) as binary:
                text = io.TextIOWrapper(binary, encoding="utf-8", errors="replace", newline="")
                reader = stdcsv.reader(text, delimiter=self.dialect.delimiter)
                for record in reader:
                    if record and len(record) != expected:
                        return reader.line_num, len(record)
        except (stdcsv.Error, InputError):
            pass
        return None, None


_INVALID_UTF8 = "invalid UTF8"
"""In Arrow's message when a cell read as a string is not UTF-8."""


class _NotUtf8Error(Exception):
    """A block holds a cell that is not UTF-8: the read goes on as bytes."""


class _ArrowMustReadError(Exception):
    """Polars' frame may hide a short row or a blank line: Arrow reads on."""


def _after(batches: Iterator[pa.RecordBatch], skip: int) -> Iterator[pa.RecordBatch]:
    """``batches`` without their first ``skip`` rows."""
    for batch in batches:
        if skip >= batch.num_rows:
            skip -= batch.num_rows
            continue
        yield batch.slice(skip) if skip else batch
        skip = 0


def _bytes_per_line(path: Path) -> float:
    """Average length of the lines of the file's head (the whole file if shorter)."""
    head = read_head(path, None)
    return len(head) / max(1, head.count(b"\n"))


class _HighWaterProgress:
    """Reports bytes once: a second pass over the file reports only what the first did not."""

    def __init__(self, progress: ProgressFn | None) -> None:
        self._progress = progress
        self._reported = 0
        self._position = 0

    def __call__(self, consumed: int) -> None:
        self._position += consumed
        if self._progress is not None and self._position > self._reported:
            self._progress(self._position - self._reported)
            self._reported = self._position

    def restart(self) -> None:
        self._position = 0


def _decode_cell(value: bytes | None) -> str | None:
    """UTF-8, else Windows-1252 (a superset of printable Latin-1), as text files are read."""
    if value is None:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("cp1252", errors="replace")


def _decode_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Binary cells to strings: a vectorised validating cast, else cell by cell."""
    arrays = []
    for column in batch.columns:
        try:
            arrays.append(column.cast(pa.string()))
        except pa.ArrowInvalid:
            arrays.append(pa.array([_decode_cell(v) for v in column.to_pylist()],
                                   type=pa.string()))
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)
