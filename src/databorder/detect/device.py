"""Device identifiers: IMEI (and IMEISV), mobile advertising IDs and Android IDs."""

from __future__ import annotations

import re
from typing import ClassVar

import numpy as np
import polars as pl
from stdnum import imei as stdnum_imei
from stdnum import luhn

from .base import Detector
from .vectorized import SeparatedDigits, luhn_valid_numbers

# GSMA Reporting Body Identifiers: the first two digits of every allocated TAC. Credit-card
# prefixes that share the 15-digit length (Amex 34/37) are not among them.
REPORTING_BODIES: tuple[str, ...] = (
    "01", "10", "30", "33", "35", "44", "45", "49", "50", "51", "52", "53", "54", "86", "91",
    "98", "99",
)
_SEP = "[ -]"
_IMEI_SHAPE = (
    rf"[0-9]{{15}}|[0-9]{{2}}{_SEP}[0-9]{{6}}{_SEP}[0-9]{{6}}{_SEP}[0-9]"
    rf"|[0-9]{{6}}{_SEP}[0-9]{{2}}{_SEP}[0-9]{{6}}{_SEP}[0-9]|[0-9]{{8}}{_SEP}[0-9]{{6}}{_SEP}[0-9]"
)
_IMEISV_SHAPE = (
    rf"[0-9]{{16}}|[0-9]{{2}}{_SEP}[0-9]{{6}}{_SEP}[0-9]{{6}}{_SEP}[0-9]{{2}}"
    rf"|[0-9]{{8}}{_SEP}[0-9]{{6}}{_SEP}[0-9]{{2}}"
)
_IMEI_DIGITS = 15
_IMEISV_DIGITS = 16
_REPEATED_NUMBERS = np.array([int(str(d) * _IMEI_DIGITS) for d in range(10)], dtype=np.uint64)
"""Fillers: one digit repeated over an IMEI's length (and an IMEISV's, below)."""
_REPEATED_SV_NUMBERS = np.array([int(str(d) * _IMEISV_DIGITS) for d in range(10)],
                                dtype=np.uint64)
_REPORTING_BODY = np.zeros(100, dtype=np.bool_)
"""Indexed by the number the first two digits write: a reporting body's."""
_REPORTING_BODY[[int(body) for body in REPORTING_BODIES]] = True
_DIGIT_BOUNDARY_BEFORE = r"(?<![0-9A-Za-z_\-])"
_DIGIT_BOUNDARY_AFTER = r"(?![0-9A-Za-z_]|-[0-9])"


def _digits(candidate: str) -> str:
    return re.sub(r"[ -]", "", candidate.strip())


def _plausible_tac(digits: str) -> bool:
    return digits[:2] in REPORTING_BODIES and len(set(digits)) > 1


def _mask_after_tac(candidate: str) -> str:
    """Keep the 8-digit TAC (it names a phone model, not a phone), star the serial."""
    seen = 0
    out = []
    for ch in candidate.strip():
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= 8 else "*")
        else:
            out.append(ch)
    return "".join(out)


