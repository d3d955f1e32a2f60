"""Helpers of the dashboard tests: the access token and a real ``databorder serve``."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

TOKEN = "correct-horse-battery-staple-42"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_serve(store_path: Path, *extra: str, port: int | None = None,
                ) -> tuple[subprocess.Popen[str], str]:
    """``databorder serve`` in a subprocess, once it answers: the process and its base URL."""
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "databorder", "serve", "--store", str(store_path),
         "--port", str(port), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited {process.returncode}: {process.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("serve did not answer within 30 s")
