"""Contact details: email addresses and telephone numbers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers
import polars as pl

from .base import Detector
from .masking import mask_all_but_last, mask_email

# --- email -------------------------------------------------------------------------------------

_ATEXT_SYMBOLS = "!#$%&'*+/=?^_`{|}~-"
_RUST_ATEXT = r"[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]"
_RUST_LOCAL = rf"{_RUST_ATEXT}+(?:\.{_RUST_ATEXT}+)*"
_RUST_LABEL = r"[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?"
_RUST_TLD = r"(?:\p{L}[\p{L}\p{M}]{1,62}|(?i:xn--[a-z0-9-]{1,59}))"
_EMAIL_CELL = rf"{_RUST_LOCAL}@(?:{_RUST_LABEL}\.)+{_RUST_TLD}"

_MAX_EMAIL = 254
_MAX_LOCAL = 64
_MAX_LABEL = 63
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
        stripped = values.str.strip_chars()
        local_length = stripped.str.extract(r"^(.*)@", 1).str.len_chars()
        return (
            stripped.str.contains(f"^(?:{self.cell_pattern})$")
            & (stripped.str.len_chars() <= _MAX_EMAIL)
            & (local_length <= _MAX_LOCAL)
        ).fill_null(False)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        return values.str.strip_chars().str.to_lowercase()

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
_PHONE_CELL = (r"\(?\+?\(?\d[\d\s().\-/]{3,24}\d"
               r"(?:\s*(?i:ext\.?|extension|x|#)\s*\d{1,6})?")
_MIN_DIGITS = 5
_MAX_DIGITS = 17


def _digits(candidate: str) -> str:
    return "".join(c for c in candidate if c.isdigit())


def _region_accepts(candidate: str, number: phonenumbers.PhoneNumber, region: str) -> bool:
    """National numbers need their trunk prefix where one is always dialled (``0`` in Europe).

    Without this, German metadata alone accepts about 80 % of random 8-11 digit strings.
    Chinese and Turkish mobile numbers are commonly written without the prefix.
    """
    if region not in _TRUNK_ZERO_REGIONS:
        return True
    if _digits(candidate).startswith("0"):
        return True
    return region in _MOBILE_WITHOUT_TRUNK_REGIONS and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _regions_to_try(candidate: str) -> tuple[str | None, ...]:
    if candidate.lstrip("( ").startswith("+"):
        return (None,)
    if _digits(candidate).startswith("0"):
        return tuple(r for r in DEFAULT_REGIONS if r in _TRUNK_ZERO_REGIONS)
    return tuple(r for r in DEFAULT_REGIONS
                 if r not in _TRUNK_ZERO_REGIONS or r in _MOBILE_WITHOUT_TRUNK_REGIONS)


def parse_phone(candidate: str) -> phonenumbers.PhoneNumber | None:
    """The valid number ``candidate`` writes, or None."""
    digit_count = len(_digits(candidate))
    if not _MIN_DIGITS <= digit_count <= _MAX_DIGITS or _DATE.fullmatch(candidate):
        return None
    for region in _regions_to_try(candidate):
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number) and (
            region is None or _region_accepts(candidate, number, region)
        ):
            return number
    return None


@lru_cache(maxsize=1 << 17)
def phone_e164(candidate: str) -> str | None:
    """E.164 form of a valid number, else None; cached, since columns repeat numbers.

    The cache holds strings (not parsed numbers) to stay small: 131,072 entries (~20 MB).
    """
    number = parse_phone(candidate)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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
    The canonical form is E.164 (``+14155550132``; extensions dropped). Masked: the country
    code and the last two digits, ``+1 *** *** **32``.

    Cost: validation runs in Python once per distinct candidate, through a cache of 131,072
    entries shared by all columns (see the docs for measured rates).

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
    text_pattern = r"(?P<v>\+?\(?\d[\d\s().\-/]{4,24}\d)"
    prefilter = r"\d[\d\s().\-/]{4,}\d"
    min_value_share = 0.8

    def validate(self, candidate: str) -> bool:
        return phone_e164(candidate) is not None

    def normalize(self, candidate: str) -> str:
        return phone_e164(candidate) or candidate

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
        stripped = values.str.strip_chars()
        digit_count = stripped.str.count_matches(r"\d")
        shaped = (
            stripped.str.contains(f"^(?:{self.cell_pattern})$")
            & digit_count.is_between(_MIN_DIGITS, _MAX_DIGITS)
        ).fill_null(False)
        candidates = stripped.filter(shaped).unique()
        valid = [c for c in candidates.to_list() if phone_e164(c) is not None]
        accepted = pl.Series(valid, dtype=pl.String).implode()
        return shaped & stripped.is_in(accepted).fill_null(False)

    def find_in_text(self, text: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        for region in DEFAULT_REGIONS:
            matcher = phonenumbers.PhoneNumberMatcher(
                text, region, leniency=phonenumbers.Leniency.VALID)
            for match in matcher:
                if any(match.start < end and start < match.end for start, end, _ in found):
                    continue
                if self.validate(match.raw_string):
                    found.append((match.start, match.end, match.raw_string))
        return sorted(found)
