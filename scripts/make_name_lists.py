"""Write src/databorder/knowledge/person_names.json from the installed Faker (dev extra).

    .venv/bin/python scripts/make_name_lists.py
"""

from __future__ import annotations

import json

from databorder.detect.name_source import lists_from_faker
from databorder.detect.names import NAME_LISTS_PATH


def main() -> None:
    document = lists_from_faker()
    NAME_LISTS_PATH.write_text(json.dumps(document, ensure_ascii=False, indent=0) + "\n",
                               encoding="utf-8")
    print(f"wrote {NAME_LISTS_PATH}: {len(document['latin'])} names, "  # noqa: T201
          f"{len(document['cjk_surnames'])} Chinese surnames")


if __name__ == "__main__":
    main()
