"""Person names, recognised by column name or nearby words and checked against name lists."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from .base import Detector

NAME_LISTS_PATH = Path(__file__).resolve().parents[1] / "knowledge" / "person_names.json"
"""First and last names from Faker's person providers (see :mod:`.name_source`)."""
_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['’.\-])*")
_MAX_TOKENS = 4
_MAX_TOKEN_CHARS = 40
_NAME_CHAR = r"[^\d\s,;:@/\\|<>]"
# the cell pattern without its token lengths, which are checked apart, and only in cells
# long enough to break them: Polars compiles a pattern again when more than 32 are in use,
# and the counted repetitions of these Unicode classes take 9 ms to compile, against 0.5
_NAME_SHAPE = rf"^{_NAME_CHAR}+(?:,?\s+{_NAME_CHAR}+){{0,{_MAX_TOKENS - 1}}}$"
_LONG_NAME_TOKEN = rf"{_NAME_CHAR}{{{_MAX_TOKEN_CHARS + 1}}}"
_TEXT_TOKEN = r"(?:[A-ZÀ-ÖØ-Þ]\.|[A-ZÀ-ÖØ-Þ][\w'’\-]*)"


@dataclass(frozen=True, slots=True)
class NameLists:
    latin: frozenset[str]
    """Lower-case first and last names in Latin script."""
    cjk_surnames: frozenset[str]
    """Chinese surnames, single and compound (``欧阳``)."""


@cache
def name_lists() -> NameLists:
    """The bundled name lists, loaded on first use."""
    document = json.loads(NAME_LISTS_PATH.read_text(encoding="utf-8"))
    return NameLists(frozenset(document["latin"]), frozenset(document["cjk_surnames"]))


@cache
def _name_series() -> tuple[pl.Series, pl.Series]:
    """The Latin names and the Chinese surnames as Polars columns, built once per process."""
    lists = name_lists()
    return (pl.Series(sorted(lists.latin), dtype=pl.String),
            pl.Series(sorted(lists.cjk_surnames), dtype=pl.String))


def _token_known(token: str, known: frozenset[str]) -> bool:
    word = token.rstrip(".").casefold()
    return word in known or any(part in known for part in word.split("-") if part)


def _is_cjk_name(value: str, surnames: frozenset[str]) -> bool:
    if not _CJK_NAME.fullmatch(value):
        return False
    return (len(value) > 2 and value[:2] in surnames) or value[:1] in surnames


class PersonNameDetector(Detector):
    """Person names in columns named for them, or after ``name:``, ``Mr.``, ``姓名`` in text.

    A name identifies a person, alone or with any other field of the row. Names cannot be told
    from other words by shape, so the detector needs a header word (``name``, ``full_name``,
    ``first_name``, ``surname``, ``姓名``, ``Vorname``, ``Nachname``, ``prénom``, ``nombre``,
    ``apellido`` ...) and columns like ``file_name``, ``host_name``, ``product_name`` or
    ``company_name`` are ruled out. A value is valid when it is 1-4 name-like tokens (letters,
    apostrophes, hyphens, initials; ``Doe, John`` too) of which at least one is a known first
    or last name, or 2-4 Chinese characters starting with a known surname. The lists are the
    first- and last-name lists of Faker's ``en_US``, ``de_DE``, ``fr_FR``, ``es_ES`` and
    ``zh_CN`` person providers (about 6,000 names), loaded on first use. Canonical form: case
    folded, single spaces. Masked: initials, ``J*** D***`` or ``王**``.

    References: Faker person providers (MIT).
    """

    category = "person_name"
    name = "names.person"
    needs_context = True
    header_words = ("name", "full_name", "fullname", "first_name", "firstname", "given_name",
                    "last_name", "lastname", "surname", "family_name", "middle_name",
                    "customer_name", "contact_name", "patient_name", "employee_name",
                    "姓名", "名字", "氏名", "vorname", "nachname", "familienname", "nom", "prénom",
                    "prenom", "nom_de_famille", "nombre", "apellido", "apellidos")
    negative_header_words = ("file_name", "filename", "host_name", "hostname", "product_name",
                             "company_name", "user_name", "username", "ssid", "network_name",
                             "table_name", "column_name", "device_name", "app_name",
                             "domain_name", "brand_name", "city_name", "country_name",
                             "street_name", "field_name", "schema_name", "bucket_name",
                             "server_name", "event_name", "class_name", "type_name")
    context_words = ("name", "mr.", "mrs.", "ms.", "dr.", "姓名", "herr", "frau", "mme", "sr.")
    cell_pattern = rf"{_NAME_CHAR}{{1,40}}(?:,?\s+{_NAME_CHAR}{{1,40}}){{0,3}}"
    text_pattern = (
        r"(?:\b(?i:mr|mrs|ms|miss|dr|herr|frau|mme|mlle|sr|sra)\.?\s+"
        r"|\b(?i:name|full name|nom|nombre)\s*[:=]\s*|姓名\s*[:：]?\s*)"
        rf"(?P<v>{_TEXT_TOKEN}(?:\s+{_TEXT_TOKEN}){{0,3}}"
        r"|[\u4e00-\u9fff]{2,4})"
    )
    prefilter = r"(?i)(?:\b(?:mr|mrs|ms|miss|dr|herr|frau|mme|mlle|sr|sra)\.?\s|name|nom|姓名)"

    def validate(self, candidate: str) -> bool:
        lists = name_lists()
        if _is_cjk_name(candidate, lists.cjk_surnames):
            return True
        tokens = candidate.replace(",", " ").split()
        if not 0 < len(tokens) <= _MAX_TOKENS:
            return False
        if not all(_TOKEN.fullmatch(token) for token in tokens):
            return False
        return any(_token_known(token, lists.latin) for token in tokens)

    def normalize(self, candidate: str) -> str:
        return " ".join(candidate.replace(",", " ").split()).casefold()

    def shaped_cells(self, stripped: pl.Series) -> pl.Series:
        shaped = stripped.str.contains(_NAME_SHAPE).fill_null(False)
        long = (stripped.str.len_chars() > _MAX_TOKEN_CHARS).fill_null(False)
        if long.any():
            rows = long.arg_true()
            broken = stripped.gather(rows).str.contains(_LONG_NAME_TOKEN).fill_null(False)
            shaped = shaped.scatter(rows, shaped.gather(rows) & ~broken)
        return shaped.alias(stripped.name)

    def count_cells(self, values: pl.Series) -> pl.Series:
        """The full pass, vectorised: the cell shape, at most four tokens, and a known first
        or last name among them (or a Chinese name starting with a known surname). Unlike
        :meth:`validate` it does not check each token's letters one by one."""
        latin, surnames = _name_series()
        frame = pl.DataFrame({"v": values}).with_row_index("row")
        tokens = (frame.select("row", pl.col("v").str.to_lowercase()
                               .str.replace_all(r"[,.\-]", " ").str.split(" ").alias("t"))
                  .explode("t").filter(pl.col("t") != ""))
        known = tokens.filter(pl.col("t").is_in(latin.implode()))
        token_count = pl.col("v").str.replace_all(",", " ").str.strip_chars().str.count_matches(
            r"\s+") + 1
        cjk = surnames.implode()
        return frame.select(
            (pl.lit(self.shaped_cells(values))
             & pl.col("row").is_in(known["row"].implode())
             & (token_count <= _MAX_TOKENS))
            | (pl.col("v").str.contains(r"^[\u4e00-\u9fff]{2,4}$")
               & (pl.col("v").str.slice(0, 1).is_in(cjk) | pl.col("v").str.slice(0, 2).is_in(cjk)))
        ).to_series().fill_null(False).alias(values.name)

    def normalize_cells(self, values: pl.Series) -> pl.Series:
        return (values.str.replace_all(",", " ").str.replace_all(r"\s+", " ")
                .str.strip_chars().str.to_lowercase())

    def mask(self, candidate: str) -> str:
        if _CJK_NAME.fullmatch(candidate):
            return candidate[0] + "*" * (len(candidate) - 1)
        return " ".join(token[0] + "***" for token in candidate.replace(",", " ").split())
