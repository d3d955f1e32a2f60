"""No report made from the bundled samples shows a raw sensitive value from them.

The raw values are gathered from the sample files exactly as ``tests/cli/test_privacy.py`` does
(its collectors and ``leaks`` check are loaded from that file, not copied), then every format
rendered from the real run document is searched for them.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import databorder
from databorder.report import FORMATS, render

SAMPLES = Path(databorder.__file__).resolve().parent / "samples"
PRIVACY_TEST = Path(__file__).resolve().parents[1] / "cli" / "test_privacy.py"
COLLECTORS = ("_orders", "_customers", "_wifi", "_sqlite", "_log")


def _privacy_module() -> ModuleType:
    name = "databorder_cli_privacy_checks"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PRIVACY_TEST)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def privacy() -> ModuleType:
    return _privacy_module()


@pytest.fixture(scope="module")
def raw_values(privacy: ModuleType) -> Any:
    raw = privacy.RawValues()
    for collector in COLLECTORS:
        getattr(privacy, collector)(SAMPLES, raw)
    return raw


def _without_plotly(html: str) -> str:
    """plotly.js is a fixed library of digits and words; the page around it is what we wrote."""
    return re.sub(r"<script>/\*\*\n\* plotly\.js.*?</script>", "", html, count=1,
                  flags=re.DOTALL)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_raw_value_in_report(fmt: str, sample_document: dict[str, Any], privacy: ModuleType,
                                raw_values: Any) -> None:
    for stamped in ("run", "inventory", "flows"):  # the run's clock: random digits
        sample_document[stamped].update(started_at="2026-01-01T00:00:00+00:00",
                                        finished_at="2026-01-01T00:00:00+00:00")
    text = render(sample_document, fmt)
    if fmt == "html":
        stripped = _without_plotly(text)
        assert len(stripped) < len(text) / 4, "plotly.js was not where expected"
        text = stripped
    found = privacy.leaks(raw_values, text)
    assert found == [], f"{len(found)} raw values in the {fmt} report, e.g. {found[:5]}"


def test_the_check_would_catch_a_leak(sample_document: dict[str, Any], privacy: ModuleType,
                                      raw_values: Any) -> None:
    email = sorted(raw_values.exact["email"])[0]
    sample_document["inventory"]["fields"][0]["masked_samples"] = [email]
    assert privacy.leaks(raw_values, render(sample_document, "md"))
