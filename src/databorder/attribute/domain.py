"""Host name -> registered domain, with the Public Suffix List snapshot bundled in tldextract.

No network access and no cache writes: the extractor gets no suffix-list URLs and no cache
directory, so it reads the snapshot that ships inside the ``tldextract`` wheel. Only ICANN
suffixes are used (not the PSL's private section), so ``bucket.s3.amazonaws.com`` resolves to
``amazonaws.com``, the domain whose owner we know.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import version

import polars as pl
import tldextract

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


def registered_domains(names: pl.Series) -> pl.Series:
    """The registered domain of each name (null where none), computed once per distinct name."""
    cleaned = normalise_names(names)
    distinct = cleaned.drop_nulls().unique()
    mapping = pl.DataFrame(
        {
            "name": distinct,
            "registered_domain": pl.Series(
                [registered_domain(n) for n in distinct.to_list()], dtype=pl.String),
        }
    )
    joined = cleaned.to_frame("name").join(mapping, on="name", how="left", maintain_order="left")
    return joined["registered_domain"]
