"""Phone columns fitted to their sample: E.164 in Polars where the sample shows the rule holds."""

from __future__ import annotations

import random

import phonenumbers
import polars as pl
import pytest

from databorder.detect.contact import PhoneDetector
from databorder.detect.phone_forms import NationalForm, PhoneColumnForm

NATIONAL = phonenumbers.PhoneNumberFormat.NATIONAL
INTERNATIONAL = phonenumbers.PhoneNumberFormat.INTERNATIONAL


def valid_numbers(region: str, count: int, seed: int) -> list[phonenumbers.PhoneNumber]:
    """Valid fixed-line and mobile numbers of ``region``: its example numbers with their
    last digits redrawn, kept where libphonenumber finds them valid."""
    rng = random.Random(seed)
    examples = [phonenumbers.example_number_for_type(region, kind) for kind in (
        phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE)]
    found: dict[int, phonenumbers.PhoneNumber] = {}
    while len(found) < count:
        example = rng.choice([e for e in examples if e is not None])
        national = str(example.national_number)
        redrawn = national[:-4] + "".join(rng.choice("0123456789") for _ in range(4))
        number = phonenumbers.PhoneNumber(country_code=example.country_code,
                                          national_number=int(redrawn))
        if phonenumbers.is_valid_number(number):
            found[number.national_number] = number
    return list(found.values())


def written(numbers: list[phonenumbers.PhoneNumber], style: int) -> list[str]:
    return [phonenumbers.format_number(n, style) for n in numbers]


def fitted_and_plain(cells: list[str]) -> tuple[PhoneDetector, PhoneDetector]:
    plain = PhoneDetector()
    sample = pl.Series(cells[:2_000], dtype=pl.String)
    fitted = plain.for_column(sample)
    assert isinstance(fitted, PhoneDetector)
    return fitted, plain


def assert_same_counts(fitted: PhoneDetector, plain: PhoneDetector, cells: list[str]) -> None:
    values = pl.Series(cells, dtype=pl.String)
    fast_counted, fast_normal = fitted.count_and_normalize(values)
    counted, normal = plain.count_and_normalize(values)
    assert fast_counted.to_list() == counted.to_list()
    assert sorted(fast_normal.to_list()) == sorted(normal.to_list())


@pytest.mark.parametrize(("region", "dialling"), [
    ("US", ["{n}", "1 {n}", "1-{n}"]), ("GB", ["{n}"]),
])
def test_national_numbers_of_one_country_get_its_code_in_polars(
        region: str, dialling: list[str]) -> None:
    numbers = valid_numbers(region, 3_000, seed=len(region))
    rng = random.Random(3)
    cells = [rng.choice(dialling).format(n=n) for n in written(numbers, NATIONAL)]
    fitted, plain = fitted_and_plain(cells)
    assert fitted.form is not None and fitted.form.national is not None
    assert fitted.form.national.region == region
    assert_same_counts(fitted, plain, cells)


def test_international_numbers_are_plus_and_digits() -> None:
    numbers = [n for region in ("US", "DE", "CN", "FR", "JP")
               for n in valid_numbers(region, 600, seed=7)]
    cells = written(numbers, INTERNATIONAL)
    cells += [c.replace(" ", " (0)", 1) for c in cells[:50] if c.startswith("+49")]
    fitted, plain = fitted_and_plain(cells)
    assert fitted.form == PhoneColumnForm(international=True, national=None)
    assert_same_counts(fitted, plain, cells)


def test_national_numbers_of_two_countries_stay_with_libphonenumber() -> None:
    cells = (written(valid_numbers("US", 500, seed=1), NATIONAL)
             + written(valid_numbers("DE", 500, seed=2), NATIONAL))
    fitted, plain = fitted_and_plain(cells)
    assert fitted.form is None or fitted.form.national is None
    assert_same_counts(fitted, plain, cells)


def test_numbers_libphonenumber_reads_in_another_country_leave_the_column_unfitted() -> None:
    """National numbers are read in the first region where they are valid: French mobiles
    (``06 12 34 56 78``) are valid German numbers, so no one country's rule gives
    libphonenumber's forms for this column."""
    cells = written(valid_numbers("FR", 1_000, seed=4), NATIONAL)
    fitted, plain = fitted_and_plain(cells)
    assert fitted.form is None
    assert_same_counts(fitted, plain, cells)


def test_cells_no_rule_covers_are_asked_of_libphonenumber() -> None:
    """A GB column fitted on national cells still reads ``0044 ...`` and ``+1 ...`` cells
    past its sample as libphonenumber does."""
    numbers = valid_numbers("GB", 2_000, seed=5)
    cells = written(numbers, NATIONAL)
    fitted, plain = fitted_and_plain(cells)
    later = ["0044 20 " + c[-8:] for c in cells[:20]] + written(
        valid_numbers("US", 20, seed=6), INTERNATIONAL)
    assert fitted.form is not None and fitted.form.national is not None
    assert fitted.form.e164(pl.Series(["00442079460958"])).to_list() == [None]
    assert_same_counts(fitted, plain, later)


def test_the_trunk_prefix_is_dropped_only_before_a_national_length() -> None:
    us = NationalForm.of("US")
    assert us is not None and us.trunk_prefix == "1"
    digits = pl.Series("d", ["14155550132", "4155550132", "1415555013"])
    got = pl.select(us.e164(pl.lit(digits))).to_series().to_list()
    assert got == ["+14155550132", "+14155550132", "+11415555013"]


def test_a_few_numbers_read_in_another_country_take_the_column_country() -> None:
    """``(556) 546-6800`` is no US number, and libphonenumber reads it as a Turkish mobile;
    in a column of American numbers it is read as American, and counts once all the same."""
    odd = [f"(556) 546-68{i:02d}" for i in range(60)]
    assert phonenumbers.region_code_for_number(phonenumbers.parse(odd[0], "TR")) == "TR"
    cells = written(valid_numbers("US", 1_900, seed=8), NATIONAL) + odd
    fitted, plain = fitted_and_plain(cells)
    assert fitted.form is not None and fitted.form.national is not None
    assert fitted.form.national.region == "US"
    _, normal = fitted.count_and_normalize(pl.Series(cells, dtype=pl.String))
    _, reference = plain.count_and_normalize(pl.Series(cells, dtype=pl.String))
    assert "+15565466800" in normal.to_list()
    assert normal.n_unique() == reference.n_unique() == len(set(cells))
