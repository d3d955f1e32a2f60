"""Geolocation: latitude/longitude strings and latitude/longitude column pairs.

The line between precise and coarse follows 28 CFR 202.242: precise geolocation data
identifies a location "within 1,000 meters". A written coordinate locates to about its last
written digit, so its resolution is ``10**-decimals`` degrees (or one unit of the last
minute/second component); one degree of latitude is about 111,320 m, the worst case, since
degrees of longitude are never longer. Three decimals (0.001 deg, about 111 m) or whole
arc-seconds (about 31 m) are precise; two decimals (about 1.1 km), whole arc-minutes (about
1.9 km) or one decimal (about 11 km) are coarse.
"""

from __future__ import annotations

import math
import re
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from .base import Detector, TableDetector, TableMatch
from .context import name_tokens

METRES_PER_DEGREE = 111_320.0
PRECISE_LIMIT_M = 1_000.0
"""28 CFR 202.242: precise geolocation locates within 1,000 meters."""


@dataclass(frozen=True, slots=True)
class Coordinate:
    lat: float
    lon: float
    lat_text: str
    lon_text: str
    resolution_m: float
    form: str

    @property
    def precise(self) -> bool:
        return self.resolution_m <= PRECISE_LIMIT_M

    @property
    def canonical(self) -> str:
        return f"{self.lat_text},{self.lon_text}"


_NUM = r"[+-]?\d{1,3}(?:\.\d+)?"
_ALTITUDE = r"(?:\s*,\s*\d+(?:\.\d+)?\s*(?:m|km|mi|ft)?)?"
_DECIMAL = re.compile(
    rf"[(\[]?\s*(?P<ha>[NSEW]\s*)?(?P<a>{_NUM})\s*(?P<ha2>[NSEW])?\s*(?P<sep>[,;]|\s)\s*"
    rf"(?P<hb>[NSEW]\s*)?(?P<b>{_NUM})\s*(?P<hb2>[NSEW])?\s*[)\]]?{_ALTITUDE}"
)


def _dms_part(i: int) -> str:
    return (
        rf"(?P<h{i}>[NSEW])?\s*(?P<d{i}>[+-]?\d{{1,3}}(?:\.\d+)?)\s*(?:°|º|d|\s)\s*"
        rf"(?P<m{i}>\d{{1,2}}(?:\.\d+)?)\s*(?:'|′|m)"
        rf"(?:\s*(?P<s{i}>\d{{1,2}}(?:\.\d+)?)\s*(?:''|\"|″|s))?(?:\s*(?P<k{i}>[NSEW]))?"
    )


_DMS = re.compile(rf"{_dms_part(1)}\s*[,;/]?\s*{_dms_part(2)}{_ALTITUDE}")
_GEOJSON = re.compile(
    r"\{[^{}]*?\"type\"\s*:\s*\"Point\"[^{}]*\}"
)
_GEOJSON_COORDS = re.compile(
    r"\"coordinates\"\s*:\s*\[\s*(?P<lon>-?\d{1,3}(?:\.\d+)?)\s*,\s*(?P<lat>-?\d{1,3}(?:\.\d+)?)"
    r"(?:\s*,\s*-?\d+(?:\.\d+)?)?\s*\]"
)
# Plain decimal pairs, the common case, as a Rust regex for vectorised checks.
_RUST_DECIMAL_PAIR = (
    r"^[(\[]?\s*([+-]?[0-9]{1,3}\.([0-9]+))\s*(?:[,;]\s*|\s+)([+-]?[0-9]{1,3}\.([0-9]+))"
    r"\s*[)\]]?$"
)
# Everything else a coordinate string may look like; such cells are parsed in Python.
_RUST_OTHER_SHAPES = (
    r"^(?:\{.{0,300}\x22Point\x22.{0,300}\}|[-+0-9.,;/()\[\] °º'′\x22″dmsNSEW]{5,80})$"
)


