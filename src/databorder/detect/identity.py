"""Government identification numbers: US SSN, Chinese resident ID, passport numbers."""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

import numpy as np
import polars as pl
from stdnum.cn import ric
from stdnum.exceptions import ValidationError
from stdnum.us import ssn

from .base import Detector
from .context import words_near
from .vectorized import string_bytes

# --- US Social Security Number ----------------------------------------------------------------

# The numbers stdnum refuses as advertised or misused (078-05-1120, the Woolworth wallet card).
_SSN_BLACKLIST: tuple[str, ...] = tuple(
    sorted(n.replace("-", "") for n in getattr(ssn, "_ssn_blacklist", ("078-05-1120",)))
)
_SSN_HEADER_WORDS = ("ssn", "social_security", "social_security_number", "socialsecurity",
                     "ss_number", "ssn_number", "soc_sec", "sozialversicherungsnummer")
_SSN_CONTEXT_WORDS = ("ssn", "social security", "soc sec", "ss#", "ss #")


def _ssn_digits(candidate: str) -> str:
    return re.sub(r"[^0-9]", "", candidate)


def ssn_valid_expr(digits: pl.Expr) -> pl.Expr:
    """Vectorised ``stdnum.us.ssn.is_valid`` over 9-digit strings: area, group, serial, list."""
    area = digits.str.slice(0, 3)
    return (
        (area != "000") & (area != "666") & ~area.str.starts_with("9")
        & (digits.str.slice(3, 2) != "00") & (digits.str.slice(5, 4) != "0000")
        & ~digits.is_in(pl.lit(pl.Series(_SSN_BLACKLIST, dtype=pl.String).implode()))
    )


class UsSsnDetector(Detector):
    """US Social Security Numbers written with separators: ``AAA-GG-SSSS``.

    The SSN identifies a US person for tax, credit and benefits; its leak enables identity
    theft. Accepted separators: ``-``, ``.`` or a space, the same one twice. Validation is
    ``stdnum.us.ssn``: area not 000, 666 or 9xx (9xx includes the ITIN and advertising ranges),
    group not 00, serial not 0000, and not one of the publicly misused numbers (078-05-1120).
    The canonical form is the nine digits, so ``078-05-1123`` and ``078051123`` count once.
    Masked: ``***-**-6789``. Nine bare digits are :class:`UsSsnBareDetector` (context only).

    References: SSA, "Social Security Number Randomization" (2011); python-stdnum ``us.ssn``.
    """

    category = "government_id"
    name = "identity.us_ssn"
    header_words = _SSN_HEADER_WORDS
    context_words = _SSN_CONTEXT_WORDS
    cell_pattern = r"\d{3}-\d{2}-\d{4}|\d{3}\.\d{2}\.\d{4}|\d{3} \d{2} \d{4}"
    text_pattern = r"(?<![\d.\-])(?P<v>\d{3}(?P<sep>[-. ])\d{2}(?P=sep)\d{4})(?![\d]|[.\-]\d)"
    prefilter = r"\d{3}[-. ]\d{2}[-. ]\d{4}"
    min_value_share = 0.8

    def validate(self, candidate: str) -> bool:
        return bool(ssn.is_valid(_ssn_digits(candidate)))

    def normalize(self, candidate: str) -> str:
        return _ssn_digits(candidate)

    def kind(self, candidate: str) -> str | None:
        return "us_ssn"

    def mask(self, candidate: str) -> str:
        return "***-**-" + _ssn_digits(candidate)[-4:]

    def valid_cells(self, values: pl.Series) -> pl.Series:
        stripped = values.str.strip_chars()
        shaped = stripped.str.contains(f"^(?:{self.cell_pattern})$").fill_null(False)
        # the checks run on the shaped cells only, their digits materialised once (inside one
        # expression Polars would strip the separators again for each of the five tests)
        if not shaped.any():
            return shaped.alias(values.name)
        digits = pl.DataFrame({"d": stripped.filter(shaped).str.replace_all(r"[^0-9]", "")})
        checked = digits.select(ssn_valid_expr(pl.col("d"))).to_series()
        return shaped.scatter(shaped.arg_true(), checked).alias(values.name)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        return values.str.replace_all(r"[^0-9]", "")


