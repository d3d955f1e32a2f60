"""The command line's process settings."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux setting")
def test_huge_pages_are_disabled_for_the_process() -> None:
    # in a child: the setting is per process and inherited, and the test run keeps its own
    code = ("from databorder.process import disable_huge_pages; "
            "print(disable_huge_pages()); "
            "print([l for l in open('/proc/self/status') if l.startswith('THP_enabled')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0] == "True"
    if "THP_enabled" in out[1]:  # shown by Linux 6.x
        assert "THP_enabled:\\t0" in out[1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux setting")
def test_the_command_line_sets_it_before_any_command() -> None:
    """``main`` with its command group replaced by a probe that reads the process status."""
    code = ("import databorder.cli as cli; "
            "cli.cli = lambda **_: print([l for l in open('/proc/self/status') "
            "if l.startswith('THP_enabled')]); cli.main()")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    if "THP_enabled" in out:
        assert "THP_enabled:\\t0" in out
