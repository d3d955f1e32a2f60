"""Write docs/regimes/<regime>.md from the bundled rule packs (run after editing a pack).

    .venv/bin/python scripts/regime_docs.py
"""

from __future__ import annotations

from pathlib import Path

from databorder.assess.pack import bundled_packs
from databorder.assess.regime_docs import render, render_index

DOCS = Path(__file__).resolve().parents[1] / "docs" / "regimes"


def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    for pack in bundled_packs():
        path = DOCS / f"{pack.folder}.md"
        path.write_text(render(pack), encoding="utf-8")
        print(f"wrote {path}")  # noqa: T201 - a script reporting what it wrote
    index = DOCS / "README.md"
    index.write_text(render_index(bundled_packs()), encoding="utf-8")
    print(f"wrote {index}")  # noqa: T201


if __name__ == "__main__":
    main()
