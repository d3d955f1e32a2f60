"""Result files: their common header, and writing them so that a crash never leaves a
half-written or clobbered file."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from databorder import __version__


def write_json_atomically(data: dict[str, Any], path: Path) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=2)
            out.write("\n")
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
