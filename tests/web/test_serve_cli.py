"""``databorder serve`` as a user starts it: a real server on a real port."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from web_helpers import TOKEN, start_serve


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3"])
def test_refuses_a_network_address_without_a_token(store_path: Path, host: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "databorder", "serve", "--store", str(store_path), "--host", host],
        capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: refusing to serve on {host} without an access token: set --token or "
        "DATABORDER_TOKEN, or bind to 127.0.0.1"]


def test_no_store_here_is_a_usage_error_and_creates_none(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "databorder", "serve"], cwd=tmp_path,
        capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"})
    assert result.returncode == 2
    assert result.stderr.startswith("error: no store here: name one with --store URL")
    assert not (tmp_path / ".databorder").exists()


def test_serves_the_store_on_loopback(store_path: Path) -> None:
    process, base = start_serve(store_path)
    try:
        status, body = _get(f"{base}/api/runs")
        assert status == 200
        assert [run["id"] for run in json.loads(body)] == [2, 1]
        status, page = _get(f"{base}/")
        assert status == 200 and b'href="/runs/1"' in page
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_with_a_token_every_request_needs_it(live_server: str) -> None:
    assert _get(f"{live_server}/api/runs")[0] == 401
    assert _get(f"{live_server}/api/runs", "not-the-token-at-all")[0] == 401
    status, body = _get(f"{live_server}/api/runs/1", TOKEN)
    assert status == 200 and json.loads(body)["run"]["id"] == 1


def test_generated_token_is_printed_and_required(store_path: Path) -> None:
    process, base = start_serve(store_path, "--token", "generate")
    try:
        assert _get(f"{base}/api/runs")[0] == 401
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    line = next(line for line in stderr.splitlines() if line.startswith("access token: "))
    assert len(line.removeprefix("access token: ")) >= 16
