"""Fixtures for the end-to-end tests of ``databorder scan``: run it as a user does.

``run_scan`` starts ``python -m databorder scan`` in a subprocess (the real entry point, with
``main()``'s error handling) with stdout and stderr captured, so neither is a terminal;
``sample_scan`` scans the bundled demo data once per session and is shared by the modules.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import databorder

WIDE_COLUMNS = "1000"
"""``COLUMNS`` for most runs, so Rich does not fold stderr lines (tested apart)."""


def _run_scan(
    *args: str | Path,
    json_path: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "databorder", "scan", "--no-progress", *map(str, args)]
    if json_path is not None:
        command += ["--json", str(json_path)]
    environment = {**os.environ, "COLUMNS": WIDE_COLUMNS, "PYTHONIOENCODING": "utf-8"}
    environment.update(env or {})
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                          env=environment, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def run_scan() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run_scan(*targets_and_options, json_path=None, env=None, timeout=60)``."""
    return _run_scan


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The bundled demo data (``src/databorder/samples``)."""
    return Path(databorder.__file__).resolve().parent / "samples"


@pytest.fixture(scope="session")
def sample_scan(
    tmp_path_factory: pytest.TempPathFactory, samples_dir: Path
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The sample directory scanned once with ``--json``: the finished process and the JSON."""
    out = tmp_path_factory.mktemp("sample-scan") / "inventory.json"
    done = _run_scan(samples_dir, json_path=out)
    assert done.returncode == 0, done.stderr
    return done, out