class ImeiDetector(Detector):
    """IMEI numbers of mobile phones and cellular modules (15 digits, Luhn check digit).

    The IMEI identifies one handset for life: a covered personal identifier (28 CFR 202.212)
    and, in China, a device identifier collected under the PIPL. A value must pass the Luhn
    check (``stdnum.imei``) and start with a GSMA Reporting Body Identifier (``35``, ``86``,
    ``01`` ...), the first two digits of every allocated Type Allocation Code (TAC);
    all-same-digit fillers are refused. Written plain or grouped
    (``35-209900-******-*``, ``350077-52-******-*``).

    A 15-digit Luhn number may also be an American Express card; Amex starts with 34 or 37,
    which no reporting body uses, so the TAC test keeps the two apart. Columns without an
    IMEI header need :attr:`min_value_share` (0.8) of their values valid, so that a column of
    other 15-digit numbers, one in sixty of which passes both tests by chance, never
    qualifies. 14-digit IMEIs without a check digit are not accepted (too ambiguous); 16-digit
    IMEISVs need context (:class:`ImeiSvDetector`).

    Normal form: the 15 digits. The mask keeps the TAC, which names the phone model only.

    References: 3GPP TS 23.003 sec. 6.2; GSMA TS.06 (IMEI allocation, reporting bodies);
    python-stdnum ``stdnum.imei``.
    """

    category: ClassVar[str] = "device_id"
    name: ClassVar[str] = "device.imei"
    header_words: ClassVar[tuple[str, ...]] = (
        "imei", "imei1", "imei2", "imei_number", "imei_no", "device_imei", "handset_imei",
        "meid_imei", "IMEI号", "imei号", "串号", "手机串号", "设备串号", "国际移动设备识别码",
        "numéro_imei", "numero_imei", "número_imei", "imei_nummer", "geräte_imei",
    )
    negative_header_words: ClassVar[tuple[str, ...]] = (
        "card", "card_number", "pan", "iban", "account", "卡号", "karte", "carte", "tarjeta",
    )
    context_words: ClassVar[tuple[str, ...]] = (
        "imei", "handset", "device", "phone", "串号", "设备", "gerät", "appareil", "dispositivo",
    )
    cell_pattern: ClassVar[str] = _IMEI_SHAPE
    text_pattern: ClassVar[str] = (
        f"{_DIGIT_BOUNDARY_BEFORE}(?:{_IMEI_SHAPE}){_DIGIT_BOUNDARY_AFTER}"
    )
    prefilter: ClassVar[str] = r"[0-9]{6}[ -]?[0-9]{2}"
    min_value_share: ClassVar[float] = 0.8

    def validate(self, candidate: str) -> bool:
        if not re.fullmatch(_IMEI_SHAPE, candidate.strip()):
            return False
        digits = _digits(candidate)
        return (_plausible_tac(digits)
                and bool(stdnum_imei.is_valid(digits)))

    def normalize(self, candidate: str) -> str:
        return _digits(candidate)

    def mask(self, candidate: str) -> str:
        return _mask_after_tac(candidate)

    def kind(self, candidate: str) -> str | None:
        return "imei"

    def valid_cells(self, values: pl.Series) -> pl.Series:
        return self.count_cells(values.str.strip_chars())

    def count_cells(self, values: pl.Series) -> pl.Series:
        """The full check, on cells already stripped (as the full pass gives them)."""
        return self.count_and_normalize(values)[0]

    def count_and_normalize(self, values: pl.Series) -> tuple[pl.Series, pl.Series]:
        """The shape (a regex only for cells that are not bare digits), then on the 15
        digits as a number in NumPy: a reporting body, the Luhn check, no one-digit filler.
        The normal form is the digits."""
        read = SeparatedDigits(values, f"^(?:{_IMEI_SHAPE})$")
        cells = read.cells
        valid = (read.shaped & cells.plain & (cells.lengths == _IMEI_DIGITS)
                 & _REPORTING_BODY.take(cells.leading(2) % 100)
                 & luhn_valid_numbers(cells.numbers)
                 & ~np.isin(cells.numbers, _REPEATED_NUMBERS))
        return pl.Series(values.name, valid, dtype=pl.Boolean), read.digits(valid)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        """The digits; cells come stripped and valid (digits, spaces and dashes only)."""
        return values.str.replace_all("[ -]", "")


