"""Where the person-name lists come from: Faker's person providers, read at build time.

``scripts/make_name_lists.py`` writes them to ``knowledge/person_names.json``, which the
detector loads; Faker itself is not needed at run time (importing it costs a scan 0.2 s).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from importlib import metadata
from typing import Any

NAME_LOCALES = ("en_US", "de_DE", "fr_FR", "es_ES", "zh_CN")
"""Faker locales whose person providers supply the first- and last-name lists."""

_LATIN_ATTRIBUTES = ("first_names", "first_names_male", "first_names_female", "last_names",
                     "first_romanized_names", "last_romanized_names")
_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
FAKER_LICENCE = """\
Copyright (c) 2012 Daniele Faraglia

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def _entries(provider: type, attribute: str) -> Iterable[str]:
    value = getattr(provider, attribute, ())
    return value.keys() if isinstance(value, dict) else value


def lists_from_faker() -> dict[str, Any]:
    """The document of ``knowledge/person_names.json``, read from the installed Faker."""
    latin: set[str] = set()
    cjk: set[str] = set()
    for locale in NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in _LATIN_ATTRIBUTES:
            for entry in _entries(provider, attribute):
                if _CJK_NAME.match(entry) or len(entry) == 1 and "\u4e00" <= entry <= "\u9fff":
                    continue
                latin.add(entry.casefold())
        if locale == "zh_CN":
            cjk.update(e for e in _entries(provider, "last_names") if "\u4e00" <= e[0] <= "\u9fff")
    version = metadata.version("faker")
    return {
        "source": f"Faker {version} person providers ({', '.join(NAME_LOCALES)}), "
                  "https://github.com/joke2k/faker; first and last names, case-folded",
        "faker_version": version,
        "licence": "MIT",
        "notice": FAKER_LICENCE,
        "latin": sorted(latin),
        "cjk_surnames": sorted(cjk),
    }