def _decimals(number: str) -> int:
    _, _, fraction = number.partition(".")
    return len(fraction)


def _zero_decimals(number: str) -> bool:
    """Three decimals or more, all zero: a precise position that padding only pretends."""
    fraction = number.partition(".")[2]
    return len(fraction) >= 3 and not fraction.strip("0")


def _signed(number: str, hemisphere: str | None) -> str:
    text = number.lstrip("+")
    if hemisphere in ("S", "W") and not text.startswith("-"):
        text = "-" + text
    return text


def _in_range(lat: float, lon: float) -> bool:
    return abs(lat) <= 90 and abs(lon) <= 180 and not (lat == 0 and lon == 0)


def _make(lat_text: str, lon_text: str, resolution_deg: float, form: str) -> Coordinate | None:
    lat, lon = float(lat_text), float(lon_text)
    if not _in_range(lat, lon):
        return None
    return Coordinate(lat, lon, lat_text, lon_text, resolution_deg * METRES_PER_DEGREE, form)


def _parse_decimal(match: re.Match[str]) -> Coordinate | None:
    a, b = match.group("a"), match.group("b")
    if "." not in a or "." not in b:
        return None  # integer pairs are counts, sizes or ids far more often than places
    if _zero_decimals(a) and _zero_decimals(b):
        return None  # padded integers (TTLs ``88.000000,88.000000`` in a DNS log), as above
    ha = (match.group("ha") or match.group("ha2") or "").strip() or None
    hb = (match.group("hb") or match.group("hb2") or "").strip() or None
    if ha in ("E", "W") or hb in ("N", "S"):
        a, b, ha, hb = b, a, hb, ha
    resolution = 10.0 ** -min(_decimals(a), _decimals(b))
    return _make(_signed(a, ha), _signed(b, hb), resolution, "decimal")


def _dms_value(match: re.Match[str], i: int) -> tuple[float, float, str | None]:
    degrees = float(match.group(f"d{i}"))
    minutes = float(match.group(f"m{i}"))
    seconds_text = match.group(f"s{i}")
    seconds = float(seconds_text) if seconds_text else 0.0
    if minutes >= 60 or seconds >= 60:
        raise ValueError("minutes or seconds out of range")
    sign = -1.0 if degrees < 0 or match.group(f"d{i}").startswith("-") else 1.0
    hemisphere = match.group(f"h{i}") or match.group(f"k{i}")
    if hemisphere in ("S", "W"):
        sign = -1.0
    value = sign * (abs(degrees) + minutes / 60 + seconds / 3600)
    if seconds_text:
        resolution = 10.0 ** -_decimals(seconds_text) / 3600
    else:
        resolution = 10.0 ** -_decimals(match.group(f"m{i}")) / 60
    return value, resolution, hemisphere


def _parse_dms(match: re.Match[str]) -> Coordinate | None:
    try:
        first, res1, h1 = _dms_value(match, 1)
        second, res2, h2 = _dms_value(match, 2)
    except ValueError:
        return None
    if h1 in ("E", "W") or h2 in ("N", "S"):
        first, second = second, first
    resolution = max(res1, res2)
    places = max(0, math.ceil(-math.log10(resolution)))
    return _make(f"{first:.{places}f}", f"{second:.{places}f}", resolution, "dms")


def _parse_geojson(text: str) -> Coordinate | None:
    coords = _GEOJSON_COORDS.search(text)
    if coords is None:
        return None
    lat, lon = coords.group("lat"), coords.group("lon")
    resolution = 10.0 ** -min(_decimals(lat), _decimals(lon))
    return _make(lat, lon, resolution, "geojson")


def parse_coordinates(text: str) -> Coordinate | None:
    """Parse a whole string as one coordinate pair, or return None."""
    text = text.strip()
    if text.startswith("{"):
        return _parse_geojson(text) if _GEOJSON.fullmatch(text) else None
    decimal = _DECIMAL.fullmatch(text)
    if decimal:
        return _parse_decimal(decimal)
    dms = _DMS.fullmatch(text)
    return _parse_dms(dms) if dms else None


