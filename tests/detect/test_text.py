"""Free-text scanning: overlaps, context, and the vectorised column path."""

import polars as pl
import pytest

from databorder.detect import text as text_module
from databorder.detect.base import Detector
from databorder.detect.contact import EmailDetector
from databorder.detect.registry import value_detectors
from databorder.detect.text import (
    TextTally,
    _candidate_flags,
    _candidate_rows,
    _without_word_boundaries,
    distinct_texts,
    find_in_text,
    tally_text_column,
)


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


def test_column_tally_matches_row_by_row_scan() -> None:
    texts = pl.Series([
        "nothing here", None, "reach bob@example.org or 10.1.2.3",
        "ssn 123-45-6789 was given", "version 1.2.3.4 only", "again bob@example.org",
    ])
    tallies = tally_text_column(texts)
    by_row: dict[str, set[int]] = {}
    values: dict[str, set[str]] = {}
    for i, text in enumerate(texts.to_list()):
        for match in find_in_text(text or ""):
            by_row.setdefault(match.category, set()).add(i)
            values.setdefault(match.category, set()).add(match.normalized)
    assert {c: t.rows for c, t in tallies.items()} == by_row
    assert {c: set(t.values().to_list()) for c, t in tallies.items()} == values
    assert by_row == {"email": {2, 5}, "ip_address": {2}, "government_id": {3}}


class _DigitsInMail(EmailDetector):
    text_extract = r"[a-z0-9.]+@[a-z]+\.[a-z]{2,}"


class _TenDigits(Detector):
    category = "phone"
    name = "test.ten_digits"
    text_pattern = r"(?P<v>\d{10})"
    prefilter = r"\d{10}"

    def mask(self, candidate: str) -> str:
        return "*" * len(candidate)


def test_vectorised_extractors_blank_what_they_claim() -> None:
    texts = pl.Series(["write to a5551234567@example.com now", "call 4155550132 today"])
    tallies = tally_text_column(texts, [_DigitsInMail(), _TenDigits()])
    assert tallies["email"].rows == {0}
    assert tallies["email"].detectors == {"contact.email"}
    assert tallies["phone"].rows == {1}
    alone = tally_text_column(texts, [_TenDigits()])
    assert alone["phone"].rows == {0, 1}


LOG_LINES = [
    "2024-03-01 08:00:41,703 INFO  report generated for period 08.01.2023 - 24.04.2023 rows=53597",
    "2024-03-01 08:01:49,098 DEBUG cache hit ratio=0.6024 p99=846.902ms trace=f7108e96-f770",
    "agent=Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/124.0.6367.82 Safari/537.36",
    "order 1234567890 shipped on 2024-03-01, invoice 2024-0042, total 1,234.56 EUR",
]


def test_timestamps_versions_and_order_numbers_are_not_phones() -> None:
    for line in LOG_LINES:
        assert [line[m.start:m.end] for m in find_in_text(line) if m.category == "phone"] == []
    column = tally_text_column(pl.Series(LOG_LINES))
    assert "phone" not in column


def test_phones_in_log_lines_are_found() -> None:
    line = "2024-03-01 08:02:14,217 INFO callback requested at +34 849 25 36 42 by Alfonso"
    assert [line[m.start:m.end] for m in find_in_text(line) if m.category == "phone"] == [
        "+34 849 25 36 42"]


class _EvenIds(Detector):
    """A vectorised extractor that rejects some of its candidates (odd numbers)."""

    category = "device_id"
    name = "test.even_ids"
    text_extract = r"[0-9]{4}"

    def mask(self, candidate: str) -> str:
        return "*" * len(candidate)

    def valid_cells(self, values: pl.Series) -> pl.Series:
        return values.str.contains("[02468]$").fill_null(False)


class _FourDigits(Detector):
    category = "phone"
    name = "test.four_digits"
    text_pattern = r"(?P<v>\d{4})"
    prefilter = r"\b\d{4}\b"

    def mask(self, candidate: str) -> str:
        return "*" * len(candidate)


def test_blanking_keeps_rejected_candidates_of_the_same_row() -> None:
    texts = pl.Series(["ids 1234 and 1235 here", "only 2222", "1236 1236", None, "none"])
    tallies = tally_text_column(texts, [_EvenIds(), _FourDigits()])
    assert tallies["device_id"].rows == {0, 1, 2}
    assert sorted(tallies["device_id"].values().to_list()) == ["1234", "1236", "1236", "2222"]
    assert tallies["phone"].rows == {0}
    assert tallies["phone"].values().to_list() == ["1235"]


def test_prefilters_lose_word_boundaries_only() -> None:
    assert _without_word_boundaries(r"(?i)\bmr\.?\s|\Bx") == r"(?i)mr\.?\s|x"
    assert _without_word_boundaries(r"a\\b(?-u:\b)") == r"a\\b(?-u:)"


REPEATED = [
    "nothing here", None, "reach bob@example.org or 10.1.2.3", "ssn 123-45-6789 was given",
    "nothing here", "ssn 123-45-6789 was given", "again bob@example.org", None,
    "call +1 415 555 0132 or 4111 1111 1111 1111", "reach bob@example.org or 10.1.2.3",
    "ssn 078-05-1120 and 123-45-6789", "from 10.1.2.3 again", "", "nothing here",
]


