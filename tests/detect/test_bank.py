"""IBAN, ABA routing and account number detectors, and the shared reference cases."""

from __future__ import annotations

import random

import polars as pl
import pytest
from faker import Faker
from reference_cases import Score, unflagged, valid
from stdnum import iban as stdnum_iban

from databorder.detect.bank import AbaRoutingDetector, BankAccountNumberDetector, IbanDetector

# Unflagged cases that our specification answers differently, with the reason.
EXCEPTIONS = {
    "BE68539007547034": "stdnum's full (national) check rejects bank code 539; we use full "
                        "stdnum.iban validation as specified",
}

iban = IbanDetector()
aba = AbaRoutingDetector()
account = BankAccountNumberDetector()


def _cells(*values: str | None) -> pl.Series:
    return pl.Series("c", values, dtype=pl.String)


@pytest.mark.parametrize(("value", "valid"), [
    ("DE89370400440532013000", True),
    ("DE89 3704 0044 0532 0130 00", True),
    ("GB82-WEST-1234-5698-7654-32", True),
    ("DE89370400440532013001", False),   # mod-97 fails
    ("DE8937040044053201300", False),    # one character short for DE
    ("de89 3704 0044 0532 0130 00", True),  # stdnum accepts lower case
    ("DE89.3704.0044.0532.0130.00", True),
    ("AL47/2121/1009/0000/0002/3569/8741", False),
])
def test_iban_cells(value: str, valid: bool) -> None:
    assert iban.valid_cells(_cells(value)).to_list() == [valid]


def test_iban_mask_normalize_kind() -> None:
    assert iban.mask("DE89370400440532013000") == "DE89 **** **** **** **30 00"
    assert iban.mask("DE89 3704 0044 0532 0130 00") == "DE89 **** **** **** **30 00"
    forms = _cells("DE89 3704 0044 0532 0130 00", "DE89-3704-0044-0532-0130-00")
    assert iban.normalize_cells(forms).unique().to_list() == ["DE89370400440532013000"]
    assert iban.kind("DE89370400440532013000") == "iban"


def test_iban_in_text_drops_trailing_words() -> None:
    text = ("pay to VG96 VPVG 0000 0123 4567 8901 X by Friday, "
            "not CY17 0020 0128 0000 0012 0052 7601")
    assert [v for _, _, v in iban.find_in_text(text)] == ["VG96 VPVG 0000 0123 4567 8901"]


@pytest.mark.parametrize(("value", "valid"), [
    ("121000358", True), ("0711-0130-7", True), ("111000025", True),
    ("421042111", False), ("1234-0000-0", False), ("000000000", False), ("11100002", False),
])
def test_aba_cells_match_stdnum(value: str, valid: bool) -> None:
    assert aba.valid_cells(_cells(value)).to_list() == [valid]
    assert aba.validate(value) is valid


def test_context_detectors_need_context() -> None:
    assert aba.needs_context and account.needs_context
    assert aba.kind("121000358") == "aba_routing"
    assert aba.mask("121000358") == "*****0358"


@pytest.mark.parametrize(("value", "valid"), [
    ("12345678", True), ("1234-5678-9012", True), ("12345", False),
    ("111111111", False), ("123456789012345678", False), ("12a45678", False),
])
def test_account_number_cells(value: str, valid: bool) -> None:
    assert account.valid_cells(_cells(value)).to_list() == [valid]


def test_account_number_mask_hides_most_digits() -> None:
    assert account.mask("123456") == "****56"
    assert account.mask("123456789012") == "********9012"
    assert account.normalize("1234-5678 9012") == "123456789012"


def _found(row: dict[str, str]) -> int:
    value = row["value_or_text"]
    if row["kind"] == "value" and int(row["expected_matches"]) <= 1:
        return int(valid(iban, value) or valid(aba, value))
    return len(iban.find_in_text(value))


def test_reference_cases_precision_and_recall() -> None:
    """IBAN and ABA cases; US_BANK_NUMBER rows are flagged (a bare digit pattern)."""
    score = Score.over(unflagged("bank_account", EXCEPTIONS), _found)
    assert score.precision >= 0.98
    assert score.recall >= 0.97


