"""Contact details: email addresses and telephone numbers."""

from __future__ import annotations

import copy
import re
import threading
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import phonenumbers
import polars as pl

from .base import Detector
from .masking import mask_all_but_last, mask_email
from .phone_forms import PhoneColumnForm, fit_column_form
from .vectorized import (
    byte_table,
    has_byte_at_least,
    keep_bytes,
    lower_case,
    row_sums,
    string_bytes,
)

# --- email -------------------------------------------------------------------------------------

_ATEXT_SYMBOLS = "!#$%&'*+/=?^_`{|}~-"
_RUST_ATEXT = r"[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]"
_RUST_LOCAL = rf"{_RUST_ATEXT}+(?:\.{_RUST_ATEXT}+)*"
_RUST_LABEL = r"[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?"
_RUST_TLD = r"(?:\p{L}[\p{L}\p{M}]{1,62}|(?i:xn--[a-z0-9-]{1,59}))"
_EMAIL_CELL = rf"{_RUST_LOCAL}@(?:{_RUST_LABEL}\.)+{_RUST_TLD}"
_ASCII_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_ASCII_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_ASCII = (rf"^{_ASCII_ATEXT}+(?:\.{_ASCII_ATEXT}+)*@(?:{_ASCII_LABEL}\.)+"
                r"(?:[A-Za-z]{2,63}|(?i:xn--[a-z0-9-]{1,59}))$")
""":data:`_EMAIL_CELL` restricted to ASCII: the same language on ASCII strings."""

_MAX_EMAIL = 254
_MAX_LOCAL = 64
_MAX_LABEL = 63
# _EMAIL_CELL without its label lengths, and the labels of 64 characters or more that it
# refuses: Polars compiles a pattern again when more than 32 are in use, and the counted
# repetitions of Unicode classes take 57 ms to compile, against 4
_RUST_ANY_LABEL = r"[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?"
_RUST_ANY_TLD = r"(?:\p{L}[\p{L}\p{M}]+|(?i:xn--[a-z0-9-]{1,59}))"
_EMAIL_CELL_UNBOUNDED = rf"^{_RUST_LOCAL}@(?:{_RUST_ANY_LABEL}\.)+{_RUST_ANY_TLD}$"
_LONG_DOMAIN_LABEL = rf"@(?:[^.@]*\.)*[^.@]{{{_MAX_LABEL + 1}}}"
_PUNYCODE_TLD = re.compile(r"xn--[a-z0-9-]{1,59}", re.IGNORECASE)


def _category_class(char: str) -> str:
    return unicodedata.category(char)[0]


def _local_part_ok(local: str) -> bool:
    if not 0 < len(local) <= _MAX_LOCAL:
        return False
    for atom in local.split("."):
        if not atom:
            return False
        if any(c not in _ATEXT_SYMBOLS and _category_class(c) not in "LN" for c in atom):
            return False
    return True


def _label_ok(label: str) -> bool:
    if not 0 < len(label) <= _MAX_LABEL or label[0] == "-" or label[-1] == "-":
        return False
    return all(c == "-" or _category_class(c) in "LMN" for c in label)


def _tld_ok(tld: str) -> bool:
    if _PUNYCODE_TLD.fullmatch(tld):
        return True
    return (2 <= len(tld) <= _MAX_LABEL and _category_class(tld[0]) == "L"
            and all(_category_class(c) in "LM" for c in tld))


