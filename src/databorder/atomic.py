"""Result files: their common header, and writing them so that a crash never leaves a
half-written or clobbered file."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from databorder import __version__


def write_text_atomically(text: str, path: Path) -> None:
    """Write ``text`` to a temporary file beside ``path`` (mode 0600: results describe
    personal data), then rename it into place; an earlier file stays whole until then."""
    _write_atomically(path, lambda out: out.write(text))


def write_json_atomically(data: dict[str, Any], path: Path) -> None:
    """Write ``data`` as indented UTF-8 JSON, streamed (a large flows result is never held
    as one string), with the guarantees of :func:`write_text_atomically`."""

    def dump(out: TextIO) -> None:
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")

    _write_atomically(path, dump)


def _write_atomically(path: Path, write: Callable[[TextIO], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            write(out)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def result_header(schema: str, started_at: datetime,
                  finished_at: datetime | None) -> dict[str, Any]:
    """The keys every result file begins with: its schema, the tool and the run's times."""
    return {
        "schema": schema,
        "tool": {"name": "databorder", "version": __version__},
        "started_at": started_at.isoformat(),
        "finished_at": finished_at.isoformat() if finished_at else None,
    }