class _CoordinateStringDetector(Detector):
    """Shared logic of the precise and coarse coordinate-string detectors."""

    header_words: ClassVar[tuple[str, ...]] = (
        "coordinates", "coords", "latlng", "latlon", "lat_lon", "lat_lng", "location",
        "geolocation", "geo", "gps", "position", "坐标", "位置", "经纬度", "koordinaten",
        "standort", "coordonnées", "coordenadas", "ubicación",
    )
    context_words: ClassVar[tuple[str, ...]] = (
        "lat", "lon", "lng", "gps", "location", "coordinates", "坐标", "位置", "经纬度",
        "koordinaten", "standort", "coordonnées", "position", "coordenadas", "ubicación",
    )
    cell_pattern: ClassVar[str] = (
        r"[(\[]?\s*[+-]?[0-9]{1,3}\.[0-9]+\s*(?:[,;]\s*|\s+)[+-]?[0-9]{1,3}\.[0-9]+\s*[)\]]?"
        r"|\{.{0,300}\x22Point\x22.{0,300}\}|[-+0-9.,;/()\[\] °º'′\x22″dmsNSEW]{5,80}"
    )
    # In text, plain decimal pairs need a comma or semicolon: "1.234 5.678" is too common.
    text_pattern: ClassVar[str] = (
        r"\{[^{}]*?\"type\"\s*:\s*\"Point\"[^{}]*\}"
        rf"|(?<![\w.]){_dms_part(1)}\s*[,;/]?\s*{_dms_part(2)}"
        rf"|(?<![\w.])[(\[]?[+-]?\d{{1,3}}\.\d+\s*[NS]?\s*[,;]\s*[+-]?\d{{1,3}}\.\d+\s*[EW]?[)\]]?"
        r"(?![\w.])"
    )
    prefilter: ClassVar[str] = r"[0-9]\.[0-9]+\s*[NS]?\s*[,;]|Point|[0-9]\s*[°º'′md]"

    @abstractmethod
    def _wanted(self, coordinate: Coordinate) -> bool:
        """True for the coordinates this detector reports."""

    def validate(self, candidate: str) -> bool:
        coordinate = parse_coordinates(candidate)
        return coordinate is not None and self._wanted(coordinate)

    def normalize(self, candidate: str) -> str:
        coordinate = parse_coordinates(candidate)
        return coordinate.canonical if coordinate else candidate.strip()

    def mask(self, candidate: str) -> str:
        coordinate = parse_coordinates(candidate)
        if coordinate is None:
            return "?,?"
        return f"{coordinate.lat:.1f},{coordinate.lon:.1f}"

    def kind(self, candidate: str) -> str | None:
        coordinate = parse_coordinates(candidate)
        return coordinate.form if coordinate else None

    @abstractmethod
    def _decimals_wanted(self, decimals: pl.Expr) -> pl.Expr:
        """Vectorised :meth:`_wanted` for plain decimal pairs, from the fewer decimals."""

    def valid_cells(self, values: pl.Series) -> pl.Series:
        # the pair's parts are materialised once: in one expression Polars would run the
        # extraction again for each part it is asked for (five times)
        parts = pl.DataFrame({"s": values.str.strip_chars()}).with_columns(
            pl.col("s").str.extract_groups(_RUST_DECIMAL_PAIR).struct.unnest())
        lat = pl.col("1").cast(pl.Float64, strict=False)
        lon = pl.col("3").cast(pl.Float64, strict=False)
        decimals = pl.min_horizontal(pl.col("2").str.len_chars(), pl.col("4").str.len_chars())
        padded = pl.col("2").str.contains("^000+$") & pl.col("4").str.contains("^000+$")
        plain = (
            (lat.abs() <= 90) & (lon.abs() <= 180) & ~((lat == 0) & (lon == 0))
            & self._decimals_wanted(decimals) & ~padded
        ).fill_null(False)
        # what Python can parse besides plain pairs: GeoJSON, two decimals (with hemisphere
        # letters) or minutes (DMS); dates, prices and ids of the shape never reach Python
        parsable = ((pl.col("s").str.count_matches(".", literal=True) >= 2)
                    | pl.col("s").str.contains("[{'′m]"))
        other_shape = (
            pl.col("1").is_null() & pl.col("s").str.contains(_RUST_OTHER_SHAPES) & parsable
        ).fill_null(False)
        frame = parts.select("s", plain.alias("plain"), other_shape.alias("other"))
        others = frame.filter("other")["s"].unique().to_list()
        valid_others = pl.Series([o for o in others if self.validate(o)], dtype=pl.String)
        return frame.select(
            (pl.col("plain") | (pl.col("other") & pl.col("s").is_in(valid_others.implode())))
            .fill_null(False).alias(values.name)
        ).to_series()

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        stripped = pl.col("v").str.strip_chars()
        parts = stripped.str.extract_groups(_RUST_DECIMAL_PAIR)
        plain = pl.concat_str(
            [parts.struct.field("1").str.strip_prefix("+"), pl.lit(","),
             parts.struct.field("3").str.strip_prefix("+")]
        )
        frame = pl.DataFrame({"v": values}).select(stripped.alias("s"), plain.alias("plain"))
        rest = frame.filter(pl.col("plain").is_null())["s"].unique().drop_nulls().to_list()
        mapping = {r: self.normalize(r) for r in rest}
        return frame.select(
            pl.coalesce(
                pl.col("plain"),
                pl.col("s").replace_strict(mapping, default=None, return_dtype=pl.String),
            ).alias(values.name)
        ).to_series()