class EmailDetector(Detector):
    """Email addresses: a practical subset of the RFC 5322 ``addr-spec``.

    An email address names one person (or one mailbox) everywhere it is used, so it is a
    covered personal identifier. Accepted: dot-atom local parts (ASCII ``atext`` plus Unicode
    letters and digits, RFC 6531) at a domain of at least two labels whose last label (the TLD)
    is two or more letters or a punycode ``xn--`` label. Not accepted: quoted local parts,
    IP-literal domains (``[127.0.0.1]``) and dotless hosts (``localhost``), which are valid
    RFC 5322 but rare in data and noisy in text. In free text a trailing dot is not part of the
    address. The canonical form lower-cases the whole address: the local part is case-sensitive
    in theory (RFC 5321 4.1.2) but no major provider treats it so, and merging ``Alice@`` with
    ``alice@`` counts people better. Masked: ``a***@example.com``.

    References: RFC 5322 3.4.1, RFC 5321 4.5.3.1 (length limits), RFC 6531, RFC 3492.
    """

    category = "email"
    name = "contact.email"
    header_words = ("email", "e_mail", "mail", "email_address", "mail_address", "邮箱",
                    "电子邮件", "邮件", "メール", "courriel", "correo", "correo_electronico")
    negative_header_words = ("mail_server", "mail_host", "smtp_host")
    context_words = ("email", "e-mail", "mail", "邮箱", "contact", "courriel", "correo")
    cell_pattern = _EMAIL_CELL
    # In prose and logs ``=``, ``/`` and ``|`` separate keys and fields (``user=a@b.com``),
    # so the text pattern leaves them out of the local part, which the RFC would allow.
    text_pattern = (r"(?P<v>[\w.!#$%&'*+?^`{}~-]+"
                    r"@(?:[^\W_]|[-.\u0300-\u036f\u0900-\u0dff])+)")
    prefilter = r"[^\s@]@[^\s@]+\.[^\s@]"
    # Text columns (Polars): the text pattern, its domain ending on a label (no trailing dot).
    text_extract = (r"[\w.!#$%&'*+?^`{}~-]+@[\p{L}\p{M}\p{N}-]+(?:\.[\p{L}\p{M}\p{N}-]+)+")
    text_rows = "@"

    def validate(self, candidate: str) -> bool:
        if len(candidate) > _MAX_EMAIL:
            return False
        local, at, domain = candidate.rpartition("@")
        if not at or not _local_part_ok(local):
            return False
        labels = domain.split(".")
        if len(labels) < 2:
            return False
        return all(_label_ok(label) for label in labels[:-1]) and _tld_ok(labels[-1])

    def normalize(self, candidate: str) -> str:
        return candidate.lower()

    def mask(self, candidate: str) -> str:
        return mask_email(candidate)

    def valid_cells(self, values: pl.Series) -> pl.Series:
        return self.count_cells(values.str.strip_chars())

    def count_cells(self, values: pl.Series) -> pl.Series:
        """The full check, on cells already stripped (as the full pass and text give them).

        ASCII cells take a strict ASCII regex of the same grammar (about 25 times faster than
        the Unicode classes); only cells with non-ASCII characters that it rejects get the
        Unicode regex.
        """
        size = values.str.len_bytes()
        ascii_ok = (values.str.contains(_EMAIL_ASCII) & (size <= _MAX_EMAIL)).fill_null(False)
        # the local part fits unless the address is longer than the longest local part, "@"
        # and the shortest domain ("a.bc")
        long = (size > _MAX_LOCAL + 5).fill_null(False)
        if long.any():
            rows = long.arg_true()
            local_fits = values.gather(rows).str.find("@", literal=True) <= _MAX_LOCAL
            ascii_ok = ascii_ok.scatter(rows, ascii_ok.gather(rows) & local_fits.fill_null(False))
        if not has_byte_at_least(values, 0x80):
            return ascii_ok.alias(values.name)
        rejected = (~ascii_ok).arg_true()
        rows = rejected.filter(
            values.gather(rejected).str.contains(r"[^\x00-\x7F]").fill_null(False))
        if rows.len() == 0:
            return ascii_ok.alias(values.name)
        others = values.gather(rows)
        local_length = others.str.extract(r"^(.*)@", 1).str.len_chars()
        unicode_ok = (others.str.contains(_EMAIL_CELL_UNBOUNDED)
                      & ~others.str.contains(_LONG_DOMAIN_LABEL)
                      & (others.str.len_chars() <= _MAX_EMAIL)
                      & (local_length <= _MAX_LOCAL)).fill_null(False)
        return ascii_ok.scatter(rows, unicode_ok).alias(values.name)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        """Lower case; cells come stripped."""
        return lower_case(values)

    def normalize_found(self, values: pl.Series) -> pl.Series:
        """:meth:`normalize` in Polars where every value is ASCII (both lower-case A-Z and
        nothing else there); per distinct value otherwise."""
        if not has_byte_at_least(values, 0x80):
            return values.str.to_lowercase()
        return super().normalize_found(values)

    def find_in_text(self, text: str) -> list[tuple[int, int, str]]:
        found = []
        for match in self.text_regex.finditer(text):
            value = match.group("v").rstrip(".-")
            if self.validate(value):
                start = match.start("v")
                found.append((start, start + len(value), value))
        return found


# --- phone -------------------------------------------------------------------------------------

DEFAULT_REGIONS: tuple[str, ...] = ("US", "CN", "GB", "DE", "FR", "ES", "TR", "JP", "IL")
"""Regions tried, in order, for numbers written without ``+``; the first valid one wins."""

_TRUNK_ZERO_REGIONS = frozenset({"CN", "GB", "DE", "FR", "TR", "JP", "IL"})
_MOBILE_WITHOUT_TRUNK_REGIONS = frozenset({"CN", "TR"})
_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}")
_DATE_IN_TEXT = re.compile(r"(?<![0-9])(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]"
                           r"\d{4})(?![0-9])")