class UsSsnBareDetector(UsSsnDetector):
    """US Social Security Numbers written as nine bare digits, ``123456789``: context only.

    Nine digits alone are too common (order numbers, ZIP+4, account numbers) for the value to
    decide; a column named ``ssn`` or ``social_security_number``, or the words ``SSN`` /
    ``social security`` next to the number in text, do. Validation, canonical form and mask as
    :class:`UsSsnDetector` (masked ``***-**-6789``).

    References: python-stdnum ``us.ssn``.
    """

    name = "identity.us_ssn_bare"
    needs_context = True
    cell_pattern = r"\d{9}"
    text_pattern = r"(?<![\d\-])(?P<v>\d{9})(?![\d]|-\d)"
    prefilter = r"\d{9}"
    min_value_share = Detector.min_value_share

    def find_in_text(self, text: str) -> list[tuple[int, int, str]]:
        return [(start, end, value) for start, end, value in super().find_in_text(text)
                if words_near(text, start, end, self.context_words)]


# --- Chinese resident identity card number ----------------------------------------------------

_RIC_LENGTH = 18
_RIC_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_RIC_HEADER_WORDS = ("身份证", "身份证号", "身份证号码", "证件号", "证件号码", "公民身份号码",
                     "id_card", "idcard", "id_card_no", "id_card_number", "resident_id", "ric",
                     "sfzh", "shenfenzheng", "id_number", "national_id")
_RIC_CONTEXT_WORDS = ("身份证", "证件", "公民身份", "id card", "resident id", "identity card")


@lru_cache(maxsize=1 << 16)
def _ric_place_known(region: str, year: str) -> bool:
    """Whether ``region`` was an assigned county code in ``year`` (stdnum's numdb)."""
    try:
        ric.get_birth_place(f"{region}{year}01010000")
    except (ValidationError, KeyError):
        # stdnum raises KeyError for a few numdb entries without a county name
        return False
    return True


def _ric_check_char(body: pl.Expr) -> pl.Expr:
    """ISO 7064 MOD 11-2 check character of 17 digits, vectorised."""
    total: pl.Expr = pl.lit(0, dtype=pl.Int32)
    for position, weight in enumerate(_RIC_WEIGHTS):
        digit = body.str.slice(position, 1).cast(pl.Int32, strict=False).fill_null(0)
        total = total + digit * weight
    check = (12 - total % 11) % 11
    return pl.when(check == 10).then(pl.lit("X")).otherwise(check.cast(pl.String))


def _ric_check_matches(shaped: pl.Series) -> pl.Series:
    """Whether the 18th character of each shaped (upper-cased) number is its check character.

    When every cell is 18 ASCII bytes (the shape's ``\\d`` also takes other scripts' digits),
    the weighted sum is one NumPy product over the bytes, ten times faster than 17 slices.
    """
    offsets, data = string_bytes(shaped)
    if shaped.null_count() or not (np.diff(offsets) == _RIC_LENGTH).all():
        frame = pl.DataFrame({"v": shaped})
        return frame.select(pl.col("v").str.slice(17, 1)
                            == _ric_check_char(pl.col("v").str.slice(0, 17))).to_series()
    grid = data.reshape(-1, _RIC_LENGTH)
    total = (grid[:, :17].astype(np.int64) - ord("0")) @ np.array(_RIC_WEIGHTS, dtype=np.int64)
    check = (12 - total % 11) % 11
    expected = np.where(check == 10, ord("X"), check + ord("0"))
    return pl.Series(shaped.name, grid[:, 17] == expected, dtype=pl.Boolean)


def _mask_ric(value: str) -> str:
    """Region and the last four characters stay, the birth date goes: ``110105********123X``."""
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