class LatLonStringDetector(_CoordinateStringDetector):
    """Precise latitude/longitude written in one string (28 CFR 202.242).

    Accepts ``40.748817,-73.985428``, ``40.748817, -73.985428``, ``(40.7488, -73.9854)``,
    ``40.74113;-73.989656``, degree-minute-second forms (``51 19m 12.9s N, 0 1m 24.95s E``,
    ``N 39°20' 0'' / W 74°35' 0''``) and GeoJSON points
    (``{"type":"Point","coordinates":[-73.985,40.748]}``, longitude first). A pair is
    precise when its written resolution locates within 1,000 m (28 CFR 202.242): at least
    three decimals on both numbers (0.001 deg is about 111 m of latitude; two decimals,
    about 1.1 km, are coarse) or arc-seconds. Pairs out of range (``|lat| > 90``,
    ``|lon| > 180``) and ``0,0`` are rejected. Precise geolocation is also sensitive
    personal information under PIPL Art. 28 ("行踪轨迹").

    normalize keeps the written precision in a canonical ``lat,lon`` string; mask rounds to
    one decimal (``40.7,-74.0``, about 11 km), which no longer locates a person.
    References: 28 CFR 202.242; RFC 7946 section 3.1.2 (GeoJSON Point); ISO 6709.
    """

    category: ClassVar[str] = "precise_geolocation"
    name: ClassVar[str] = "geo.latlon"

    def _wanted(self, coordinate: Coordinate) -> bool:
        return coordinate.precise

    def _decimals_wanted(self, decimals: pl.Expr) -> pl.Expr:
        return decimals >= 3