_DATE_CANDIDATE = r"[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4}"
"""The dates of :data:`_DATE_IN_TEXT` in Rust regex, without its look-arounds."""
_EXTENSION = r"\s*(?i:ext\.?|extension|x|#)\s*\d{1,6}"
_PHONE_CELL = rf"\(?\+?\(?\d[\d\s().\-/]{{3,24}}\d(?:{_EXTENSION})?"
_MIN_DIGITS = 5
_MAX_DIGITS = 17
"""With an international call prefix: ``0049 30 1234567`` has 13, E.164 allows 15 after it."""
_E164_MAX_DIGITS = 15
_MAX_TRUNK_DIGITS = 14
"""A national number with its trunk ``0``: every mobile and fixed-line length of the trunk
regions fits, but German fixed lines of 14-15 digits (direct-dial extensions); a 15-digit
run starting with ``0`` is far more often an IMEI (reporting body ``01``) or an ID."""
"""ITU-T E.164: country code and national number together have at most 15 digits."""
# Whole cells with a phone number's characters that are something else: dates, dotted quads,
# decimals, and dotted versions with a one-digit part after the first (``10.0.19041.1``).
_NOT_A_PHONE = (r"^\s*(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,3}(?:\.\d{1,3}){3}|\d+\.\d+"
                r"|\d+(?:\.\d+)*\.\d(?:\.\d+)*)\s*$")
_NOT_A_PHONE_RE = re.compile(_NOT_A_PHONE)
_DIGIT_GROUP = re.compile(r"\d+")
_MAX_GROUPS_IN_RUN = 12
_FULLWIDTH_DIGITS = [chr(0xFF10 + d) for d in range(10)]
_ASCII_DIGITS = [str(d) for d in range(10)]


def _no_trunk_limits() -> tuple[int, dict[str, int]]:
    """Digit limits of numbers written without ``+`` or a leading ``0``, from the metadata.

    Returns the longest national form (national prefix included: ``1 415 555 0132``) and,
    per country code, the longest form written with the code but without ``+``
    (``8613812345678``), over the regions tried without a trunk prefix (mobile numbers
    only where only mobiles go without it).
    """
    national = 0
    with_code: dict[str, int] = {}
    for region in DEFAULT_REGIONS:
        if region in _TRUNK_ZERO_REGIONS and region not in _MOBILE_WITHOUT_TRUNK_REGIONS:
            continue
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            continue
        without_trunk = region in _MOBILE_WITHOUT_TRUNK_REGIONS
        desc = metadata.mobile if without_trunk else metadata.general_desc
        longest = max(desc.possible_length if desc is not None else (), default=0)
        prefix = "" if without_trunk else metadata.national_prefix or ""
        national = max(national, len(prefix) + longest)
        code = str(metadata.country_code)
        with_code[code] = max(with_code.get(code, 0), len(code) + longest)
    return national, with_code


def _phone_shape() -> str:
    """The strict cell shape with its digit count limits, as one Rust regex.

    ``+`` numbers: 5 to 16 digits (E.164's 15, plus a ``(0)`` trunk some write after the
    code); a leading ``00`` (international prefix): up to 17; a leading ``0`` (trunk): up to
    :data:`_MAX_TRUNK_DIGITS`; other numbers: up to
    the national length, or a country code written without ``+`` and its longest number.
    Between two digits at most three separators.
    """
    gap = r"[\s().\-/]{0,3}"
    national, with_code = _no_trunk_limits()
    forms = [
        rf"\(?\+\(?\d(?:{gap}\d){{{_MIN_DIGITS - 1},{_E164_MAX_DIGITS}}}",
        rf"\(?[0０](?:{gap}\d){{{_MIN_DIGITS - 1},{_MAX_TRUNK_DIGITS - 1}}}",
        rf"\(?[0０]{gap}[0０](?:{gap}\d){{{_MIN_DIGITS - 2},{_MAX_DIGITS - 2}}}",
        rf"\(?[\d--[0０]](?:{gap}\d){{{_MIN_DIGITS - 1},{national - 1}}}",
    ]
    for code, longest in sorted(with_code.items()):
        if longest > national:
            tail = "".join(rf"{gap}{d}" for d in code[1:])
            forms.append(rf"\(?{code[0]}{tail}(?:{gap}\d){{{national - len(code) + 1},"
                         rf"{longest - len(code)}}}")
    return rf"^\s*(?:{'|'.join(forms)})(?:{_EXTENSION})?\s*$"


_PHONE_SHAPE = _phone_shape()


def phone_shape_cells(values: pl.Series) -> pl.Series:
    """Cells shaped like one phone number: the vectorised check before libphonenumber.

    The strict shape of :func:`_phone_shape` (digit counts per form), and not a date, dotted
    quad, decimal or dotted version. Card numbers (16 digits), IMEIs, IPs, prices,
    coordinates and versions fail it, so they never reach Python.
    """
    return (values.str.contains(_PHONE_SHAPE) & ~values.str.contains(_NOT_A_PHONE)
            ).fill_null(False).alias(values.name)


