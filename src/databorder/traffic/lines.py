"""Numbered lines of a (possibly compressed) log, each bounded in length.

A log with a 2 GB line (a corrupt or concatenated binary file) must not take 2 GB of memory:
lines are read with a limit and a longer one raises :class:`ReadError` with its line number.
A truncated or corrupt gzip/zstd stream raises :class:`ReadError` naming the line it cut.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from databorder.errors import ReadError
from databorder.sources.base import ProgressFn
from databorder.sources.compression import open_binary

MAX_LINE_BYTES = 1 << 20
"""The longest line a traffic reader accepts (1 MiB); real log lines are far shorter."""


def numbered_lines(
    path: Path, compression: str | None, progress: ProgressFn | None = None,
    max_line: int = MAX_LINE_BYTES,
) -> Iterator[tuple[int, bytes]]:
    """``(line number, line without its end of line)`` for every line of ``path``."""
    number = 0
    with open_binary(path, compression, progress) as reader:
        while True:
            try:
                line = reader.readline(max_line + 1)
            except ReadError as exc:
                raise ReadError(str(path), f"{exc.reason} (cut at this line)",
                                line=number + 1) from exc
            if not line:
                return
            number += 1
            if len(line) > max_line and not line.endswith(b"\n"):
                raise ReadError(str(path), f"line longer than {_size(max_line)}", line=number)
            yield number, line.rstrip(b"\r\n")


def decode(line: bytes) -> str:
    """UTF-8, else Windows-1252, as the text readers of data at rest do."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def first_lines(head: bytes, count: int = 5) -> list[str]:
    """The first complete, non-blank lines of a head, decoded."""
    lines = decode(head).removeprefix("\ufeff").splitlines()
    if len(lines) > 1 and not head.endswith(b"\n"):
        lines.pop()  # cut short by the head size
    return [line for line in lines if line.strip()][:count]


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit} bytes"


def line_blocks(
    path: Path, compression: str | None, progress: ProgressFn | None = None,
    block_bytes: int = 4 << 20, max_line: int = MAX_LINE_BYTES,
) -> Iterator[tuple[int, bytes]]:
    """``(number of its first line, block)``: whole lines joined by ``\\n``, no final newline.

    The fast path for formats parsed by Arrow a block at a time; line lengths are still
    bounded by ``max_line`` and reported with their line number.
    """
    number = 1
    carry = b""
    with open_binary(path, compression, progress) as reader:
        while True:
            pieces: list[bytes] = []
            size = 0
            try:
                while size < block_bytes:
                    piece = reader.read(min(block_bytes - size, 1 << 16))
                    if not piece:
                        break
                    pieces.append(piece)
                    size += len(piece)
            except ReadError as exc:
                read = carry + b"".join(pieces)
                raise ReadError(str(path), f"{exc.reason} (cut at this line)",
                                line=number + read.count(b"\n")) from exc
            data = b"".join(pieces)
            if not data:
                if carry:
                    _check_lengths(path, number, carry, max_line)
                    yield number, carry.rstrip(b"\r")
                return
            data = carry + data
            cut = data.rfind(b"\n")
            if cut < 0:
                _check_lengths(path, number, data, max_line)
                carry = data
                continue
            block, carry = data[:cut], data[cut + 1:]
            _check_lengths(path, number, block, max_line)
            yield number, block
            number += block.count(b"\n") + 1


def _check_lengths(path: Path, first: int, block: bytes, max_line: int) -> None:
    if len(block) <= max_line:
        return
    ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(block)]))
    too_long = np.flatnonzero(stops - starts > max_line)
    if too_long.size:
        raise ReadError(str(path), f"line longer than {_size(max_line)}",
                        line=first + int(too_long[0]))
