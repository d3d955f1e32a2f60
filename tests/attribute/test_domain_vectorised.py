"""``registered_domains`` answers plain names column-wise exactly as tldextract does."""

from __future__ import annotations

import numpy as np
import polars as pl

from databorder.attribute import domain
from databorder.attribute.domain import normalise_names, registered_domain, registered_domains


def _generated_names(count: int) -> list[str | None]:
    """Names under every kind of rule (plain, multi-label, wildcard, exception, IDN) and
    malformed ones, with random subdomain depth."""
    rng = np.random.default_rng(3)
    rules = sorted(domain._extractor().tlds)
    words = ["api", "www", "cdn", "a", "x-1", "_dmarc", "s3", "mail", "1", "co", "com", "uk"]
    odd = ["", ".", "a..com", "-.com", "xn--p1ai", "www.xn--p1ai", "пример.рф", "1.2.3.4",
           "localhost", "a b.com", "[::1]", "host:443", "user@x.com", "http://x.com/a", "ck",
           "www.ck", "foo.ck", "x.y.kobe.jp", "city.kobe.jp", "www.city.kobe.jp", "com", "co.uk",
           "bucket.s3.amazonaws.com", "EXAMPLE.COM.", " www.example.org ", None]
    names: list[str | None] = list(odd)
    for _ in range(count):
        rule = rules[rng.integers(len(rules))].lstrip("!").replace("*", "w")
        depth = int(rng.integers(0, 4))
        labels = [words[i] for i in rng.integers(0, len(words), depth)]
        names.append(".".join([*labels, rule]))
    return names


def test_same_answers_as_tldextract_on_generated_names() -> None:
    names = pl.Series(_generated_names(30_000), dtype=pl.String)
    fast = registered_domains(names).to_list()
    cleaned = normalise_names(names).to_list()
    slow = [None if n is None else registered_domain(n) for n in cleaned]
    assert fast == slow
    plain, _ = domain._plain_registered_domains(normalise_names(names).drop_nulls().unique())
    assert plain.to_numpy().mean() > 0.8  # the column-wise path answers most of them


def test_known_answers() -> None:
    names = pl.Series(["api.deepseek.com", "www.bbc.co.uk", "co.uk", "foo.ck", "www.ck",
                       "x.pvt.k12.ma.us", "1.2.3.4", None, "a.b.kobe.jp"])
    assert registered_domains(names).to_list() == [
        "deepseek.com", "bbc.co.uk", None, None, "www.ck", "x.pvt.k12.ma.us", None, None,
        "a.b.kobe.jp"]


def test_empty_and_all_null_columns() -> None:
    assert registered_domains(pl.Series([], dtype=pl.String)).to_list() == []
    assert registered_domains(pl.Series([None, ""], dtype=pl.String)).to_list() == [None, None]


def test_rules_come_from_the_public_icann_list() -> None:
    """The rule list is tldextract's public ``tlds`` (ICANN section only, no private ones)."""
    rules = domain._suffix_rules()
    plain = set(rules.plain.to_list())
    assert {"com", "co.uk", "pvt.k12.ma.us"} <= plain
    assert "s3.amazonaws.com" not in plain and "github.io" not in plain  # PSL private section
    assert {"ck", "kobe.jp"} <= set(rules.wildcard_parents.to_list())  # *.ck, !www.ck
    assert len(plain) > 5_000