class CoarseLatLonStringDetector(_CoordinateStringDetector):
    """Latitude/longitude strings too coarse to be precise geolocation.

    The same forms as :class:`LatLonStringDetector`, with a resolution worse than 1,000 m:
    one or two decimals (``41.5,-81.0``; ``40.75,-73.99``) or whole arc-minutes
    (``23 26' N 23 27' E``). Such values are not precise geolocation under 28 CFR 202.242
    but are still location data, so the inventory lists them apart. Masked: ``41.5,-81.0``
    becomes ``41.5,-81.0`` (already coarse; one decimal at most is shown).
    """

    category: ClassVar[str] = "coarse_geolocation"
    name: ClassVar[str] = "geo.latlon_coarse"

    def _wanted(self, coordinate: Coordinate) -> bool:
        return not coordinate.precise

    def _decimals_wanted(self, decimals: pl.Expr) -> pl.Expr:
        return decimals < 3


_LAT_WORDS = ("lat", "latitude", "纬度", "breitengrad", "latitud", "breite")
_LON_WORDS = ("lon", "lng", "long", "longitude", "经度", "längengrad", "laengengrad",
              "longitud", "länge")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MIN_VALID_SHARE = 0.9
_MIN_PRECISE_SHARE = 0.5


def _pair_key(column: str, words: Sequence[str]) -> str | None:
    """The column name with its latitude (or longitude) word replaced by a placeholder."""
    for word in words:
        if _CJK.search(word):
            if word in column:
                return column.replace(word, "§").lower()
            continue
        tokens = list(name_tokens(column))
        if word in tokens:
            tokens[tokens.index(word)] = "§"
            return " ".join(tokens)
    return None


def _as_text(column: str) -> pl.Expr:
    """A coordinate column as text: floats keep their shortest round-trip digits."""
    return pl.col(column).cast(pl.String).str.strip_chars().str.strip_prefix("+")


def _as_number(column: str) -> pl.Expr:
    return _as_text(column).cast(pl.Float64, strict=False)


def _decimals_expr(column: str) -> pl.Expr:
    text = _as_text(column)
    return (
        pl.when(text.str.contains("[eE]")).then(pl.lit(6, dtype=pl.UInt32))
        .when(text.str.contains(r"\.")).then(text.str.extract(r"\.([0-9]*)").str.len_chars())
        .otherwise(pl.lit(0, dtype=pl.UInt32))
    )


def _in_range_cells(lat: pl.Series, lon: pl.Series) -> pl.Series:
    return ((lat.abs() <= 90) & (lon.abs() <= 180) & ~((lat == 0) & (lon == 0))).fill_null(False)


def _pair_texts(lat: str, lon: str) -> pl.Expr:
    return pl.struct(_as_text(lat).alias("lat"), _as_text(lon).alias("lon"))


def _pair_in_range(texts: pl.Series) -> pl.Series:
    lat, lon = (texts.struct.field(n).cast(pl.Float64, strict=False) for n in ("lat", "lon"))
    return _in_range_cells(lat, lon)


def _joined_if_in_range(texts: pl.Series) -> pl.Series:
    joined = texts.struct.unnest().select(pl.concat_str("lat", pl.lit(","), "lon")).to_series()
    return joined.set(~_pair_in_range(texts), None)


def _valid_pair(lat: str, lon: str) -> pl.Expr:
    # each column is read as text and as a number once per batch: written as one expression,
    # Polars would convert each twice for the range check and again for the key
    return _pair_texts(lat, lon).map_batches(_pair_in_range, return_dtype=pl.Boolean)


def _valid_pair_key(lat: str, lon: str) -> pl.Expr:
    """``"lat,lon"`` as written (sign ``+`` dropped) where the pair is valid, else null."""
    return _pair_texts(lat, lon).map_batches(_joined_if_in_range, return_dtype=pl.String)


