"""The docs stay honest: every command, detector and category is documented or covered."""

from pathlib import Path

import pytest

from databorder.categories import CATEGORIES
from databorder.cli import cli
from databorder.detect.registry import table_detectors, value_detectors

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _detector_docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (DOCS / "detectors").glob("*.md"))


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_a_page(command: str) -> None:
    page = DOCS / "commands" / f"{command}.md"
    assert page.exists(), f"docs/commands/{command}.md is missing"
    assert f"databorder {command}" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("detector", [*value_detectors(), *table_detectors()],
                         ids=lambda d: d.name)
def test_every_detector_is_documented(detector: object) -> None:
    assert type(detector).__doc__, f"{type(detector).__name__} has no docstring"
    docs = _detector_docs()
    name = getattr(detector, "name")  # noqa: B009 - both detector kinds carry a name
    assert name in docs or type(detector).__name__ in docs


def test_every_category_has_a_detector() -> None:
    found = {d.category for d in value_detectors()}
    for table_detector in table_detectors():
        found.update(table_detector.categories)
    assert set(CATEGORIES) == found