def phone_digits_cells(values: pl.Series) -> pl.Series:
    """``+`` and the digits of numbers written with ``+``, the digits alone otherwise.

    Extensions are dropped, a ``(0)`` after the country code too; full-width digits become
    ASCII. The bytes are filtered with NumPy over the Arrow buffers (Polars' regex
    ``replace_all`` is several times slower on short strings); the rare fix-ups run only on
    batches that need them.
    """
    _, data = string_bytes(values)
    if data.size and data.max() >= 0x80:
        values = values.str.replace_many(_FULLWIDTH_DIGITS, _ASCII_DIGITS)
    offsets, data = string_bytes(values)
    with_letters = row_sums(_LETTER_OR_HASH.take(data).view(np.uint8), offsets) > 0
    if with_letters.any():
        rows = np.flatnonzero(with_letters)
        cut = values.gather(rows).str.replace(f"{_EXTENSION}\\s*$", "")
        values = values.clone().scatter(rows, cut)
    if ((data[:-2] == ord("(")) & (data[1:-1] == ord("0")) & (data[2:] == ord(")"))).any():
        plus = values.str.contains(r"^\s*\(?\+")
        values = pl.select(pl.when(plus).then(values.str.replace("(0)", "", literal=True))
                           .otherwise(values)).to_series().alias(values.name)
    return keep_bytes(values, b"+0123456789")


_LETTER_OR_HASH = byte_table(bytes(range(ord("A"), ord("Z") + 1))
                             + bytes(range(ord("a"), ord("z") + 1)) + b"#")


_NOT_ASCII_DIGIT = re.compile(r"[^0-9]")


def _digits(candidate: str) -> str:
    """The digits of ``candidate``, any script's (``str.isdigit``)."""
    if candidate.isascii():
        return _NOT_ASCII_DIGIT.sub("", candidate)
    return "".join(filter(str.isdigit, candidate))


def _region_accepts(digits: str, number: phonenumbers.PhoneNumber, region: str) -> bool:
    """National numbers need their trunk prefix where one is always dialled (``0`` in Europe).

    Without this, German metadata alone accepts about 80 % of random 8-11 digit strings.
    Chinese and Turkish mobile numbers are commonly written without the prefix. ``digits``
    are the candidate's.
    """
    if region not in _TRUNK_ZERO_REGIONS:
        return True
    if digits.startswith("0"):
        return True
    return region in _MOBILE_WITHOUT_TRUNK_REGIONS and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


_INTERNATIONAL: tuple[str | None, ...] = (None,)
_WITH_TRUNK_ZERO = tuple(r for r in DEFAULT_REGIONS if r in _TRUNK_ZERO_REGIONS)
_WITHOUT_TRUNK_ZERO = tuple(r for r in DEFAULT_REGIONS
                            if r not in _TRUNK_ZERO_REGIONS or r in _MOBILE_WITHOUT_TRUNK_REGIONS)


def _regions_to_try(candidate: str, digits: str | None = None) -> tuple[str | None, ...]:
    if candidate.lstrip("( ").startswith("+"):
        return _INTERNATIONAL
    if (_digits(candidate) if digits is None else digits).startswith("0"):
        return _WITH_TRUNK_ZERO
    return _WITHOUT_TRUNK_ZERO


def parse_phone(candidate: str) -> phonenumbers.PhoneNumber | None:
    """The valid number ``candidate`` writes, or None."""
    digits = _digits(candidate)
    if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS or _DATE.fullmatch(candidate):
        return None
    for region in _regions_to_try(candidate, digits):
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number) and (
            region is None or _region_accepts(digits, number, region)
        ):
            return number
    return None


_PLAIN_NUMBER = re.compile(r"[ \t]*\(?\+?[0-9 \t().\-/]*")
"""A number written with ASCII digits and separators only: libphonenumber reads nothing but
its digits (and the leading ``+``), so it is validated as ``+digits`` or ``digits``."""


def phone_key(candidate: str) -> str:
    """The cache key of a candidate: ``+`` and digits, or digits, where spacing cannot change
    libphonenumber's answer; the candidate itself otherwise (extensions, full-width digits,
    and dates, which :func:`parse_phone` rejects on their written form)."""
    if _PLAIN_NUMBER.fullmatch(candidate) and not _DATE.fullmatch(candidate):
        digits = _NOT_ASCII_DIGIT.sub("", candidate)
        return "+" + digits if "+" in candidate else digits
    return candidate


