"""Numbered lines of a (possibly compressed) log, each bounded in length.

A log with a 2 GB line (a corrupt or concatenated binary file) must not take 2 GB of memory:
lines are read with a limit and a longer one raises :class:`ReadError` with its line number.
A truncated or corrupt gzip/zstd stream raises :class:`ReadError` naming the line it cut.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
