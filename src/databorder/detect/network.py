"""Network identifiers: IP addresses, MAC addresses (and BSSIDs) and WiFi network names."""

from __future__ import annotations

import ipaddress
import re
from typing import ClassVar

import numpy as np
import polars as pl
from stdnum import mac as stdnum_mac

from databorder.attribute import special_ranges
from databorder.attribute.ip import IP_SCOPES, special_table

from .base import Detector
from .masking import mask_text

# --- IP addresses ----------------------------------------------------------------------------

# One octet 0-255 without leading zeros (``010`` is octal to some parsers: ambiguous, refused).
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_HEX = r"[0-9A-Fa-f]{1,4}"
_ZONE = r"%[0-9A-Za-z_\-]+(?:\.[0-9A-Za-z_\-]+)*"
_V4_PREFIX = r"/(?:3[0-2]|[12]?[0-9])"
_V6_PREFIX = r"/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9])"
_PORT = r":[0-9]{1,5}"
_OPEN = r"""[\[("'<]?"""
_CLOSE = r"""[\])"'>]?[.,;]?"""


def _ipv6_grammar() -> str:
    """Every textual IPv6 form RFC 4291 allows, as one regex without look-around.

    ``::`` stands for at least one zero group (as Python's ``ipaddress`` requires), so a
    compressed address has at most seven explicit groups, an embedded IPv4 tail counting two.
    """
    forms = [rf"(?:{_HEX}:){{7}}{_HEX}", rf"(?:{_HEX}:){{6}}{_IPV4}"]
    forms.append(rf"::(?:{_HEX}(?::{_HEX}){{0,6}})?")
    forms.append(rf"::(?:{_HEX}:){{0,5}}{_IPV4}")
    for left in range(1, 8):
        head = rf"{_HEX}(?::{_HEX}){{{left - 1}}}::"
        right = 7 - left
        forms.append(head + (rf"(?:{_HEX}(?::{_HEX}){{0,{right - 1}}})?" if right else ""))
        if left <= 5:
            forms.append(head + rf"(?:{_HEX}:){{0,{5 - left}}}{_IPV4}")
    return "(?:" + "|".join(forms) + ")"


_IPV6 = _ipv6_grammar()

# A whole cell: an address, optionally with a CIDR prefix, port or IPv6 zone, optionally
# wrapped in brackets or quotes and followed by one punctuation mark (``(10.0.0.1)``,
# ``[2001:db8::1]:443``, ``'fe80::1%eth0'``, ``10.0.0.0/8,``). Valid in Rust and Python regex.
_IPV4_CELL = rf"^{_OPEN}{_IPV4}(?:{_V4_PREFIX})?(?:{_PORT})?{_CLOSE}$"
_IPV4_ALONE = rf"^{_IPV4}$"
_ALREADY_NORMAL = rf"^(?:{_IPV4}|(?:[1-9a-f][0-9a-f]{{0,3}}:){{7}}[1-9a-f][0-9a-f]{{0,3}})$"
_IPV6_CELL = (rf"^{_OPEN}(?:{_IPV6}(?:{_ZONE})?(?:{_V6_PREFIX})?"
              rf"|\[{_IPV6}(?:{_ZONE})?(?:{_V6_PREFIX})?\](?:{_PORT})?){_CLOSE}$")

# The same cell grammar with the address as one loose group, for ipaddress to judge.
_CELL_PARTS = re.compile(
    rf"{_OPEN}(?:(?P<v4>[0-9.]+?)(?:{_V4_PREFIX})?(?:{_PORT})?"
    rf"|(?P<v6>[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*?)(?P<z1>{_ZONE})?(?:{_V6_PREFIX})?"
    rf"|\[(?P<b6>[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(?P<z2>{_ZONE})?(?:{_V6_PREFIX})?\](?:{_PORT})?)"
    rf"{_CLOSE}"
)