class ImeiSvDetector(Detector):
    """IMEISV: an IMEI with a two-digit software version instead of the check digit.

    Sixteen digits are also the length of most payment cards, so an IMEISV counts only
    under an IMEI column name or with an IMEI word near it (``needs_context``). It must start
    with a reporting body (see :class:`ImeiDetector`); software version 99 is reserved and
    refused. Its normal form is the 15-digit IMEI of the same phone (the 14 identity digits
    plus their Luhn check digit), so an IMEI and an IMEISV of one handset count once.
    Masked example: ``35-209900-******-**``.

    References: 3GPP TS 23.003 sec. 6.2.2; python-stdnum ``stdnum.imei``.
    """

    category: ClassVar[str] = "device_id"
    name: ClassVar[str] = "device.imeisv"
    needs_context: ClassVar[bool] = True
    header_words: ClassVar[tuple[str, ...]] = (
        "imeisv", "imei_sv", "imei", "imei1", "imei2", "device_imei", "串号", "IMEI号", "imei号",
    )
    negative_header_words: ClassVar[tuple[str, ...]] = ImeiDetector.negative_header_words
    context_words: ClassVar[tuple[str, ...]] = ("imei", "imeisv", "串号")
    cell_pattern: ClassVar[str] = _IMEISV_SHAPE
    text_pattern: ClassVar[str] = (
        f"{_DIGIT_BOUNDARY_BEFORE}(?:{_IMEISV_SHAPE}){_DIGIT_BOUNDARY_AFTER}"
    )
    prefilter: ClassVar[str] = r"[0-9]{6}[ -]?[0-9]{6}"

    def validate(self, candidate: str) -> bool:
        if not re.fullmatch(_IMEISV_SHAPE, candidate.strip()):
            return False
        digits = _digits(candidate)
        return (_plausible_tac(digits)
                and not digits.endswith("99") and stdnum_imei.imei_type(digits) == "IMEISV")

    def normalize(self, candidate: str) -> str:
        identity = _digits(candidate)[:14]
        return identity + luhn.calc_check_digit(identity)

    def mask(self, candidate: str) -> str:
        return _mask_after_tac(candidate)

    def kind(self, candidate: str) -> str | None:
        return "imeisv"

    def valid_cells(self, values: pl.Series) -> pl.Series:
        """As :meth:`ImeiDetector.count_and_normalize` reads IMEIs, on 16 digits: the shape,
        a reporting body, no one-digit filler, and a software version other than 99."""
        read = SeparatedDigits(values.str.strip_chars(), f"^(?:{_IMEISV_SHAPE})$")
        cells = read.cells
        valid = (read.shaped & cells.plain & (cells.lengths == _IMEISV_DIGITS)
                 & _REPORTING_BODY.take(cells.leading(2) % 100)
                 & (cells.numbers % np.uint64(100) != 99)
                 & ~np.isin(cells.numbers, _REPEATED_SV_NUMBERS))
        return pl.Series(values.name, valid, dtype=pl.Boolean)


_UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_ZERO_UUID = "00000000-0000-0000-0000-000000000000"


def _mask_hex_id(candidate: str, keep: int = 4) -> str:
    """``3F2A****-****-****-****-************``: the first hex digits, the shape, no more."""
    seen = 0
    out = []
    for ch in candidate.strip():
        if ch == "-":
            out.append(ch)
        else:
            seen += 1
            out.append(ch if seen <= keep else "*")
    return "".join(out)


class AdvertisingIdDetector(Detector):
    """Mobile advertising IDs: Apple IDFA and Google advertising ID (GAID/AAID).

    The advertising ID is the key on which ad networks and data brokers join a phone's
    activity: a covered personal identifier (28 CFR 202.212, "advertising identifier").
    It is a UUID (``3F2A****-****-****-****-************``), and UUIDs are everywhere, so the
    detector needs an advertising column name or a nearby word (``idfa``, ``gaid``,
    ``adid``, ``maid``, ``广告标识``...). The all-zero UUID is what iOS and Android return
    when the user limits ad tracking: it names no device and is not counted.

    Normal form: lower case. :meth:`kind` says ``idfa/gaid`` (the two cannot be told apart
    by value).

    References: Apple AdSupport ``ASIdentifierManager.advertisingIdentifier``; Google Play
    services ``AdvertisingIdClient``; RFC 9562 (UUID).
    """

    category: ClassVar[str] = "device_id"
    name: ClassVar[str] = "device.advertising_id"
    needs_context: ClassVar[bool] = True
    header_words: ClassVar[tuple[str, ...]] = (
        "idfa", "gaid", "adid", "aaid", "maid", "advertising_id", "advertisingid",
        "advertiser_id", "ad_id", "ad_identifier", "mobile_ad_id", "google_ad_id",
        "apple_idfa", "device_ad_id", "广告标识", "广告标识符", "广告id", "广告ID",
        "werbe_id", "werbekennung", "identifiant_publicitaire", "id_publicidad",
        "identificador_publicidad",
    )
    context_words: ClassVar[tuple[str, ...]] = (
        "idfa", "gaid", "adid", "aaid", "maid", "advertising", "ad_id", "ad id", "广告",
        "werbe", "publicitaire", "publicidad",
    )
    cell_pattern: ClassVar[str] = _UUID
    text_pattern: ClassVar[str] = rf"(?<![0-9A-Za-z_\-]){_UUID}(?![0-9A-Za-z_\-])"
    prefilter: ClassVar[str] = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-"

    def validate(self, candidate: str) -> bool:
        value = candidate.strip()
        return re.fullmatch(_UUID, value) is not None and value != _ZERO_UUID

    def normalize(self, candidate: str) -> str:
        return candidate.strip().lower()

    def mask(self, candidate: str) -> str:
        return _mask_hex_id(candidate)

    def kind(self, candidate: str) -> str | None:
        return "idfa/gaid"

    def valid_cells(self, values: pl.Series) -> pl.Series:
        stripped = values.str.strip_chars()
        valid = stripped.str.contains(f"^{_UUID}$") & (stripped != _ZERO_UUID)
        return valid.fill_null(False).alias(values.name)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        return values.str.strip_chars().str.to_lowercase()