def _tally_summary(tallies: dict[str, TextTally]) -> dict[str, tuple[object, ...]]:
    return {category: (tally.rows, set(tally.values().to_list()), tally.masked,
                       tally.detectors) for category, tally in tallies.items()}


def test_deduplicated_tally_equals_the_tally_of_every_row() -> None:
    """Rows, distinct values, samples (in row order, repeats included) and detectors."""
    for texts in (REPEATED, REPEATED[::-1], REPEATED * 3, [None, None], ["a", "a"], []):
        column = pl.Series(texts, dtype=pl.String)
        for samples in (1, 2, 3, 10):
            every_row = tally_text_column(column, samples=samples)
            deduplicated = tally_text_column(column, samples=samples, deduplicate=True)
            assert _tally_summary(deduplicated) == _tally_summary(every_row), (texts, samples)
    assert "government_id" in tally_text_column(pl.Series(REPEATED), deduplicate=True)


def test_distinct_texts_keep_first_occurrence_order() -> None:
    column = pl.Series(["b", None, "a", "b", "", None, "a", "c"], dtype=pl.String)
    distinct, inverse = distinct_texts(column)
    assert distinct.to_list() == ["b", None, "a", "", "c"]
    assert inverse.tolist() == [0, 1, 2, 0, 3, 1, 2, 4]
    assert distinct.gather(inverse).eq_missing(column).all()


def test_candidate_flags_equal_the_prefilter_and_context_expression() -> None:
    """Context words looked for only where the prefilter matched: the same rows as both
    tests over every row, for every detector with a text pattern."""
    detectors = [d for d in value_detectors() if d.text_pattern]
    texts = pl.Series([
        *REPEATED[:4], *LOG_LINES, "routing 021000021 account 12345678", "ACCOUNT no 4455 6677",
        "passport X1234567 issued", "Passport: C03005988", "BSSID 00:1a:2b:3c:4d:5e ssid Home",
        "diagnosis J45.909 and E11.9", "rs12345 and ACGTACGTACGTACGTACGT", "imei 490154203237518",
        "name: Alice Martin", "Mr. John Smith called", "身份证 11010519491231002X",
    ], dtype=pl.String)
    frame = texts.drop_nulls().rename("t").to_frame()
    reference = frame.select(*(_candidate_rows(d).alias(str(i))
                               for i, d in enumerate(detectors))).to_numpy()
    flags = _candidate_flags(frame, detectors)
    assert flags.tolist() == reference.tolist()
    assert flags.any(axis=0).sum() > 10  # most detectors have a candidate row here


