"""Opens a scan target (a file, a directory or a database URL) into table sources.

A file's reader is chosen by its suffix once ``.gz`` / ``.zst`` is removed; failing that, by
sniffing the first 64 KiB of decompressed content, readers asked in ``sniff_order`` (specific
formats such as SQLite, Parquet and VCF before CSV, CSV before plain text). Files that no reader
takes (images, archives, other binaries) and empty files come back as :class:`Skipped`.

Readers are found automatically: every concrete :class:`FileReader` subclass defined in a
module of this package.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

from databorder.discovery import concrete_subclasses
from databorder.errors import InputError

from .base import FileReader, TableSource
from .compression import COMPRESSION_SUFFIXES, compression_of, format_suffix, read_head
from .text import looks_like_text

_NOT_READER_MODULES = {"base", "open", "compression", "sql"}

BINARY_MAGIC: dict[bytes, str] = {
    b"\x89PNG\r\n\x1a\n": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF87a": "GIF image",
    b"GIF89a": "GIF image",
    b"%PDF-": "PDF document",
    b"PK\x03\x04": "ZIP archive",
    b"PK\x05\x06": "ZIP archive",
    b"7z\xbc\xaf\x27\x1c": "7-Zip archive",
    b"Rar!\x1a\x07": "RAR archive",
    b"BZh": "bzip2 stream",
    b"\xfd7zXZ\x00": "xz stream",
    b"\x7fELF": "ELF executable",
    b"MZ": "Windows executable",
    b"ARROW1": "Arrow IPC file",
    b"ORC": "ORC file",
    b"Obj\x01": "Avro file",
}


@dataclass(frozen=True)
class Skipped:
    """A file that was not scanned, and why.

    A note for the report (an image, an empty file), or with ``error`` set, a file inside a
    scanned directory that could not be opened: the walk goes on and the caller reports it,
    and ``reason`` is then the error's whole one-line message (file, and line where known).
    """

    source: str
    reason: str
    error: bool = False


@cache
def file_readers() -> tuple[FileReader, ...]:
    """One instance of every reader, in sniffing order."""
    package = __package__ or "databorder.sources"
    classes = concrete_subclasses(package, FileReader, _NOT_READER_MODULES)
    found: list[FileReader] = [cls() for cls in classes]
    return tuple(sorted(found, key=lambda r: (r.sniff_order,
                                              r.name)))


def reader_for_suffix(suffix: str) -> FileReader | None:
    for reader in file_readers():
        if suffix in reader.suffixes:
            return reader
    return None


def binary_kind(head: bytes) -> str | None:
    for magic, kind in BINARY_MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def open_file(path: Path) -> Iterator[TableSource | Skipped]:
    """The table sources of one file, or why it is skipped."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(str(path), "cannot be read") from exc
    if not os.access(path, os.R_OK):
        raise InputError(str(path), "permission denied")
    if size == 0:
        yield Skipped(str(path), "empty file")
        return
    compression = compression_of(path)
    head = read_head(path, compression)
    if not head.strip():
        yield Skipped(str(path), "empty file" if not head else "only whitespace")
        return
    claimed = COMPRESSION_SUFFIXES.get(path.suffix.lower())
    if claimed and compression is None and not _readable_uncompressed(head):
        raise InputError(str(path), f"named {path.suffix} but not a {claimed} stream")
    reader = reader_for_suffix(format_suffix(path))
    if reader is None:
        kind = binary_kind(head)
        if kind is not None:
            yield Skipped(str(path), f"binary file ({kind})")
            return
        reader = next((r for r in file_readers() if r.sniff(head)), None)
    if reader is None:
        yield Skipped(str(path), "binary file of unknown format")
        return
    yield from reader.open(path, compression)


def _readable_uncompressed(head: bytes) -> bool:
    """A file named as compressed but not compressed is still read when its head is text, a
    Parquet file or a SQLite database; other bytes are a broken or mislabelled stream."""
    return looks_like_text(head) or any(
        r.sniff(head) for r in file_readers() if r.name in ("parquet", "sqlite"))


def walk(directory: Path) -> Iterator[Path]:
    """Files under ``directory``, sorted, skipping hidden directories such as ``.git``."""
    def fail(exc: OSError) -> None:
        raise InputError(exc.filename or str(directory), "cannot be listed") from exc

    for root, dirs, files in os.walk(directory, onerror=fail):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if path.is_file():
                yield path


def _selected(source: TableSource | Skipped, tables: Sequence[str]) -> bool:
    if not tables:
        return True
    from .sql import SqlTableSource

    if not isinstance(source, SqlTableSource):
        return True
    return any(fnmatchcase(source.name, p) or fnmatchcase(source.table or "", p)
               for p in tables)


def open_target(target: str, tables: Sequence[str] = ()) -> Iterator[TableSource | Skipped]:
    """Table sources of a database URL, a directory (recursively) or a file.

    ``tables`` (names or globs) selects database tables, in a URL or in SQLite files; it has no
    effect on other files. A missing or unreadable target raises :class:`InputError`.
    """
    if "://" in target:
        from .sql import open_database

        yield from open_database(target, tables)
        return
    path = Path(target)
    if not path.exists():
        raise InputError(target, "no such file or directory")
    if not path.is_dir():
        yield from (s for s in open_file(path) if _selected(s, tables))
        return
    if not os.access(path, os.R_OK | os.X_OK):
        raise InputError(target, "permission denied")
    for file in walk(path):
        try:
            opened = list(open_file(file))
        except InputError as exc:
            yield Skipped(exc.source, str(exc), error=True)
            continue
        yield from (s for s in opened if _selected(s, tables))
