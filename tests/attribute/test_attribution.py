import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from databorder.attribute.attribute import attribute_destinations
from databorder.attribute.entities import KnowledgeBase, KnowledgeError
from databorder.attribute.ip import IpDatabase


@pytest.fixture(scope="module")
def destinations() -> pl.DataFrame:
    dst = pl.DataFrame({
        "dst_ip": ["47.88.1.1", "104.16.1.1", "192.168.1.10", "2400:3200::1", "81.2.69.160",
                   "not-an-ip"],
        "name": [None, "api.deepseek.com", "intranet.local", None, None, None],
    })
    return attribute_destinations(dst)


def test_alibaba_us_region_address_goes_to_the_chinese_parent(destinations: pl.DataFrame) -> None:
    row = destinations.row(0, named=True)
    assert row["ip_country"] == "US"  # AS45102's GeoLite2 name, a US-region Alibaba Cloud prefix
    assert row["as_name"] == "Alibaba US Technology Co., Ltd."
    assert (row["entity"], row["evidence"]) == ("alibaba-cloud", "as_name")
    assert row["ultimate_parent"] == "alibaba-group"
    assert row["controlled_from"] == "CN" and row["country_of_concern"] is True


def test_cdn_address_with_a_chinese_ai_name_is_decided_by_the_name(
        destinations: pl.DataFrame) -> None:
    row = destinations.row(1, named=True)
    assert row["network_entity"] == "cloudflare"
    assert (row["entity"], row["evidence"], row["registered_domain"]) == (
        "deepseek", "domain", "deepseek.com")
    assert row["country_of_concern"] is True


def test_private_unknown_and_invalid(destinations: pl.DataFrame) -> None:
    private, unknown, invalid = (destinations.row(i, named=True) for i in (2, 4, 5))
    assert private["ip_scope"] == "private" and private["as_name"] is None
    assert private["entity"] is None
    assert unknown["ip_scope"] == "public" and unknown["entity"] is None
    assert unknown["as_name"] is not None  # a network we know, an owner we do not
    assert invalid["ip_scope"] == "invalid"


def test_ipv6_china_prefix(destinations: pl.DataFrame) -> None:
    row = destinations.row(3, named=True)
    assert row["ip_country"] == "CN" and row["ultimate_parent"] == "alibaba-group"


def test_vectorised_lookup_agrees_with_geoip2fast() -> None:
    from geoip2fast import GeoIP2Fast

    reference = GeoIP2Fast(geoip2fast_data_file="geoip2fast-asn-ipv6.dat.gz")
    ips = [f"{a}.{b}.{(a * b) % 256}.{b}" for a in range(1, 224, 7) for b in range(0, 256, 51)]
    ours = IpDatabase.bundled().lookup(pl.Series(ips))
    for ip, country in zip(ips, ours["ip_country"].to_list(), strict=True):
        theirs = reference.lookup(ip).country_code
        assert country == (None if theirs in ("--", "") else theirs), ip


def test_chain_and_jurisdiction() -> None:
    kb = KnowledgeBase.bundled()
    assert [h.entity.id for h in kb.chain("volcengine")] == ["volcengine", "bytedance"]
    assert kb.for_domain("a.b.dashscope.aliyuncs.com").id == "alibaba-cloud"  # type: ignore[union-attr]
    assert kb.for_asn(13335).id == "cloudflare"  # type: ignore[union-attr]
    tiktok = kb.jurisdiction("tiktok")
    assert tiktok.organised_in == "SG" and tiktok.controlled_from == "CN"
    assert tiktok.country_of_concern and "202.211" in tiktok.concern_source
    assert not kb.jurisdiction("aws").country_of_concern
    assert all(e.source and e.as_of for e in kb.entities.values())


def test_user_file_overrides_and_bad_entries(tmp_path: Path) -> None:
    extra = tmp_path / "mine.yaml"
    extra.write_text("entities:\n- {id: acme, name: Acme, domains: [acme.example], parent: aws,"
                     " ownership: 0.6, source: contract 42, as_of: 2026-01-01}\n")
    kb = KnowledgeBase.bundled(extra)
    assert kb.chain("acme")[0].ownership_by_next == 0.6
    assert kb.ultimate_parent("acme").id == "amazon"
    extra.write_text("entities:\n- {id: acme, name: Acme, as_of: 2026-01-01}\n")
    with pytest.raises(KnowledgeError, match=r"mine.yaml: entity 'acme': missing source"):
        KnowledgeBase.bundled(extra)
    extra.write_text("entities:\n- {id: acme, name: Acme, parent: nobody, source: x,"
                     " as_of: 2026-01-01}\n")
    with pytest.raises(KnowledgeError, match="unknown parent 'nobody'"):
        KnowledgeBase.bundled(extra)
    extra.write_text("entities:\n- {id: a, name: A, parent: b, source: x, as_of: 2026-01-01}\n"
                     "- {id: b, name: B, parent: a, source: x, as_of: 2026-01-01}\n")
    with pytest.raises(KnowledgeError, match="parent cycle"):
        KnowledgeBase.bundled(extra)


def test_public_suffix_list_needs_no_network(tmp_path: Path) -> None:
    code = ("import polars as pl\nfrom databorder.attribute.domain import registered_domains\n"
            "print(registered_domains(pl.Series(['x.api.deepseek.com', 'a.bbc.co.uk']))"
            ".to_list())\n")
    env = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
           "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "TLDEXTRACT_CACHE": str(tmp_path / "tld")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "['deepseek.com', 'bbc.co.uk']"
    assert not any(tmp_path.rglob("*"))  # nothing fetched, nothing cached