def test_few_rows_take_every_detector_and_find_what_the_prefilters_find(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Up to ``FEW_ROWS`` rows skip the per-detector prefilters: each prefilter must then be
    a superset of its detector's matches, or the two paths would disagree."""
    texts = pl.Series([*REPEATED, *LOG_LINES, *IP_LINES, *DATED_PHONES,
                       "-41.5 S;81.0 E and 48.85 N, 2.35 E",
                       "routing 021000021 account 12345678", "Mr. John Smith called",
                       "imei 490154203237518", "BSSID 00:1a:2b:3c:4d:5e ssid Home"] * 3,
                      dtype=pl.String)
    detectors = [d for d in value_detectors() if d.text_pattern]

    def found(rows: int) -> list[tuple[int, list[tuple[str, int, int, str]]]]:
        monkeypatch.setattr(text_module, "FEW_ROWS", rows)
        return [(row, [(m.category, m.start, m.end, m.normalized) for m in matches])
                for row, matches in text_module._python_pass(texts, detectors)]

    flagged, every = found(0), found(texts.len())
    assert flagged == every
    assert any(c == "coarse_geolocation" for _, ms in every for c, *_ in ms)


IP_LINES = [
    "2024-10-25T17:12:52Z INFO login ip=8.222.107.98 user=someone",
    "from 10.0.0.1:443 to [192.168.1.20] via 172.16.0.0/12, then 8.8.8.8.",
    "来自192.168.1.1的请求", "peer 203.0.113.7, 203.0.113.7 again",
    "version 10.0.19041.1 and v1.2.3.4 and ver. 4.3.2.1 and Build#1.2.3.4 fw: 9.9.9.9",
    "dev 1.2.3.4 served 5.6.7.8",  # 'dev' is no version word
    "agent Chrome/124.0.0.0 docs/10.1.1.1 but http://198.51.100.3/x",
    "oid 1.3.6.1.4.1.311 and 192.168.1.1.1 and 010.1.1.1 and 1.2.3.256",
    "mapped ::ffff:47.88.1.2 and fe80::1%eth0 and ip:100.64.0.1 and 1.2.3.4:5.6.7.8",
    "x1.2.3.4 1.2.3.4x 1.2.3.4_ _1.2.3.4 1.2.3.4-5 5-1.2.3.4 8.8.4.4",
    "mixed v9.8.7.6 with 9.8.7.6 in one row",
]


def test_ipv4_found_in_polars_as_in_python() -> None:
    """Dotted quads are extracted and blanked in Polars; what they leave to the Python pass
    (versions, product tokens, OIDs, IPv6) must give, with them, what the Python pass gives
    on every row alone: the same rows, values and spans for every category."""
    texts = pl.Series(IP_LINES)
    tallies = tally_text_column(texts)
    by_row: dict[str, set[int]] = {}
    values: dict[str, set[str]] = {}
    for i, text in enumerate(IP_LINES):
        for match in find_in_text(text):
            by_row.setdefault(match.category, set()).add(i)
            values.setdefault(match.category, set()).add(match.normalized)
    assert {c: t.rows for c, t in tallies.items()} == by_row
    assert {c: set(t.values().to_list()) for c, t in tallies.items()} == values
    assert {"8.222.107.98", "10.0.0.1", "192.168.1.1", "5.6.7.8", "198.51.100.3",
            "47.88.1.2", "100.64.0.1", "8.8.4.4", "9.8.7.6"} <= values["ip_address"]
    assert not {"10.1.1.1", "124.0.0.0", "4.3.2.1", "9.9.9.9"} & values["ip_address"]


DATED_PHONES = [
    "2024-10-25 030 1234567", "2024-10-25(030) 1234567", "on 2024-03-01 call +49 30 1234567",
    "08.01.2023 - 24.04.2023 tel 06 12 34 56 78", "030-1234567-2024-10-25",
    "2024-10-25T17:12:52Z INFO nothing but a time",
]


def test_dates_do_not_pick_rows_for_the_phone_pass_but_phones_beside_them_are_found() -> None:
    texts = pl.Series(DATED_PHONES)
    phone = next(d for d in value_detectors() if d.category == "phone")
    flags = _candidate_flags(texts.rename("t").to_frame(), [phone])[:, 0]
    assert flags.tolist() == [True] * 5 + [False]
    found = [sorted(m.normalized for m in find_in_text(t) if m.category == "phone")
             for t in DATED_PHONES]
    assert all(found[:5]) and found[5] == []
    tally = tally_text_column(texts)
    assert tally["phone"].rows == {0, 1, 2, 3, 4}


def test_log_lines_of_time_stamps_and_dotted_quads_skip_the_python_pass(
        monkeypatch: pytest.MonkeyPatch) -> None:
    lines = pl.Series([f"2024-10-25T17:12:{i % 60:02d}Z INFO login ip=10.{i // 250}.{i % 250}.7 "
                       f"user={i} status=200" for i in range(500)])
    tested: list[str] = []

    def recording(detector: Detector, text: str) -> list[tuple[int, int, str]]:
        tested.append(text)
        return []

    for detector in value_detectors():
        monkeypatch.setattr(type(detector), "find_in_text", recording)
    tally = tally_text_column(lines)
    assert tally["ip_address"].row_count == 500 and len(tally["ip_address"].values()) == 500
    assert tested == []


def test_a_national_number_is_no_part_of_a_longer_run_of_numbers() -> None:
    """Ports, protocol numbers and byte counts of a space-separated log line chain into
    runs in which some span reads as a national number: only a span that is the whole run,
    or one written with its country code, is taken."""
    flow = ("2 123456789010 eni-0c44539c1e15cc490 10.255.0.62 35.160.46.88 28654 443 6 15 3103 "
            "1679389540 1679389568 ACCEPT OK")

    def phones(text: str) -> list[str]:
        return [text[m.start:m.end] for m in find_in_text(text) if m.category == "phone"]

    assert phones(flow) == []
    assert phones("43418 5001 6 100701 70 1566848875 1566848933 ACCEPT") == []
    assert phones("order 12345 415 555 0132") == []
    assert phones("Call me at 415-555-0132 today") == ["415-555-0132"]
    assert phones("Ruf an: +49 30 1234567 99 99 99 99") != []
    tally = tally_text_column(pl.Series([flow] * 3 + ["Call me at 415-555-0132 today"]))
    assert tally["phone"].rows == {3}


GLUED = ["id 612345678abc", "host-612345678.example", "https-68-142-107-25.lax.llnw.net",
         "x 612345678_1", "call 612345678 now", "ref:612345678-b", "tel 415-555-0132-",
         "Tel:-612345678", "CH-660.0.559.011-2, CH", "api-684909705.us-west-2.elb"]


def test_numbers_glued_to_words_are_judged_alike_in_polars_and_python() -> None:
    """Letters, ``_`` or ``-`` glued to a number make it part of a word (a host name, an id)
    in both paths; what the Polars candidate rejects for its glue, Python still judges."""
    lines = [f"{text} w{i}" for text in GLUED for i in range(8)]  # more than FEW_ROWS rows
    tally = tally_text_column(pl.Series(lines))
    python = {m.normalized for line in lines for m in find_in_text(line) if m.category == "phone"}
    assert set(tally["phone"].values().to_list()) == python == {"+34612345678", "+14155550132"}
