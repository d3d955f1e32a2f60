"""The served API keeps to its own OpenAPI document for any input schemathesis makes up.

``schemathesis run`` (its command line: the pytest plugin does not support pytest 9) calls every
operation of ``databorder serve`` with generated path and query values and the access token,
and checks each response against the documented status codes, content types and schemas; no
input may cause a server error.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from web_helpers import TOKEN


def test_api_keeps_to_its_openapi_document(live_server: str, tmp_path: Path) -> None:
    command = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert command, "schemathesis is a dev dependency"
    result = subprocess.run(
        [command, "run", f"{live_server}/openapi.json", "--checks", "all",
         "--header", f"Authorization: Bearer {TOKEN}", "--max-examples", "30", "--seed", "7",
         "--workers", "1", "--report", "junit", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "No issues found" in result.stdout or " passed" in result.stdout, result.stdout[-2000:]
