"""The command line's process settings, checked in child processes: the setting is per
process (and inherited), and the test run keeps its own."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux setting")

_STATUS = "[l for l in open('/proc/self/status') if l.startswith('THP_enabled')]"


def _child_output(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout


def _huge_pages_off(output: str) -> bool:
    """Linux 6 shows ``THP_enabled`` in the status; older kernels cannot be asked."""
    return "THP_enabled" not in output or "THP_enabled:\\t0" in output


def test_huge_pages_are_disabled_for_the_process() -> None:
    out = _child_output("from databorder.process import disable_huge_pages; "
                        f"print(disable_huge_pages()); print({_STATUS})")
    assert out.splitlines()[0] == "True"
    assert _huge_pages_off(out)


def test_huge_pages_stay_on_in_a_process_that_does_not_ask() -> None:
    out = _child_output(f"print({_STATUS})")
    assert "THP_enabled" not in out or "THP_enabled:\\t1" in out


def test_the_command_line_sets_it_before_any_command() -> None:
    """``main`` with its command group replaced by a probe that reads the process status."""
    out = _child_output(f"import databorder.cli as cli; cli.cli = lambda **_: print({_STATUS}); "
                        "cli.main()")
    assert _huge_pages_off(out)