class CoordinatePairDetector(TableDetector):
    """Latitude and longitude held in two columns of one table.

    Columns are paired by name: ``lat``/``lon``, ``latitude``/``longitude``, ``lng``,
    ``纬度``/``经度``, ``Breitengrad``/``Längengrad``, ``latitud``/``longitud``, with the same
    prefix or suffix (``pickup_lat``/``pickup_lng``, ``geo.lat``/``geo.lon`` from JSON). A
    pair counts when at least 90% of the sampled rows hold numbers in range
    (``|lat| <= 90``, ``|lon| <= 180``, not ``0,0``); a pair whose "latitude" column holds
    values beyond 90 while the other stays within 90 is reported with the columns swapped.
    The pair is ``precise_geolocation`` when at least half the valid sampled rows carry
    three or more decimals on both values (0.001 deg, about 111 m; 28 CFR 202.242 "within
    1,000 meters"), else ``coarse_geolocation``. Decimals are read from each value's
    shortest written form, not from the column type, so ``40.7`` stored as a double counts
    one decimal.

    The ``key`` gives ``"lat,lon"`` per row (null where invalid); masked samples are
    rounded to one decimal (``40.7,-74.0``).
    """

    name: ClassVar[str] = "geo.coordinate_pair"
    categories: ClassVar[tuple[str, ...]] = ("precise_geolocation", "coarse_geolocation")

    def detect_table(
        self, sample: pl.DataFrame, column_categories: Mapping[str, str]
    ) -> Sequence[TableMatch]:
        matches: list[TableMatch] = []
        for lat, lon in self._candidate_pairs(sample):
            match = self._check_pair(sample, lat, lon)
            if match is not None:
                matches.append(match)
        return matches

    @staticmethod
    def _candidate_pairs(sample: pl.DataFrame) -> list[tuple[str, str]]:
        usable = [c for c, dtype in sample.schema.items()
                  if dtype.is_numeric() or dtype == pl.String]
        lats = {key: c for c in usable if (key := _pair_key(c, _LAT_WORDS)) is not None}
        lons = {key: c for c in usable if (key := _pair_key(c, _LON_WORDS)) is not None}
        return [(lats[key], lons[key]) for key in lats if key in lons and lats[key] != lons[key]]

    def _check_pair(self, sample: pl.DataFrame, lat: str, lon: str) -> TableMatch | None:
        present = sample.select(lat, lon).filter(
            pl.col(lat).is_not_null() & pl.col(lon).is_not_null()
        )
        if present.height == 0:
            return None
        swapped = False
        share = present.select(_valid_pair(lat, lon).mean()).item()
        if share < _MIN_VALID_SHARE:
            if present.select(_valid_pair(lon, lat).mean()).item() < _MIN_VALID_SHARE:
                return None
            lat, lon, swapped = lon, lat, True
        valid = present.filter(_valid_pair(lat, lon))
        share = valid.height / present.height
        fine = pl.min_horizontal(_decimals_expr(lat), _decimals_expr(lon)) >= 3
        precise_share = float(valid.select(fine.mean()).item() or 0.0)
        precise = precise_share >= _MIN_PRECISE_SHARE
        category = "precise_geolocation" if precise else "coarse_geolocation"
        key = _valid_pair_key(lat, lon)
        samples = valid.head(3).select(
            pl.format("{},{}", _as_number(lat).round(1), _as_number(lon).round(1)).alias("m")
        )["m"].to_list()
        reason = (
            f"columns {lat!r}/{lon!r} hold latitude/longitude in range in {share:.0%} of "
            "sampled rows"
            + (" (named the other way round)" if swapped else "")
        )
        reason += (f"; {precise_share:.0%} of rows have 3+ decimals (within 1,000 m)"
                   if precise else
                   f"; only {precise_share:.0%} of rows have 3+ decimals (coarser than 1,000 m)")
        return TableMatch(
            category=category,
            fields=(lat, lon),
            confidence=0.95 if precise else 0.8,
            reason=reason,
            key=key,
            # no row filter: the key is null exactly where the pair is not valid, and the
            # full pass then counts the rows of non-null keys without a second conversion
            masked_samples=tuple(str(s) for s in samples),
            details={"swapped": str(swapped).lower(), "precise_share": f"{precise_share:.2f}"},
        )