def phone_key_cells(candidates: pl.Series) -> pl.Series:
    """:func:`phone_key` over a column, in Polars (one Python call per distinct key after)."""
    plain = (candidates.str.contains(f"^(?:{_PLAIN_NUMBER.pattern})$")
             & ~candidates.str.contains(f"^(?:{_DATE.pattern})$")).fill_null(False)
    digits = candidates.str.replace_all("[^0-9]", "")
    key = pl.select(pl.when(candidates.str.contains("+", literal=True))
                    .then(pl.lit("+") + digits).otherwise(digits)).to_series()
    return pl.select(pl.when(plain).then(key).otherwise(candidates)).to_series().alias(
        candidates.name)
_PLAIN_NATIONAL = r"^[ \t(]*[1-9][0-9 \t().\-/]*$"
"""Plain numbers without ``+`` nor trunk ``0``: tried in the regions that dial no trunk
prefix (or not for mobiles)."""


def _min_national_digits() -> int:
    """Fewest digits a valid number of :data:`_PLAIN_NATIONAL` can have: the shortest length
    the metadata allows in the regions it is tried in (mobiles only where only mobiles go
    without the trunk prefix). A country code or international prefix only adds digits."""
    shortest = _MAX_DIGITS
    for region in _regions_to_try("1"):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region or "")
        if metadata is None:
            return _MIN_DIGITS
        desc = metadata.mobile if region in _MOBILE_WITHOUT_TRUNK_REGIONS else metadata.general_desc
        lengths = [n for n in (desc.possible_length if desc is not None else ()) if n > 0]
        if not lengths:
            return _MIN_DIGITS
        shortest = min(shortest, *lengths)
    return shortest


_MIN_NATIONAL_DIGITS = _min_national_digits()


@lru_cache(maxsize=1 << 17)
def phone_e164(candidate: str) -> str | None:
    """E.164 form of a valid number, else None; cached, since columns and text repeat numbers.

    Pass :func:`phone_key` of a candidate, so that numbers equal up to spacing share one
    libphonenumber check. The cache holds strings (not parsed numbers) to stay small: 131,072
    entries (~20 MB).
    """
    number = parse_phone(candidate)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class RememberedTable:
    """Columns computed once per distinct key and remembered across batches, joined in Polars.

    ``describe`` gets the keys not seen yet (distinct, no nulls) and returns a frame with a
    ``key`` column and the remembered columns. A column of a few thousand phone numbers
    repeated over millions of rows is then described once per number, with no Python per row
    or per batch. Shared by threads; bounded (emptied when it outgrows :attr:`MAX_KEYS`).

    Only keys whose ``remember`` column is true are kept: every lookup joins with the whole
    table, so keys that are cheap to describe again (a sample's prices and versions, when
    columns are classified) would only slow down every later lookup.
    """

    MAX_KEYS = 1 << 20
    MAX_CHUNKS = 16

    def __init__(self, schema: dict[str, type[pl.DataType]],
                 describe: Callable[[pl.Series], pl.DataFrame],
                 remember: str | None = None) -> None:
        self._known = pl.DataFrame(schema={"key": pl.String, **schema})
        self._describe = describe
        self._remember = remember
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """Keys remembered."""
        return self._known.height

    def clear(self) -> None:
        with self._lock:
            self._known = self._known.clear()

    def lookup(self, keys: pl.Series) -> pl.DataFrame:
        """The remembered columns, one row per key (nulls for null keys)."""
        known = self._known
        distinct = keys.drop_nulls().unique()
        missing = distinct.filter(~distinct.is_in(known["key"].implode()))
        if missing.len():
            # one thread describes at a time: keys another thread was describing meanwhile
            # (the first batches of a phone column and of a text column share most numbers)
            # are then known, not described twice
            with self._lock:
                known = self._known
                missing = missing.filter(~missing.is_in(known["key"].implode()))
                if missing.len():
                    found = self._describe(missing.rename("key")).select(known.columns).cast(
                        known.schema)
                    kept = found.filter(self._remember) if self._remember else found
                    held = known if known.height < self.MAX_KEYS else found.clear()
                    held = pl.concat([held, kept], rechunk=False)
                    self._known = held.rechunk() if held.n_chunks() > self.MAX_CHUNKS else held
                    known = pl.concat([known, found], rechunk=False)  # found: keys not in known
        return keys.rename("key").to_frame().join(
            known, on="key", how="left", maintain_order="left").drop("key")


def _e164_of_keys(keys: pl.Series) -> pl.DataFrame:
    return pl.DataFrame({"key": keys, "e164": pl.Series(
        [phone_e164(key) for key in keys.to_list()], dtype=pl.String)})


