"""Host name -> registered domain, with the Public Suffix List snapshot bundled in tldextract.

No network access and no cache writes: the extractor gets no suffix-list URLs and no cache
directory, so it reads the snapshot that ships inside the ``tldextract`` wheel. Only ICANN
suffixes are used (not the PSL's private section), so ``bucket.s3.amazonaws.com`` resolves to
``amazonaws.com``, the domain whose owner we know.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import version

import polars as pl
import tldextract

_PLAIN_NAME = r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$"
"""Host names the URL-lenient parsing of tldextract leaves as they are, with no empty label."""
PSL_SOURCE = "Public Suffix List snapshot bundled in tldextract {version} (https://publicsuffix.org/)"


@cache
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True,
                                 include_psl_private_domains=False)


def psl_source() -> str:
    return PSL_SOURCE.format(version=version("tldextract"))


def normalise_names(names: pl.Series) -> pl.Series:
    """Lower-case, trimmed, without a trailing dot; empty strings become null."""
    cleaned = names.cast(pl.String).str.strip_chars().str.strip_chars_end(".").str.to_lowercase()
    return cleaned.set(cleaned == "", None)


def registered_domain(name: str) -> str | None:
    """``api.deepseek.com`` -> ``deepseek.com``; None for IP literals and bare suffixes."""
    result = _extractor()(name)
    if result.ipv4 or result.ipv6 or not result.suffix or not result.domain:
        return None
    return result.top_domain_under_public_suffix or None


@dataclass(frozen=True, slots=True)
class _SuffixRules:
    """The ICANN rules tldextract uses, split for column-wise matching."""

    plain: pl.Series
    """Rules without wildcard or exception, e.g. ``com``, ``co.uk``."""
    wildcard_parents: pl.Series
    """Suffixes under which a wildcard rule applies (``*.ck`` -> ``ck``): left to tldextract."""
    most_labels: int


@cache
def _suffix_rules() -> _SuffixRules:
    rules = _extractor().tlds  # public: the suffixes this extractor uses (ICANN only here)
    plain = sorted(r for r in rules if not r.startswith(("*", "!")))
    parents = sorted({r.split(".", 1)[1] for r in rules if r.startswith(("*.", "!"))})
    return _SuffixRules(pl.Series(plain, dtype=pl.String), pl.Series(parents, dtype=pl.String),
                        max(r.count(".") + 1 for r in rules))


def registered_domains(names: pl.Series) -> pl.Series:
    """The registered domain of each name (null where none), computed once per distinct name.

    Plain ASCII host names (no punycode label, no suffix under a wildcard rule) are answered
    with Polars: the public suffix is their longest ending found among the plain rules, which
    is what tldextract's trie walk finds for them. The rest go to tldextract one by one.
    """
    cleaned = normalise_names(names)
    distinct = cleaned.drop_nulls().unique()
    plain, answers = _plain_registered_domains(distinct)
    rest = distinct.filter(~plain)
    mapping = pl.concat([
        pl.DataFrame({"name": distinct.filter(plain), "registered_domain": answers}),
        pl.DataFrame({"name": rest, "registered_domain": pl.Series(
            [registered_domain(n) for n in rest.to_list()], dtype=pl.String)}),
    ])
    joined = cleaned.to_frame("name").join(mapping, on="name", how="left", maintain_order="left")
    return joined["registered_domain"]


def _plain_registered_domains(distinct: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(which names are plain; the registered domain of each plain name, in order)."""
    rules = _suffix_rules()
    frame = distinct.to_frame("name").with_columns(
        pl.col("name").str.split(".").alias("labels"))
    endings = [pl.col("labels").list.slice(-k).list.join(".") for k in
               range(1, rules.most_labels + 1)]
    labels = pl.col("labels").list.len()
    suffix_labels = pl.max_horizontal(
        pl.when(ending.is_in(rules.plain.implode()) & (labels >= k)).then(k).otherwise(0)
        for k, ending in enumerate(endings, start=1))
    flagged = frame.select(
        (pl.col("name").str.contains(_PLAIN_NAME) & ~pl.col("name").str.contains("xn--")
         & ~pl.any_horizontal(ending.is_in(rules.wildcard_parents.implode())
                              for ending in endings)).alias("plain"),
        suffix_labels.alias("suffix_labels"), labels.alias("label_count"), "labels")
    plain = flagged["plain"]
    answers = flagged.filter(plain).select(
        pl.when((pl.col("suffix_labels") > 0) & (pl.col("label_count") > pl.col("suffix_labels")))
        .then(pl.col("labels").list.slice(-(pl.col("suffix_labels") + 1)).list.join("."))
        .otherwise(None).alias("registered_domain"))["registered_domain"]
    return plain, answers.cast(pl.String)