class DeviceUuidDetector(AdvertisingIdDetector):
    """Device and app-instance UUIDs: Apple's IDFV and the per-install or per-device UUIDs
    that SDKs and analytics tools write under ``device_id``.

    Such an ID follows one phone (or one app installation on it) through every event it
    sends, so it is a device identifier like the advertising ID, though it is not an
    "advertising identifier" of 28 CFR 202.212 by name. Values alone are UUIDs, which are
    everywhere (request and trace ids), so the detector needs a device column name or a
    nearby word (``device_id``, ``device_uuid``, ``idfv``, ``identifierForVendor``,
    ``installation_id``, ``设备ID``, ``Geräte-ID``, ``id_appareil``, ``id_dispositivo``).
    Validation, normal form and mask are the advertising ID's; :meth:`kind` says
    ``device_uuid``.

    References: Apple UIKit ``UIDevice.identifierForVendor``; RFC 9562 (UUID).
    """

    name: ClassVar[str] = "device.uuid"
    header_words: ClassVar[tuple[str, ...]] = (
        "device_id", "deviceid", "device_uuid", "device_guid", "idfv", "identifier_for_vendor",
        "vendor_id", "installation_id", "install_id", "设备id", "设备ID", "设备标识",
        "geräte_id", "geraete_id", "id_appareil", "identifiant_appareil", "id_dispositivo",
        "identificador_dispositivo",
    )
    context_words: ClassVar[tuple[str, ...]] = (
        "device_id", "device id", "deviceid", "idfv", "installation id", "设备",
    )

    def kind(self, candidate: str) -> str | None:
        return "device_uuid"


_ANDROID_ID = r"[0-9A-Fa-f]{16}"
# Android 2.2 handed this same ID to many devices (a known platform bug): it names none.
_SHARED_ANDROID_IDS = ("0000000000000000", "9774d56d682e549c")


class AndroidIdDetector(Detector):
    """Android IDs (``Settings.Secure.ANDROID_ID``, SSAID): 64 bits written as 16 hex digits.

    Unique per device (per app signing key since Android 8), so it tracks one phone: a
    covered personal identifier (28 CFR 202.212). Sixteen hex digits are also hash prefixes
    and trace ids, so the detector needs an ``android_id``/``ssaid`` column name or nearby
    word. The all-zero ID and ``9774d56d682e549c`` (shared by many Android 2.2 devices) are
    refused. Normal form: lower case. Masked example: ``a1b2************``.

    References: Android ``Settings.Secure#ANDROID_ID``; Android 8.0 behaviour changes.
    """

    category: ClassVar[str] = "device_id"
    name: ClassVar[str] = "device.android_id"
    needs_context: ClassVar[bool] = True
    header_words: ClassVar[tuple[str, ...]] = (
        "android_id", "androidid", "ssaid", "android_device_id", "安卓id", "安卓ID",
        "安卓设备id", "android_kennung",
    )
    context_words: ClassVar[tuple[str, ...]] = ("android_id", "android id", "androidid", "ssaid",
                                                "安卓")
    cell_pattern: ClassVar[str] = _ANDROID_ID
    text_pattern: ClassVar[str] = rf"(?<![0-9A-Za-z_\-]){_ANDROID_ID}(?![0-9A-Za-z_\-])"
    prefilter: ClassVar[str] = _ANDROID_ID

    def validate(self, candidate: str) -> bool:
        value = candidate.strip().lower()
        return re.fullmatch(_ANDROID_ID, value) is not None and value not in _SHARED_ANDROID_IDS

    def normalize(self, candidate: str) -> str:
        return candidate.strip().lower()

    def mask(self, candidate: str) -> str:
        return _mask_hex_id(candidate)

    def kind(self, candidate: str) -> str | None:
        return "android_id"

    def valid_cells(self, values: pl.Series) -> pl.Series:
        lowered = values.str.strip_chars().str.to_lowercase()
        valid = lowered.str.contains(f"^{_ANDROID_ID}$") & ~lowered.is_in(_SHARED_ANDROID_IDS)
        return valid.fill_null(False).alias(values.name)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        return values.str.strip_chars().str.to_lowercase()