E164_TABLE = RememberedTable({"e164": pl.String}, _e164_of_keys)
""":func:`phone_e164` per :func:`phone_key` (numbers equal up to spacing share a key)."""


def _describe_cells(cells: pl.Series) -> pl.DataFrame:
    """Per stripped cell: the shape check, its E.164 form (null unless a valid number; only
    shaped cells are asked, and not plain national numbers shorter than any number of the
    regions tried) and its digits."""
    shaped = phone_shape_cells(cells)
    too_short = (cells.str.contains(_PLAIN_NATIONAL)
                 & (cells.str.count_matches("[0-9]") < _MIN_NATIONAL_DIGITS)).fill_null(False)
    asked = shaped & ~too_short
    e164 = pl.Series("e164", [None] * cells.len(), dtype=pl.String)
    if asked.any():
        e164 = e164.scatter(asked.arg_true(),
                            E164_TABLE.lookup(phone_key_cells(cells.filter(asked)))["e164"])
    return pl.DataFrame({"key": cells, "shaped": shaped, "e164": e164,
                         "digits": phone_digits_cells(cells)})


PHONE_CELLS = RememberedTable(
    {"shaped": pl.Boolean, "e164": pl.String, "digits": pl.String}, _describe_cells,
    remember="shaped")
"""Per stripped cell of a phone column or phone candidate in text: shape, E.164, digits."""


def forget_phone_numbers() -> None:
    """Drop the numbers the caches hold (the engine calls it when a scan ends): a process that
    goes on, a test run or a notebook, keeps no personal data from a finished scan."""
    E164_TABLE.clear()
    PHONE_CELLS.clear()
    phone_e164.cache_clear()


_WORD_AROUND = re.compile(r"[0-9A-Za-z_\-]*")


def _inside_word(text: str, start: int, end: int) -> bool:
    """True when the digits are part of a token with ASCII letters (a UUID, a hex id, a SKU):
    the same rule as the vectorised candidates, where letters touching a number join it."""
    before = start
    while before > 0 and (text[before - 1].isascii() and (text[before - 1].isalnum()
                                                          or text[before - 1] in "-_")):
        before -= 1
    after = _WORD_AROUND.match(text, end)
    token = text[before:after.end() if after else end]
    return any(c.isascii() and c.isalpha() for c in token)


def _international(candidate: str) -> bool:
    """Written with its country code (``+49 30 1234567``, ``0049 30 1234567``)."""
    return candidate.lstrip("(").startswith(("+", "00"))


