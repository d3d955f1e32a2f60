"""Free-text scanning: overlaps, context, and the vectorised column path."""

import polars as pl

from databorder.detect.text import find_in_text, scan_text_column


def _found(text: str) -> list[tuple[str, str]]:
    return [(m.category, text[m.start:m.end]) for m in find_in_text(text)]


def test_several_categories_in_one_line() -> None:
    text = ("2024-05-01 12:00:01 INFO login user=alice@example.com ip=47.88.12.34 "
            "card 4111 1111 1111 1111 from version 10.0.19041.1")
    found = _found(text)
    assert ("email", "alice@example.com") in found
    assert ("ip_address", "47.88.12.34") in found
    assert ("payment_card", "4111 1111 1111 1111") in found
    assert all(value != "10.0.19041.1" for _, value in found)


def test_overlaps_go_to_the_stronger_check() -> None:
    found = _found("paid with 4111111111111111 today")
    assert found == [("payment_card", "4111111111111111")]


def test_masks_hide_values() -> None:
    matches = find_in_text("mail alice@example.com from 47.88.12.34")
    assert {m.masked for m in matches} == {"a***@example.com", "47.88.x.x"}


def test_column_scan_matches_row_by_row_scan() -> None:
    texts = pl.Series([
        "nothing here", None, "reach bob@example.org or 10.1.2.3",
        "ssn 123-45-6789 was given", "version 1.2.3.4 only",
    ])
    by_column = {row: [(m.category, m.start, m.end) for m in found]
                 for row, found in scan_text_column(texts)}
    by_row = {i: [(m.category, m.start, m.end) for m in find_in_text(t)]
              for i, t in enumerate(texts.to_list()) if t and find_in_text(t)}
    assert by_column == by_row
    assert set(by_column) == {2, 3}