def test_iban_count_cells_agrees_with_stdnum_on_structure_and_mod97() -> None:
    detector = IbanDetector()
    fake = Faker(["de_DE", "fr_FR", "es_ES", "en_GB", "nl_NL", "it_IT", "pl_PL"])
    fake.seed_instance(5)
    good = [fake.iban() for _ in range(300)]
    spaced = [" ".join(v[i:i + 4] for i in range(0, len(v), 4)).lower() for v in good[:50]]
    wrong_check = [v[:2] + f"{(int(v[2:4]) + 1) % 100:02d}" + v[4:] for v in good[:100]]
    wrong_length = [v + "0" for v in good[:50]] + [v[:-1] for v in good[50:100]]
    values = good + spaced + wrong_check + wrong_length + ["XX00123", None]
    cells = pl.Series(values, dtype=pl.String)
    counted = detector.count_cells(cells).to_list()
    expected = [v is not None and stdnum_iban.is_valid(v, check_country=False) for v in values]
    assert counted == expected
    assert sum(counted) == 350
    assert detector.normalize_cells(pl.Series(spaced[:1])).item() == good[0]


def test_iban_count_cells_agrees_with_stdnum_on_thousands_of_mutations() -> None:
    """Single-character changes and swaps of valid IBANs of many countries, one batch of
    mixed lengths and single-length batches of one country (the reshape path), against
    stdnum."""
    fake = Faker(["de_DE", "fr_FR", "en_GB", "nl_NL", "pl_PL", "pt_PT", "fi_FI", "no_NO"])
    fake.seed_instance(11)
    rng = random.Random(3)
    good = [fake.iban() for _ in range(800)]
    mutated = []
    for value in good:
        at = rng.randrange(len(value))
        mutated.append(value[:at] + rng.choice("0123456789AZq.é") + value[at + 1:])
        at = rng.randrange(len(value) - 1)
        mutated.append(value[:at] + value[at + 1] + value[at] + value[at + 2:])
    def one_country(code: str) -> list[str]:
        return [v for v in good + mutated if v.startswith(code) and len(v) == 22 and v.isascii()]

    german, british = one_country("DE"), one_country("GB")  # GB: letters, then digits
    assert len(british) > 100
    for values in (good + mutated, german, british):
        counted = iban.count_cells(pl.Series(values, dtype=pl.String)).to_list()
        assert counted == [stdnum_iban.is_valid(v, check_country=False) for v in values]
    assert 800 <= sum(iban.count_cells(pl.Series(good + mutated)).to_list()) < 1300


def test_iban_valid_cells_is_stdnum_in_full_with_national_checks() -> None:
    """Belgian, Spanish and Norwegian IBANs carry national check digits that stdnum checks
    on top of mod 97: mutated ones that still pass mod 97 must fail as stdnum fails them."""
    fake = Faker(["nl_BE", "es_ES", "no_NO", "de_DE", "en_GB"])
    fake.seed_instance(17)
    rng = random.Random(8)
    good = [fake.iban() for _ in range(400)]
    values: list[str | None] = [*good, None, "", "DE89 3704 0044 0532 0130 00",
                                "de89370400440532013000"]
    for value in good:
        at = rng.randrange(4, len(value))
        values.append(value[:at] + rng.choice("0123456789") + value[at + 1:])
    for value in good[:100]:  # national digits changed, mod 97 repaired: only stdnum sees it
        body = value[4:-2] + f"{(int(value[-2:]) + 1) % 100:02d}"
        check = 98 - int(stdnum_iban.mod_97_10.checksum(body + value[:2] + "00"))
        values.append(f"{value[:2]}{check:02d}{body}")
    cells = pl.Series(values, dtype=pl.String)
    expected = [v is not None and bool(v.strip()) and IbanDetector().validate(v.strip())
                for v in values]
    assert IbanDetector().valid_cells(cells).to_list() == expected
    national = {v[:2] for v, ok in zip(values, expected, strict=True) if v and not ok
                and stdnum_iban.is_valid(v, check_country=False)}
    assert national >= {"BE", "ES", "NO"}
