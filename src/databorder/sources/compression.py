"""Transparent gzip and zstd decompression with progress counted in compressed bytes.

Compression is recognised by magic bytes first, then by the ``.gz`` / ``.zst`` suffix. The
decompression itself is Arrow's (``pa.CompressedInputStream``): it releases the GIL, handles
concatenated gzip members and zstd frames, and, unlike the ``zstandard`` stream reader, notices a
truncated stream. Its errors are turned into :class:`ReadError` here, so a reader never shows
an Arrow or zlib message to the user.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, cast

import pyarrow as pa

from databorder.errors import InputError, ReadError

from .base import ProgressFn

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
COMPRESSION_SUFFIXES = {".gz": "gzip", ".gzip": "gzip", ".zst": "zstd", ".zstd": "zstd"}
HEAD_BYTES = 64 * 1024


def compression_of(path: Path) -> str | None:
    """``gzip``, ``zstd`` or None, by the file's first bytes (the suffix only breaks no tie)."""
    with open_raw(path) as raw:
        magic = raw.read(4)
    if magic.startswith(GZIP_MAGIC):
        return "gzip"
    if magic.startswith(ZSTD_MAGIC):
        return "zstd"
    return None


def strip_compression_suffix(path: Path) -> Path:
    """``a.csv.gz`` -> ``a.csv``; other paths unchanged."""
    if path.suffix.lower() in COMPRESSION_SUFFIXES:
        return path.with_suffix("")
    return path


def format_suffix(path: Path) -> str:
    """The lower-case format suffix once any compression suffix is removed (``.csv``)."""
    return strip_compression_suffix(path).suffix.lower()


def open_raw(path: Path) -> pa.NativeFile:
    """Open a file for reading, turning OS errors into :class:`InputError`."""
    try:
        return pa.OSFile(str(path), "rb")
    except FileNotFoundError as exc:
        raise InputError(str(path), "no such file") from exc
    except PermissionError as exc:
        raise InputError(str(path), "permission denied") from exc
    except OSError as exc:
        raise InputError(str(path), _first_line(exc)) from exc


class ByteProgress:
    """Reports input bytes consumed (compressed bytes for compressed files) as deltas."""

    def __init__(self, raw: pa.NativeFile, progress: ProgressFn | None) -> None:
        self._raw = raw
        self._progress = progress
        self._reported = 0

    def report(self) -> None:
        if self._progress is None or self._raw.closed:
            return
        position = self._raw.tell()
        if position > self._reported:
            self._progress(position - self._reported)
            self._reported = position


def decompression_error(source: str, compression: str | None, exc: Exception) -> ReadError:
    """The :class:`ReadError` for an error Arrow raised while decompressing."""
    kind = compression or "input"
    if "truncated" in str(exc).lower():
        return ReadError(source, f"truncated {kind} stream")
    return ReadError(source, f"corrupt {kind} stream")


@contextmanager
def open_arrow_stream(
    path: Path, compression: str | None, progress: ProgressFn | None = None
) -> Iterator[tuple[pa.NativeFile, ByteProgress]]:
    """An Arrow input stream over the decompressed bytes, and its progress reporter.

    Call ``reporter.report()`` whenever convenient (after each batch); it reads the position in
    the raw file, so the reported bytes add up to the file size once the stream is exhausted.
    """
    raw = open_raw(path)
    try:
        stream = pa.CompressedInputStream(raw, compression) if compression else raw
        yield stream, ByteProgress(raw, progress)
    finally:
        raw.close()


class DecompressedReader(io.RawIOBase):
    """A Python binary stream over an Arrow input stream; errors become :class:`ReadError`."""

    def __init__(
        self, source: str, stream: pa.NativeFile, compression: str | None,
        reporter: ByteProgress,
    ) -> None:
        self._source = source
        self._stream = stream
        self._compression = compression
        self._reporter = reporter

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            data = self._stream.read(len(buffer))
        except OSError as exc:
            raise decompression_error(self._source, self._compression, exc) from exc
        buffer[: len(data)] = data
        self._reporter.report()
        return len(data)


@contextmanager
def open_binary(
    path: Path, compression: str | None, progress: ProgressFn | None = None,
    buffer_size: int = 1 << 20,
) -> Iterator[BinaryIO]:
    """A buffered Python binary reader over the decompressed content of ``path``."""
    with open_arrow_stream(path, compression, progress) as (stream, reporter):
        raw = DecompressedReader(str(path), stream, compression, reporter)
        with io.BufferedReader(raw, buffer_size) as reader:
            yield cast(BinaryIO, reader)


def read_head(path: Path, compression: str | None, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` decompressed bytes; a stream truncated past its start gives fewer."""
    with open_arrow_stream(path, compression) as (stream, _):
        chunks: list[bytes] = []
        remaining = size
        try:
            while remaining > 0:
                chunk = stream.read(remaining)
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
        except OSError as exc:
            if not chunks:  # nothing decompressed at all: say so now, not "empty file"
                raise decompression_error(str(path), compression, exc) from exc
            # else the full read raises the ReadError with its position
        return b"".join(chunks)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