class CnResidentIdDetector(Detector):
    """Chinese Resident Identity Card numbers (居民身份证号码), 18 characters.

    The RIC number identifies a PRC resident for life and encodes birth place, birth date and
    sex; PIPL treats it as sensitive. Layout: six-digit administrative region, birth date
    YYYYMMDD, three-digit sequence, ISO 7064 MOD 11-2 check character (``0``-``9`` or ``X``).
    Validation is ``stdnum.cn.ric``: check character, real birth date, and a region code that
    was assigned in the birth year. ``valid_cells`` computes check character and date as Polars
    expressions and asks stdnum only once per distinct (region, birth year) pair. Hong Kong,
    Macau and Taiwan residence permits (``810000``, ``820000``, ``830000``) are not RIC numbers
    and are not accepted. Masked: ``110105********123X`` (region and last four kept).

    References: GB 11643-1999; ISO 7064; python-stdnum ``cn.ric``.
    """

    category = "government_id"
    name = "identity.cn_ric"
    header_words = _RIC_HEADER_WORDS
    context_words = _RIC_CONTEXT_WORDS
    cell_pattern = r"\d{17}[\dXx]"
    text_pattern = r"(?<![0-9A-Za-z])(?P<v>\d{17}[\dXx])(?![0-9A-Za-z])"
    prefilter = r"\d{17}[\dXx]"
    # ASCII word boundaries: a Chinese character touching the number is a boundary
    text_extract = r"(?-u:\b)[1-9][0-9]{16}[0-9Xx](?-u:\b)"

    def validate(self, candidate: str) -> bool:
        return bool(ric.is_valid(candidate))

    def normalize(self, candidate: str) -> str:
        return candidate.upper()

    def kind(self, candidate: str) -> str | None:
        return "cn_ric"

    def mask(self, candidate: str) -> str:
        return _mask_ric(candidate.upper())

    def valid_cells(self, values: pl.Series) -> pl.Series:
        upper = values.str.strip_chars().str.to_uppercase()
        shaped = upper.str.contains(r"^\d{17}[\dX]$").fill_null(False)
        if not shaped.any():
            return shaped.alias(values.name)
        # the checks run on the shaped cells only, the 17-digit body materialised once
        value = pl.col("v")
        frame = pl.DataFrame({"v": upper.filter(shaped)})
        frame = frame.with_columns(
            key=value.str.slice(0, 10),
            checked=_ric_check_matches(frame["v"])
            & value.str.slice(6, 8).str.to_date("%Y%m%d", strict=False).is_not_null(),
        )
        keys = frame.filter(pl.col("checked"))["key"].unique().to_list()
        known = [k for k in keys if _ric_place_known(k[:6], k[6:])]
        known_keys = pl.lit(pl.Series(known, dtype=pl.String).implode())
        valid = frame.select(
            (pl.col("checked") & pl.col("key").is_in(known_keys)).fill_null(False)
        ).to_series()
        return shaped.scatter(shaped.arg_true(), valid).alias(values.name)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        return values.str.strip_chars().str.to_uppercase()


class CnResidentId15Detector(Detector):
    """First-generation Chinese resident ID numbers, 15 digits (issued until 2004): context only.

    Layout: region (6), birth date YYMMDD in the 1900s (6), sequence (3); no check digit, so
    only a column named like ``身份证`` or nearby words make 15 digits an ID. Validation: a
    region assigned in the birth year (stdnum's table) and a real date. The canonical form is
    the 18-character number (``19`` inserted, check character computed with stdnum), so both
    generations of one person's ID count once. Masked: ``610104******690``.

    References: GB 11643-1989; python-stdnum ``cn.ric``.
    """

    category = "government_id"
    name = "identity.cn_ric_15"
    needs_context = True
    header_words = _RIC_HEADER_WORDS
    context_words = _RIC_CONTEXT_WORDS
    cell_pattern = r"\d{15}"
    text_pattern = r"(?<![0-9A-Za-z])(?P<v>\d{15})(?![0-9A-Za-z])"
    prefilter = r"\d{15}"

    def validate(self, candidate: str) -> bool:
        if not re.fullmatch(r"\d{15}", candidate):
            return False
        try:
            datetime.date(1900 + int(candidate[6:8]), int(candidate[8:10]), int(candidate[10:12]))
        except ValueError:
            return False
        return _ric_place_known(candidate[:6], "19" + candidate[6:8])

    def valid_cells(self, values: pl.Series) -> pl.Series:
        """:meth:`validate`, vectorised for ASCII digits: the birth date as a Polars date,
        stdnum's region table once per distinct (region, year). Any 15-digit column (IMEIs)
        is otherwise one Python call per value while a sample is classified."""
        stripped = values.str.strip_chars()
        shaped = stripped.str.contains(rf"^(?:{self.cell_pattern})$").fill_null(False)
        if not shaped.any():
            return shaped.alias(values.name)
        frame = pl.DataFrame({"v": stripped.filter(shaped)}).with_columns(
            ascii=pl.col("v").str.contains(r"^[0-9]{15}$"),
            region=pl.col("v").str.slice(0, 6),
            year=pl.lit("19") + pl.col("v").str.slice(6, 2),
        ).with_columns(
            dated=pl.col("ascii") & (pl.col("year") + pl.col("v").str.slice(8, 4))
            .str.to_date("%Y%m%d", strict=False).is_not_null(),
        )
        keys = frame.filter("dated").select("region", "year").unique().iter_rows()
        known = pl.Series([r + y for r, y in keys if _ric_place_known(r, y)], dtype=pl.String)
        others = frame.filter(~pl.col("ascii"))["v"].unique().to_list()
        accepted = pl.Series([v for v in others if self.validate(v)], dtype=pl.String)
        checked = frame.select(
            (pl.col("dated") & (pl.col("region") + pl.col("year")).is_in(known.implode()))
            | pl.col("v").is_in(accepted.implode())
        ).to_series()
        return shaped.scatter(shaped.arg_true(), checked).alias(values.name)

    def normalize(self, candidate: str) -> str:
        body = candidate[:6] + "19" + candidate[6:]
        return body + ric.calc_check_digit(body + "0")

    def kind(self, candidate: str) -> str | None:
        return "cn_ric"

    def mask(self, candidate: str) -> str:
        return candidate[:6] + "*" * (len(candidate) - 9) + candidate[-3:]

    def find_in_text(self, text: str) -> list[tuple[int, int, str]]:
        return [(start, end, value) for start, end, value in super().find_in_text(text)
                if words_near(text, start, end, self.context_words)]