# Free text: an IPv4 address, or a loose run of hex groups and colons (possibly ending in an
# IPv4 tail, possibly with a zone) that ipaddress then judges. ASCII boundaries only, so
# ``来自192.168.1.1的`` is found while ``v1.2.3.4``, ``1.3.6.1.4.1`` and ``std::cout`` are not.
_IP_TEXT = (
    rf"(?<![0-9A-Za-z_.:%])(?:[0-9A-Fa-f]{{0,4}}:){{2,8}}(?:{_IPV4}|{_HEX})?(?:{_ZONE})?"
    rf"(?![0-9A-Za-z_:]|\.[0-9])"
    rf"|(?<![0-9A-Za-z_.]){_IPV4}(?![0-9A-Za-z_]|\.[0-9])"
)
# Words right before a dotted quad that make it a version, build or OID, not an address; also
# a product token as in user agents (``Chrome/124.0.0.0``), but not a URL (``http://1.2.3.4``).
# Valid in Rust and Python regex: the text columns' candidates (Polars) use them too.
_VERSION_WORDS = r"v|version|ver\.?|build|release|firmware|fw|oid|rev\.?|revision"
_PRODUCT_TOKEN = r"[A-Za-z][\w.\-]*/"
_NOT_AN_ADDRESS_BEFORE = re.compile(
    rf"\b(?:{_VERSION_WORDS})\s*[:=#]?\s*$|{_PRODUCT_TOKEN}$", re.IGNORECASE)


def parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address in a cell or text candidate (wrappers, prefix, port and zone dropped)."""
    parts = _CELL_PARTS.fullmatch(value.strip())
    if parts is None:
        return None
    address = parts["v4"] or parts["v6"] or parts["b6"] or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if parts["v4"] is None and parsed.version == 4:
        return None
    return parsed


def _canonical(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Compressed form; an IPv4-mapped IPv6 address is the IPv4 host it maps."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return address.compressed


def ip_kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """The attribution layer's ``ip_scope``: ``public``, ``private``, ``shared`` or ``reserved``
    (the IANA special-purpose ranges of :mod:`databorder.attribute.special_ranges`, the most
    specific winning). IPv4-mapped and NAT64 (``64:ff9b::/96``) addresses are their IPv4 host,
    as in attribution."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in _NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if isinstance(address, ipaddress.IPv4Address):
        code = special_table(special_ranges.IPV4, 4).find(
            np.array([int(address)], dtype=np.uint32))[0]
    else:
        code = special_table(special_ranges.IPV6, 6).find(
            np.array([address.packed], dtype="S16"))[0]
    return "public" if code < 0 else IP_SCOPES[int(code)]


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


_OCTET_HEX = {str(n): f"{n:02x}" for n in range(256)}