class PhoneDetector(Detector):
    """Telephone numbers of any country, validated with libphonenumber's metadata.

    A phone number reaches one person, so it is a covered personal identifier. A cell
    written ``+CC ...`` is parsed without a region and must be a valid number. A cell without
    ``+`` is tried against :data:`DEFAULT_REGIONS` in order (US, CN, GB, DE, FR, ES, TR, JP, IL)
    and must be valid in one of them; in regions where the trunk prefix ``0`` is always dialled,
    the cell must carry it (Chinese mobiles excepted). A national-format number is thus
    ambiguous by nature: about a third of random 10-digit strings are valid US numbers, which
    is why :attr:`min_value_share` is high and a header word (``phone``, ``tel``, ``手机``...)
    is the real evidence for national-format columns. Dates (``3/10/1984``) are rejected.
    Masked: the country code and the last two digits, ``+1 *** *** **32``.

    Two levels of checking. :meth:`valid_cells` (column samples, tests) and free text use
    libphonenumber in full, once per distinct candidate through a cache of 131,072 entries,
    after a vectorised shape check (:func:`phone_shape_cells`: digit counts per form, no
    dates, IPs, decimals or versions) that keeps card numbers, IMEIs, coordinates and the
    like from ever reaching Python. :meth:`count_cells`, the full pass over a column already
    classified as phone numbers, applies the shape check only, at Polars speed; its normal
    forms come from the rules the column's sample follows (:meth:`for_column`,
    :mod:`.phone_forms`), in Polars, and from libphonenumber for cells no rule covers.

    Canonical form: E.164 (``+14155550132``, extension dropped), for text matches
    (:meth:`normalize`) and columns (:meth:`normalize_cells`) alike, national numbers read in
    the first region of :data:`DEFAULT_REGIONS` where they are valid: one number written
    nationally in one place and internationally in another counts once. A cell of a phone
    column that is no valid number keeps ``+`` and its digits (or its digits alone).

    References: ITU-T E.164; libphonenumber (``phonenumbers``) metadata.
    """

    category = "phone"
    name = "contact.phone"
    header_words = ("phone", "tel", "telephone", "mobile", "cell", "cellphone", "msisdn", "fax",
                    "phone_number", "contact_number", "手机", "电话", "手机号", "联系电话",
                    "telefon", "handy", "telefonnummer", "téléphone", "portable",
                    "teléfono", "telefono", "móvil", "movil", "celular")
    negative_header_words = ("phone_model", "phone_type", "phone_brand", "telemetry")
    context_words = ("phone", "tel", "call", "mobile", "cell", "fax", "whatsapp", "电话", "手机",
                     "telefon", "handy", "téléphone", "portable", "teléfono", "móvil")
    cell_pattern = _PHONE_CELL
    # A run of digit groups, at most three separators apart, not glued to a word before it. A
    # tab is no separator: in logs and TSV it ends a field, and numbers of adjacent fields
    # (ports, byte counts) would join into a phone.
    text_pattern = r"(?<![0-9A-Za-z_+])\+?\(?\d+(?:[ \u00a0().\-/]{1,3}\d+)*"
    prefilter = r"\d[\d\s().\-/]{4,}\d"
    # dates split a run of digit groups (_DATE_IN_TEXT) and give no number: a log line's
    # time stamp alone is no reason for the Python pass (a neighbour each side goes too)
    prefilter_ignores = rf"(?:^|[^0-9])(?:{_DATE_CANDIDATE})(?:[^0-9]|$)"
    # Text columns (Polars): dates, dotted quads and decimals are matched first as candidates
    # of their own (and rejected), so that their digits never join a phone candidate; letters,
    # ``_`` and ``-`` glued to a number on either side join it, so that ``ID12345678`` and
    # ``api-684909705.elb`` are no phone (the word rule of :func:`_inside_word`; a candidate
    # rejected for a glued ``_1`` leaves the row to the Python pass, which applies it exactly);
    # a dotted run takes its glue too, or ``CH-660.0.559.011`` would lose ``CH-660`` to it.
    # at least five digits (the shortest number parse_phone takes), as a candidate chains them
    text_rows = r"[0-9](?:[ \u00a0()\-/]{0,3}[0-9]){4}"
    text_extract = (rf"{_DATE_CANDIDATE}"
                    r"|[0-9A-Za-z_\-]*[0-9]+(?:\.[0-9]+)+[0-9A-Za-z_\-]*"
                    r"|[0-9A-Za-z_\-]*\+?\(?[0-9]+(?:[ \u00a0()\-/]{1,3}[0-9]+)*[0-9A-Za-z_\-]*")
    min_value_share = 0.8
    form: PhoneColumnForm | None = None
    """How the column this detector is fitted to writes its numbers (:meth:`for_column`)."""

    def validate(self, candidate: str) -> bool:
        return phone_e164(phone_key(candidate)) is not None

    def normalize(self, candidate: str) -> str:
        return phone_e164(phone_key(candidate)) or candidate

    def kind(self, candidate: str) -> str | None:
        number = parse_phone(candidate)
        if number is None:
            return None
        number_type = phonenumbers.number_type(number)
        if number_type == phonenumbers.PhoneNumberType.MOBILE:
            return "mobile"
        if number_type == phonenumbers.PhoneNumberType.FIXED_LINE:
            return "fixed_line"
        return None

    def mask(self, candidate: str) -> str:
        number = parse_phone(candidate)
        if number is None:
            return mask_all_but_last(candidate, keep=2)
        national = str(number.national_number)
        hidden = "*" * (len(national) - 2) + national[-2:]
        groups = [hidden[i:i + 3] for i in range(0, len(hidden), 3)]
        if len(groups) > 1 and len(groups[-1]) == 1:
            groups[-2:] = [groups[-2] + groups[-1]]
        return f"+{number.country_code} " + " ".join(groups)

    def valid_cells(self, values: pl.Series) -> pl.Series:
        """The shape check, then libphonenumber once per distinct number (cached per
        process, shared by spellings equal up to spacing); national numbers without a trunk
        ``0`` shorter than any number of the regions tried are rejected before Python."""
        return self._checked(values)[0]

    def _checked(self, values: pl.Series) -> tuple[pl.Series, pl.DataFrame]:
        """:meth:`valid_cells`, and per cell the remembered shape, E.164 form and digits
        (:data:`PHONE_CELLS`, keyed by the stripped cell)."""
        cells = PHONE_CELLS.lookup(values.str.strip_chars())
        valid = (cells["shaped"] & cells["e164"].is_not_null()).fill_null(False)
        return valid.alias(values.name), cells

    def valid_found(self, values: pl.Series) -> tuple[pl.Series, pl.Series]:
        """:meth:`valid_cells`, and the E.164 form of the valid values from the same lookup
        (values with spaces around them, which text extraction does not give, take
        :meth:`normalize_found`)."""
        valid, cells = self._checked(values)
        found = values.filter(valid)
        if not found.equals(found.str.strip_chars()):
            return valid, self.normalize_found(found)
        return valid, cells["e164"].filter(valid).alias(values.name)

    def count_cells(self, values: pl.Series) -> pl.Series:
        """The shape check of :func:`phone_shape_cells` only (no libphonenumber)."""
        return phone_shape_cells(values)

    def for_column(self, cells: pl.Series) -> PhoneDetector:
        """Fitted with the :class:`PhoneColumnForm` the column's sample follows, if any."""
        sample = PHONE_CELLS.lookup(cells).filter(pl.col("shaped").fill_null(False))
        form = fit_column_form(sample["digits"], sample["e164"], DEFAULT_REGIONS)
        if form is None:
            return self
        fitted = copy.copy(self)
        fitted.form = form
        return fitted

    def count_and_normalize(self, values: pl.Series) -> tuple[pl.Series, pl.Series]:
        """The shape check and the normal form: from the column's :attr:`form` where it
        covers a cell (in Polars), else as :meth:`normalize_cells` gives it (one
        :data:`PHONE_CELLS` lookup)."""
        stripped = values.str.strip_chars()
        if self.form is None:
            cells = PHONE_CELLS.lookup(stripped)
            counted = cells["shaped"].fill_null(False).alias(values.name)
            return counted, cells.filter(counted).select(
                pl.coalesce("e164", "digits")).to_series().alias(values.name)
        counted = phone_shape_cells(stripped)
        shaped = stripped.filter(counted)
        normal = self.form.e164(phone_digits_cells(shaped))
        asked = normal.is_null()
        if asked.any():
            normal = normal.scatter(asked.arg_true(), self.normalize_cells(shaped.filter(asked)))
        return counted, normal.alias(values.name)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        """E.164 where the cell is a valid number, read as :meth:`valid_cells` reads it (the
        same regions, in the same order, for numbers without a country code), so that
        ``(415) 555-0132`` and ``+1 415 555 0132`` count once; the keys are made in Polars,
        with one cached libphonenumber check per distinct key. Cells that pass the shape check
        but are no valid number keep :func:`phone_digits_cells`."""
        cells = PHONE_CELLS.lookup(values.str.strip_chars())
        return cells.select(pl.coalesce("e164", "digits")).to_series().alias(values.name)

    def normalize_found(self, values: pl.Series) -> pl.Series:
        """:meth:`normalize` (E.164) with the keys made in Polars and one cached check per
        distinct key."""
        canonical = E164_TABLE.lookup(phone_key_cells(values))["e164"]
        return pl.select(pl.coalesce(canonical, values)).to_series().alias(values.name)

    def find_in_text(self, text: str) -> list[tuple[int, int, str]]:
        """Runs of digit groups (``text_pattern``); in each, from left to right, the longest
        span of consecutive groups that is a valid number (cached libphonenumber check). A
        span without its country code (no ``+`` or ``00``) must be the whole run between
        dates: inside a longer run (``28654 443 6 15 3103`` in a flow log) ports, protocol
        numbers and byte counts would read as national numbers."""
        found: list[tuple[int, int, str]] = []
        for run in self.text_regex.finditer(text):
            if not _inside_word(text, run.start(), run.end()):
                found.extend(self._numbers_in_run(text, run.start(), run.end()))
        return found

    def _numbers_in_run(self, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        """Dates in the run (``2024-03-01 08:00``, ``08.01.2023 - 24.04.2023``) split it:
        no number is made of their groups."""
        found: list[tuple[int, int, str]] = []
        for date in _DATE_IN_TEXT.finditer(text, start, end):
            found.extend(self._numbers_between(text, start, date.start()))
            start = date.end()
        return found + self._numbers_between(text, start, end)

    def _numbers_between(self, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        groups = [(m.start(), m.end()) for m in _DIGIT_GROUP.finditer(text, start, end)]
        groups = groups[:_MAX_GROUPS_IN_RUN]
        found: list[tuple[int, int, str]] = []
        first = 0
        while first < len(groups):
            begin = groups[first][0]
            if first and text[groups[first - 1][1]:begin] == ".":
                first += 1  # inside a dotted run (version, address): no number starts here
                continue
            while begin > start and text[begin - 1] in "+(":
                begin -= 1
            for last in range(len(groups) - 1, first - 1, -1):
                candidate = text[begin:groups[last][1]]
                digits = sum(e - s for s, e in groups[first:last + 1])
                if (first > 0 or last < len(groups) - 1) and not _international(candidate):
                    continue
                if (_MIN_DIGITS <= digits <= _MAX_DIGITS
                        and not _NOT_A_PHONE_RE.match(candidate) and self.validate(candidate)):
                    found.append((begin, groups[last][1], candidate))
                    first = last
                    break
            first += 1
        return found