# --- Passport numbers --------------------------------------------------------------------------

class PassportNumberDetector(Detector):
    """Passport numbers: 6-9 letters and digits, recognised only by context.

    A passport number identifies its holder internationally. Formats differ by country
    (US: 9 digits; China: ``E`` + 8; Germany: 9 letters and digits) and none has a check digit
    outside the machine-readable zone, so a value is a passport number only in a column named
    ``passport`` (``passport_no``, ``护照号``, ``Reisepass``, ``passeport``, ``pasaporte``) or
    next to those words in text. A candidate must contain at least one digit. Canonical form:
    upper case. Masked: all but the last two characters, ``*******89``.

    References: ICAO Doc 9303.
    """

    category = "government_id"
    name = "identity.passport"
    needs_context = True
    header_words = ("passport", "passport_no", "passport_number", "passport_id", "护照", "护照号",
                    "护照号码", "reisepass", "reisepassnummer", "passnummer", "passeport",
                    "numero_passeport", "pasaporte", "numero_pasaporte", "パスポート")
    negative_header_words = ("passport_country", "passport_expiry", "passport_issue_date",
                             "passport_type")
    context_words = ("passport", "护照", "reisepass", "passeport", "pasaporte", "pass-nr",
                     "passnummer")
    cell_pattern = r"[A-Za-z0-9]{6,9}"
    text_pattern = r"(?<![0-9A-Za-z])(?P<v>[A-Z0-9]{6,9})(?![0-9A-Za-z])"
    prefilter = r"[A-Z0-9]{6,9}"

    def validate(self, candidate: str) -> bool:
        return (6 <= len(candidate) <= 9 and candidate.isascii() and candidate.isalnum()
                and any(c.isdigit() for c in candidate))

    def normalize(self, candidate: str) -> str:
        return candidate.upper()

    def kind(self, candidate: str) -> str | None:
        return "passport"

    def mask(self, candidate: str) -> str:
        return "*" * (len(candidate) - 2) + candidate[-2:]

    def valid_cells(self, values: pl.Series) -> pl.Series:
        stripped = values.str.strip_chars()
        return (stripped.str.contains(r"^[A-Za-z0-9]{6,9}$") & stripped.str.contains(r"\d")
                ).fill_null(False)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        return values.str.strip_chars().str.to_uppercase()

    def find_in_text(self, text: str) -> list[tuple[int, int, str]]:
        return [(start, end, value) for start, end, value in super().find_in_text(text)
                if words_near(text, start, end, self.context_words, window=30)]