def _ipv6_canonical(addresses: pl.Series) -> pl.Series:
    """RFC 5952 text of valid IPv6 addresses, as ``ipaddress`` writes it, in Polars.

    Embedded IPv4 tails become two hex groups, ``::`` is expanded to eight groups, leading
    zeros go, the first longest run of two or more zero groups becomes ``::``; an
    IPv4-mapped address becomes its IPv4 host. Each step is materialised as a column (the
    steps reuse each other several times; one nested expression would recompute them).
    """
    a, col = pl.col("a"), pl.col
    octets = [a.str.extract(r"([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)$", i)
              .replace_strict(_OCTET_HEX, default=None, return_dtype=pl.String)
              for i in range(1, 5)]
    tail = pl.concat_str(octets[0], octets[1], pl.lit(":"), octets[2], octets[3])
    frame = pl.DataFrame({"a": addresses.str.to_lowercase()}).with_columns(
        pl.when(tail.is_not_null()).then(pl.concat_str(a.str.replace(r"[0-9.]+$", ""), tail))
        .otherwise(a).alias("hexed"),
    ).with_columns(
        col("hexed").str.split("::").alias("halves"),
    ).with_columns(
        col("halves").list.get(i, null_on_oob=True).replace("", None).alias(side)
        for i, side in enumerate(("left", "right"))
    ).with_columns(
        (6 - col("left").str.count_matches(":").fill_null(-1)
         - col("right").str.count_matches(":").fill_null(-1)).alias("missing"),
    ).with_columns(
        pl.when(col("hexed").str.contains("::", literal=True)).then(pl.concat_str(
            col("left"),
            col("missing").replace_strict({k: ":".join("0" * k) for k in range(1, 9)},
                                          default=None, return_dtype=pl.String),
            col("right"), separator=":", ignore_nulls=True,
        )).otherwise(col("hexed")).str.replace_all(r"(^|:)0+([0-9a-f])", "${1}${2}")
        .alias("full"),
    )
    compressed = col("full")
    for run in range(2, 9):
        zero_run = r"(?:^|:)0(?::0){" + str(run - 1) + r"}(?::|$)"
        compressed = (pl.when(col("full").str.contains(zero_run))
                      .then(col("full").str.replace(zero_run, "::")).otherwise(compressed))
    mapped = col("full").str.extract_groups(r"^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$")
    frame = frame.with_columns(
        compressed.alias("compressed"),
        *(mapped.struct.field(str(i)).str.to_integer(base=16, strict=False).alias(f"m{i}")
          for i in (1, 2)),
    )
    as_ipv4 = pl.concat_str(
        [col("m1") // 256, col("m1") % 256, col("m2") // 256, col("m2") % 256], separator=".",
    )
    return frame.select(
        pl.when(col("m1").is_not_null()).then(as_ipv4).otherwise(col("compressed"))
    ).to_series()


class IpAddressDetector(Detector):
    """IPv4 and IPv6 addresses, in every textual form.

    An IP address names a connected device (and through it a household or a person): a
    covered personal identifier under 28 CFR 202.212. Forms found: dotted quads, compressed
    IPv6 (``2001:db8:x:x:x:x:x:x``), IPv4-mapped and embedded forms (``::ffff:47.88.x.x``),
    zone ids (``fe80::1%eth0``), bracketed with a port (``[2001:db8::1]:443``) and with a
    CIDR prefix (``10.0.0.0/8`` counts the address). Every candidate is checked with the
    ``ipaddress`` standard library; columns are checked by an exact Polars regex of the same
    grammar (a test holds the two in agreement).

    Not an address: version strings (``v1.2.3.4``, ``version 10.0.19041.1``), OIDs and
    five-part dotted strings (``1.3.6.1.4.1.311``, ``192.168.1.1.1``), dotted dates, decimals
    and octets with leading zeros (``010.1.1.1``, octal to some parsers). ``::`` alone is
    found in cells only (in prose it is mostly C++ or Perl).

    Normal form: ``ipaddress`` compressed form; an IPv4-mapped address counts as its IPv4
    host. Masks keep the network half: ``47.88.x.x`` and ``2001:db8:x:x:x:x:x:x``.
    :meth:`kind` says ``public``, ``private``, ``shared`` or ``reserved``: the attribution
    layer's ``ip_scope`` names and ranges (:func:`ip_kind`).

    References: RFC 791, RFC 4291 (sec. 2.2 text forms), RFC 4007 (zones), RFC 5952; Python
    ``ipaddress``.
    """

    category: ClassVar[str] = "ip_address"
    name: ClassVar[str] = "network.ip"
    header_words: ClassVar[tuple[str, ...]] = (
        "ip", "ip_address", "ipaddress", "ip_addr", "ipaddr", "ipv4", "ipv6", "client_ip",
        "clientip", "src_ip", "srcip", "dst_ip", "dstip", "source_ip", "dest_ip", "remote_ip",
        "remote_addr", "remote_address", "remoteaddr", "peer_addr", "peer_ip", "host_ip",
        "hostip", "user_ip", "userip", "login_ip", "last_ip", "x_forwarded_for",
        "forwarded_for", "real_ip", "ip地址", "IP地址", "ip 地址", "客户端IP", "客户端ip",
        "来源IP", "来源ip", "登录IP", "登录ip", "ip_adresse", "ipadresse", "adresse_ip",
        "adresse ip", "direccion_ip", "dirección_ip", "dirección ip", "direccion ip",
    )
    negative_header_words: ClassVar[tuple[str, ...]] = (
        "version", "ver", "oid", "build", "release", "firmware", "revision", "sw_version",
        "app_version", "os_version", "版本", "版本号",
    )
    context_words: ClassVar[tuple[str, ...]] = (
        "ip", "ipv4", "ipv6", "address", "addr", "client", "remote", "host", "src", "dst",
        "from", "地址", "adresse", "dirección", "direccion",
    )
    cell_pattern: ClassVar[str] = f"{_IPV4_CELL[1:-1]}|{_IPV6_CELL[1:-1]}"
    text_pattern: ClassVar[str] = _IP_TEXT
    # every IPv6 address holds ``::`` or six groups with their colons (a time does not)
    prefilter: ClassVar[str] = r"[0-9]\.[0-9]{1,3}\.[0-9]|::|(?:[0-9A-Fa-f]{1,4}:){6}"
    # Text columns (Polars): a dotted run with whatever is glued to it, and with a version
    # word or a product token right before it (``version 10.0.0.1``, ``Chrome/124.0.0.0``),
    # is one candidate, and only a bare dotted quad of the strict grammar is an address: what
    # the look-arounds of ``text_pattern`` or _NOT_AN_ADDRESS_BEFORE reject never passes, and
    # stays for the Python pass, as IPv6 does.
    text_rows: ClassVar[str] = r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]"
    text_extract: ClassVar[str] = (
        rf"(?:{_PRODUCT_TOKEN}|(?i:(?-u:\b)(?:{_VERSION_WORDS})\s*[:=#]?\s*))?"
        r"[0-9A-Za-z_.:]*[0-9]+(?:\.[0-9]+)+[0-9A-Za-z_]*")
    min_value_share: ClassVar[float] = 0.6

    def validate(self, candidate: str) -> bool:
        return parse_ip(candidate) is not None

    def normalize(self, candidate: str) -> str:
        address = parse_ip(candidate)
        return candidate if address is None else _canonical(address)

    def mask(self, candidate: str) -> str:
        address = parse_ip(candidate)
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if isinstance(address, ipaddress.IPv4Address):
            first, second = str(address).split(".")[:2]
            return f"{first}.{second}.x.x"
        if isinstance(address, ipaddress.IPv6Address):
            groups = [g.lstrip("0") or "0" for g in address.exploded.split(":")[:2]]
            return ":".join(groups + ["x"] * 6)
        return "x.x.x.x"

    def kind(self, candidate: str) -> str | None:
        address = parse_ip(candidate)
        return None if address is None else ip_kind(address)

    def valid_found(self, values: pl.Series) -> tuple[pl.Series, pl.Series]:
        """Candidates of ``text_extract`` that are a bare dotted quad (no leading zeros),
        which is its own normal form."""
        valid = values.str.contains(_IPV4_ALONE).fill_null(False).alias(values.name)
        return valid, values.filter(valid)

    def valid_cells(self, values: pl.Series) -> pl.Series:
        stripped = values.str.strip_chars()
        valid = stripped.str.contains(_IPV4_CELL).fill_null(False)
        colon = stripped.str.contains(":", literal=True).fill_null(False)
        if colon.any():  # the IPv6 grammar is a long regex: only for cells that may hold one
            rows = colon.arg_true()
            ipv6 = stripped.gather(rows).str.contains(_IPV6_CELL).fill_null(False)
            valid = valid.scatter(rows, valid.gather(rows) | ipv6)
        return valid.alias(values.name)

    def count_and_normalize(self, values: pl.Series) -> tuple[pl.Series, pl.Series]:
        """Columns of bare addresses already in normal form (the usual dotted quads) pass one
        regex; others take :meth:`valid_cells`, then :meth:`normalize_cells`."""
        plain = values.str.contains(_ALREADY_NORMAL).fill_null(False)
        if plain.sum() == values.len() - values.null_count():
            return plain.alias(values.name), values.filter(plain)
        return super().count_and_normalize(values)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        stripped = values.cast(pl.String).str.strip_chars()
        # a bare dotted quad of the strict grammar (no leading zeros), or eight lower-case
        # IPv6 groups none of which is zero or has a leading zero (nothing to compress), is
        # its own normal form: such cells skip the extraction and the RFC 5952 steps
        plain = stripped.str.contains(_ALREADY_NORMAL).fill_null(False)
        if plain.all():
            return stripped.alias(values.name)
        if plain.any():
            rest = ~plain
            return stripped.scatter(rest.arg_true(), self._normalize_forms(stripped.filter(rest))
                                    ).alias(values.name)
        return self._normalize_forms(stripped).alias(values.name)

    @staticmethod
    def _normalize_forms(stripped: pl.Series) -> pl.Series:
        """Normal forms of stripped cells of any accepted shape (wrapped, ports, IPv6)."""
        ipv4 = stripped.str.extract(f"^{_OPEN}({_IPV4})(?:[^0-9]|$)", 1)
        ipv6 = stripped.str.extract(r"([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)", 1)
        return ipv4.fill_null(_ipv6_canonical(ipv6.str.strip_chars_end(".")))

    def find_in_text(self, text: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        for match in self.text_regex.finditer(text):
            value = match.group()
            if ":" not in value and _NOT_AN_ADDRESS_BEFORE.search(
                    text, max(0, match.start() - 20), match.start()):
                continue
            if value.strip(":") == "" or parse_ip(value) is None:
                continue
            found.append((match.start(), match.end(), value))
        return found


# --- MAC addresses ---------------------------------------------------------------------------

_PAIR = r"[0-9A-Fa-f]{2}"
_QUAD = r"[0-9A-Fa-f]{4}"
# Colon form may drop leading zeros (macOS ``arp`` prints ``0:1e:c2:9f:2:e``).
_MAC_COLON = r"[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5}"
_MAC_DASH = rf"{_PAIR}(?:-{_PAIR}){{5}}"
_MAC_DOT = rf"{_QUAD}\.{_QUAD}\.{_QUAD}"
_MAC_BARE = r"[0-9A-Fa-f]{12}"
_MAC_QUADS = r"^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$"
_MAC_PAIRS = r"^[0-9a-f]{2}(?:[:\-][0-9a-f]{2}){5}$"
_ALL_ZERO = r"^(?:0{1,2}[:.\-]?)+$"
_BROADCAST = r"^(?:[fF]{2}[:.\-]?)+$"
_MAC_TEXT_BEFORE = r"(?<![0-9A-Za-z_:.\-])"
_MAC_TEXT_AFTER = r"(?![0-9A-Za-z_:\-]|\.[0-9A-Za-z])"


def mac_hex(candidate: str) -> str:
    """The twelve lower-case hex digits of a MAC address in any accepted form."""
    value = candidate.strip().lower()
    if ":" in value or "-" in value:
        value = stdnum_mac.compact(value)
    return re.sub(r"[^0-9a-f]", "", value)


def _colon_form(hex12: str) -> str:
    return ":".join(hex12[i:i + 2] for i in range(0, 12, 2))


def _hex12_expr(values: pl.Series) -> pl.Series:
    lowered = values.str.strip_chars().str.to_lowercase()
    padded = lowered.str.replace_all(r"\b([0-9a-f])\b", "0$1")
    return padded.str.replace_all(r"[^0-9a-f]", "")


class MacAddressDetector(Detector):
    """MAC addresses and BSSIDs written with separators.

    A MAC address is burnt into a network interface, so it follows one phone or laptop
    across networks: a covered personal identifier (28 CFR 202.212). A BSSID is the MAC of an
    access point and locates a home. Forms: ``00:1a:2b:xx:xx:xx`` (colon, leading zeros may
    be dropped), ``00-1A-2B-xx-xx-xx`` (dash) and ``001a.2bxx.xxxx`` (Cisco dots); mixed
    separators are refused. Bare twelve hex digits need a column name or nearby word: see
    :class:`BareMacAddressDetector`.

    The broadcast address ``FF:FF:FF:FF:FF:FF`` and the all-zero address name no device and
    are not counted (python-stdnum calls them valid; our specification wins). Colon and dash
    forms are checked with ``stdnum.mac``. Normal form: lower-case colon form. The mask keeps
    the OUI, which names the maker, not the device. :meth:`kind` says ``local`` when the
    locally-administered bit is set (randomised MACs of modern phones), else ``universal``.

    References: IEEE 802 (EUI-48); python-stdnum ``stdnum.mac``.
    """

    category: ClassVar[str] = "mac_address"
    name: ClassVar[str] = "network.mac"
    header_words: ClassVar[tuple[str, ...]] = (
        "mac", "mac_address", "macaddress", "mac_addr", "macaddr", "bssid", "hw_addr",
        "hwaddr", "hardware_address", "physical_address", "ethernet_address", "wifi_mac",
        "device_mac", "client_mac", "ap_mac", "MAC地址", "mac地址", "物理地址", "硬件地址",
        "geräte_mac", "mac_adresse", "macadresse", "adresse_mac", "adresse mac",
        "direccion_mac", "dirección_mac", "dirección mac",
    )
    negative_header_words: ClassVar[tuple[str, ...]] = ("hash", "checksum", "md5", "sha1")
    context_words: ClassVar[tuple[str, ...]] = (
        "mac", "bssid", "hardware", "physical", "ether", "hwaddr", "wifi", "wlan",
        "地址", "adresse", "dirección",
    )
    cell_pattern: ClassVar[str] = f"{_MAC_COLON}|{_MAC_DASH}|{_MAC_DOT}"
    text_pattern: ClassVar[str] = (
        f"{_MAC_TEXT_BEFORE}(?:{_MAC_COLON}|{_MAC_DASH}|{_MAC_DOT}){_MAC_TEXT_AFTER}"
    )
    # five separators, as six groups have (a time or a date has two)
    prefilter: ClassVar[str] = (
        r"[0-9A-Fa-f](?:[:\-][0-9A-Fa-f]{1,2}){4}[:\-][0-9A-Fa-f]"
        r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\."
    )
    min_value_share: ClassVar[float] = 0.6

    def validate(self, candidate: str) -> bool:
        value = candidate.strip()
        if not re.fullmatch(self.cell_pattern, value):
            return False
        if ("." not in value
                and not stdnum_mac.is_valid(value, validate_manufacturer=False)):
            return False
        return mac_hex(value) not in ("000000000000", "ffffffffffff")

    def normalize(self, candidate: str) -> str:
        return _colon_form(mac_hex(candidate))

    def mask(self, candidate: str) -> str:
        hex12 = mac_hex(candidate)
        if len(hex12) != 12:
            return "xx:xx:xx:xx:xx:xx"
        return _colon_form(hex12)[:8] + ":xx:xx:xx"

    def kind(self, candidate: str) -> str | None:
        hex12 = mac_hex(candidate)
        if len(hex12) != 12:
            return None
        return "local" if int(hex12[:2], 16) & 0x02 else "universal"

    def valid_cells(self, values: pl.Series) -> pl.Series:
        stripped = values.str.strip_chars()
        shaped = stripped.str.contains(f"^(?:{self.cell_pattern})$")
        filler = stripped.str.contains(_ALL_ZERO) | stripped.str.contains(_BROADCAST)
        return (shaped & ~filler).fill_null(False).alias(values.name)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        lowered = values.str.strip_chars().str.to_lowercase()
        # six pairs with ``:`` or ``-``, the usual forms, only need ``-`` written ``:``; three
        # dotted quads only lose their dots before being cut in pairs; only colon forms with
        # dropped zeros take the general steps (a Unicode ``\b`` regex, slow)
        paired = lowered.str.contains(_MAC_PAIRS).fill_null(False)
        normal = lowered.str.replace_all("-", ":", literal=True)
        if paired.all():
            return normal.alias(values.name)
        dotted = lowered.str.contains(_MAC_QUADS).fill_null(False)
        if dotted.any():
            normal.scatter(dotted.arg_true(), _colon_pairs(
                lowered.filter(dotted).str.replace_all(".", "", literal=True)))
        rest = ~(paired | dotted)
        if rest.any():
            normal.scatter(rest.arg_true(), _colon_pairs(_hex12_expr(values.filter(rest))))
        return normal.alias(values.name)


def _colon_pairs(hex12: pl.Series) -> pl.Series:
    """``aa:bb:cc:dd:ee:ff`` from twelve hex digits."""
    pairs = [hex12.str.slice(i, 2) for i in range(0, 12, 2)]
    frame = pl.DataFrame({f"p{i}": p for i, p in enumerate(pairs)})
    return frame.select(pl.concat_str(pl.all(), separator=":")).to_series()


class BareMacAddressDetector(MacAddressDetector):
    """MAC addresses written as twelve bare hex digits (``001a2bxxxxxx``).

    Twelve hex digits are also hash prefixes, order numbers and session ids, so this form
    counts only under a MAC column name or with a MAC word near it in text
    (``needs_context``). Everything else (normal form, mask, kind) is as for
    :class:`MacAddressDetector`.
    """

    name: ClassVar[str] = "network.mac_bare"
    needs_context: ClassVar[bool] = True
    context_words: ClassVar[tuple[str, ...]] = (
        "mac", "bssid", "hwaddr", "hardware address", "physical address", "MAC地址", "物理地址",
    )
    cell_pattern: ClassVar[str] = _MAC_BARE
    text_pattern: ClassVar[str] = rf"(?<![0-9A-Za-z_\-]){_MAC_BARE}(?![0-9A-Za-z_\-])"
    prefilter: ClassVar[str] = _MAC_BARE

    def validate(self, candidate: str) -> bool:
        value = candidate.strip().lower()
        return (re.fullmatch(_MAC_BARE, value) is not None
                and value not in ("000000000000", "ffffffffffff"))


# --- WiFi network names ----------------------------------------------------------------------

_SSID_KEYWORDS = (
    r"E?SSID", r"wi-?fi[ _-]?(?:name|ssid|network)", r"network[ _-]?name",
    r"wlan(?:[ _-]?(?:name|ssid))?", r"WiFi名称", r"wifi名称", r"无线网络名称", r"无线名称",
    r"nom[ _]du[ _]r[ée]seau", r"r[ée]seau[ _-]wi-?fi", r"nombre[ _]de[ _](?:la[ _])?red",
    r"red[ _-]wi-?fi",
)
_SSID_KEYWORD = "(?:" + "|".join(_SSID_KEYWORDS) + ")"
_SSID_MAX_BYTES = 32


class WifiSsidDetector(Detector):
    """WiFi network names (SSIDs), found by column name or a scan-record keyword only.

    An SSID often names a household or a person (``S***``: ``Smith-Family``) and, with the
    access point's location, places a device at home. Any text of 1 to 32 bytes in UTF-8 is
    a valid SSID (IEEE 802.11), so the value alone decides nothing (``needs_context``).

    In free text the detector reads WiFi scan records: ``SSID: CoffeeShop_5G``,
    ``ssid="HomeNet"``, ``"ssid":"x"``, ``ESSID:"MyWifi"`` (iwlist), ``SSID 1 : MyWifi``
    (netsh), ``WiFi名称：…``; the name is the quoted string, or the run up to the next
    space or separator. SSIDs are case-sensitive and are counted as written. The mask keeps
    the first character only.

    References: IEEE 802.11-2020 sec. 9.4.2.2 (SSID element, 0-32 octets).
    """

    category: ClassVar[str] = "wifi_ssid"
    name: ClassVar[str] = "network.wifi_ssid"
    needs_context: ClassVar[bool] = True
    header_words: ClassVar[tuple[str, ...]] = (
        "ssid", "essid", "wifi_ssid", "wifi_name", "wifi_network", "wifiname", "wifissid",
        "network_name", "wlan", "wlan_name", "wlan_ssid", "WiFi名称", "wifi名称", "无线网络名称",
        "无线名称", "nom_du_reseau", "nom_du_réseau", "reseau_wifi", "réseau_wifi",
        "réseau wifi", "nombre_de_red", "nombre_red", "red_wifi", "nombre_de_la_red",
    )
    negative_header_words: ClassVar[tuple[str, ...]] = (
        "mac", "bssid", "ip", "password", "passwort", "pwd", "psk", "key", "mot_de_passe",
        "contraseña", "密码", "id", "count", "channel", "signal", "rssi",
    )
    context_words: ClassVar[tuple[str, ...]] = (
        "ssid", "wifi", "wi-fi", "wlan", "network name", "无线", "réseau", "reseau", "red ",
    )
    cell_pattern: ClassVar[str] = r"(?s:.{1,32})"
    text_pattern: ClassVar[str] = (
        rf"(?<![0-9A-Za-z_])(?i:{_SSID_KEYWORD})(?:[ \t]+[0-9]{{1,3}})?[\"']?[ \t]*[:=：][ \t]*"
        r"(?:(?P<q>[\"'])(?P<v>[^\"'\n]{1,32})(?P=q)"
        r"|(?P<u>[^\s\"',;}\]]{1,64})(?![^\s\"',;}\]]))"
    )
    prefilter: ClassVar[str] = (
        r"(?i)ssid|wi-?fi|wlan|network.?name|无线|r[ée]seau|nombre.de.(?:la.)?red|red.wi"
    )

    def validate(self, candidate: str) -> bool:
        return 1 <= len(candidate.strip().encode("utf-8")) <= _SSID_MAX_BYTES

    def mask(self, candidate: str) -> str:
        return mask_text(candidate.strip())

    def valid_cells(self, values: pl.Series) -> pl.Series:
        size = values.str.strip_chars().str.len_bytes()
        return size.is_between(1, _SSID_MAX_BYTES).fill_null(False).alias(values.name)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        return values.str.strip_chars()

    def normalize(self, candidate: str) -> str:
        return candidate.strip()

    def find_in_text(self, text: str) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        for match in self.text_regex.finditer(text):
            group = "v" if match.group("v") is not None else "u"
            value = match.group(group)
            if self.validate(value):
                found.append((match.start(group), match.end(group), value))
        return found
