"""Person-name detector: header words, name-list validation, text, masks."""

from __future__ import annotations

import json
from importlib import metadata

import polars as pl
import pytest

from databorder.detect.context import name_matches
from databorder.detect.name_source import lists_from_faker
from databorder.detect.names import NAME_LISTS_PATH, PersonNameDetector, name_lists

NAMES = PersonNameDetector()

PERSON_COLUMN = ["John Smith", "Doe, John", "María García López", "Jean-Pierre Dubois",
                 "Hans-Jürgen Schmidt", "王秀英", "欧阳娜", "Li Wei", "Emma", "Müller"]
PRODUCT_COLUMN = ["iPhone 15 Pro", "Galaxy S23", "MacBook Air M2", "ThinkPad X1", "Kindle",
                  "AirPods", "Echo Dot", "PlayStation 5", "Xbox One", "Surface Go 3"]
CITY_COLUMN = ["Berlin", "London", "Shanghai", "Tokyo", "Chicago", "Munich", "Lyon", "Seville",
               "北京", "上海市", "Los Angeles", "Barcelona"]
COMPANY_COLUMN = ["Acme Corp", "Siemens AG", "Microsoft", "Alphabet Inc.", "Deutsche Bank",
                  "Toyota Motor", "Nestlé S.A.", "Tencent Holdings", "阿里巴巴", "BASF SE"]


def test_name_lists_come_from_faker_locales() -> None:
    lists = name_lists()
    assert len(lists.latin) > 4000
    assert {"john", "smith", "müller", "garcía", "dubois"} <= lists.latin
    assert {"王", "欧阳"} <= lists.cjk_surnames


def test_bundled_name_lists_are_the_faker_ones_with_their_notice() -> None:
    """The shipped file is what scripts/make_name_lists.py makes from the Faker it names."""
    shipped = json.loads(NAME_LISTS_PATH.read_text(encoding="utf-8"))
    assert shipped["licence"] == "MIT" and "Daniele Faraglia" in shipped["notice"]
    installed = metadata.version("faker")
    if installed != shipped["faker_version"]:
        pytest.skip(f"Faker {installed} installed, lists from {shipped['faker_version']}: "
                    "compare after running scripts/make_name_lists.py")
    assert lists_from_faker() == shipped


def test_person_name_column_is_valid() -> None:
    valid = NAMES.valid_cells(pl.Series(PERSON_COLUMN))
    assert valid.all(), [v for v, ok in zip(PERSON_COLUMN, valid, strict=True) if not ok]


@pytest.mark.parametrize("column", [PRODUCT_COLUMN, CITY_COLUMN, COMPANY_COLUMN])
def test_non_person_columns_fall_below_the_share(column: list[str]) -> None:
    share = NAMES.valid_cells(pl.Series(column)).mean()
    assert share is not None and share < 0.3


@pytest.mark.parametrize("value", ["john123", "J0hn Smith", "a b c d e", "", "john@smith.com",
                                   "Smith & Sons Ltd 2"])
def test_non_names_are_invalid(value: str) -> None:
    assert not NAMES.validate(value)


@pytest.mark.parametrize(("header", "positive"), [
    ("customer_name", True), ("full_name", True), ("Vorname", True), ("姓名", True),
    ("prénom", True), ("apellido", True), ("file_name", False), ("host_name", False),
    ("product_name", False), ("company_name", False), ("table_name", False),
])
def test_header_words(header: str, positive: bool) -> None:
    assert name_matches(header, NAMES.header_words) is not None
    assert (name_matches(header, NAMES.negative_header_words) is None) is positive


def test_needs_context() -> None:
    assert NAMES.needs_context


@pytest.mark.parametrize(("text", "expected"), [
    ("Patient name: John Smith was admitted", ["John Smith"]),
    ("Dear Mrs. Garcia, thank you", ["Garcia"]),
    ("姓名：王秀英，", ["王秀英"]),
    ("John Smith called yesterday", []),
    ("Dr. Who is a TV series", []),
])
def test_names_in_text_need_context_words(text: str, expected: list[str]) -> None:
    found = NAMES.find_in_text(text)
    assert [v for _, _, v in found] == expected
    assert all(text[s:e] == v for s, e, v in found)


def test_mask_keeps_initials_only() -> None:
    assert NAMES.mask("John Doe") == "J*** D***"
    assert NAMES.mask("王秀英") == "王**"
    assert "ohn" not in NAMES.mask("John Doe")


def test_normalize_merges_case_and_order_punctuation() -> None:
    cells = pl.Series(["John  Smith", "john smith", "JOHN SMITH"])
    assert NAMES.normalize_cells(cells).unique().to_list() == ["john smith"]


def test_full_pass_check_agrees_with_validation() -> None:
    from faker import Faker

    from databorder.detect.names import PersonNameDetector

    detector = PersonNameDetector()
    fake = Faker(["en_US", "de_DE", "fr_FR", "es_ES", "zh_CN"])
    Faker.seed(3)
    values = [fake.name() for _ in range(3000)] + [
        "Espresso Beans 1kg", "Paris", "ACME GmbH", "王小明", "Li", "a b c d e", "Dr. John Smith",
        "Smith, John", "12345", "Jean-Luc Picard", "O'Brien", "",
    ]
    series = pl.Series(values, dtype=pl.String).str.strip_chars()
    series = series.set(series == "", None)
    assert detector.count_cells(series).to_list() == detector.valid_cells(series).to_list()


def test_cell_shape_with_token_lengths_checked_apart_equals_the_cell_pattern() -> None:
    detector = PersonNameDetector()
    cells = pl.Series(["John Smith", "Doe, John", "王伟", "a" * 40, "a" * 41, f"Jo {'b' * 40}",
                       f"Jo {'b' * 41}", "Anna Maria de la Cruz", "Jean-Luc Picard",
                       "O'Brien", "x@y", "R2D2", "", "two  spaces", f"{'é' * 41} Li"])
    reference = cells.str.contains(f"^(?:{detector.cell_pattern})$").fill_null(False)
    assert detector.shaped_cells(cells).to_list() == reference.to_list()
    assert reference.to_list().count(True) == 8
