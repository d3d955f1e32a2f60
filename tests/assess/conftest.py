"""Run ``python -m databorder`` as a user does (the real entry point, its error handling)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


def _run(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "COLUMNS": "1000", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "databorder", *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8", env=environment,
                          timeout=timeout, check=False)


@pytest.fixture(scope="session")
def run_databorder() -> Callable[..., subprocess.CompletedProcess[str]]:
    return _run
