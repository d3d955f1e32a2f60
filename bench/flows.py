"""Speed of parsing and attributing egress records, and peak memory of ``databorder flows``.

Generates (once, cached under the git-ignored ``bench/data/``) a Zeek ``conn.log``-shaped TSV
of ``--records`` records (default 10,000,000, about 0.9 GB) from ~2,000 internal hosts to
destinations with a long-tailed popularity: addresses sampled inside the networks of cloud,
CDN, AI and Chinese-cloud AS names of the bundled IP data (Amazon, Google, Microsoft,
Cloudflare, Akamai, Fastly, Alibaba, Tencent, Huawei, Baidu, China Telecom/Unicom/Mobile,
Yandex, ...), other public addresses anywhere, and private ones. Then, in one run:

* parsing alone: the Zeek TSV reader over the file, records/s;
* attribution of the records' destinations, records/s of all records: as ``flows`` does it
  (distinct destinations attributed, the answer joined back to every record) and the raw
  per-record vectorised ``IpDatabase.lookup`` over every address;
* the baseline: ``geoip2fast``'s own per-record ``lookup`` on a 100,000-record slice (the
  same data file), and the ratios;
* peak RSS of ``databorder flows`` (a child process) on a tenth of the file and on all of it.

    .venv/bin/python bench/flows.py [--records 10000000]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from databorder.attribute.attribute import attribute_destinations
from databorder.attribute.ip import IpDatabase
from databorder.traffic.open import flow_files, open_targets
from memory import measured

DATA = Path(__file__).resolve().parent / "data"
HOSTS = 2_000
PUBLIC_DESTINATIONS = 100_000
PRIVATE_DESTINATIONS = 2_000
BASELINE_SLICE = 100_000
CHUNK = 1_000_000
MB = 1024 * 1024
SEED = 20240601
PROVIDERS = re.compile(
    r"amazon|google|microsoft|cloudflare|akamai|fastly|alibaba|aliyun|tencent|huawei|baidu|"
    r"bytedance|volc|chinanet|china ?unicom|china ?mobile|yandex|oracle|digitalocean|"
    r"kingsoft|jd\.com|ucloud|hetzner|ovh", re.I)
HEADER = ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
          "#path\tconn\n#open\t2024-06-01-00-00-00\n"
          "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice"
          "\tduration\torig_bytes\tresp_bytes\tconn_state\n"
          "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount"
          "\tstring\n")


def _dotted(values: np.ndarray) -> list[str]:
    v = values.astype(np.uint32)
    return [f"{a}.{b}.{c}.{d}" for a, b, c, d in
            zip(v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255, strict=True)]


def destinations(db: IpDatabase, rng: np.random.Generator) -> list[str]:
    """Public addresses inside providers' networks (one AS name as likely as another), 20 %
    anywhere public, and private addresses."""
    bounds = db.v4.bounds.astype(np.int64)
    sizes = np.diff(np.append(bounds, 1 << 32))
    wanted = [i for i, n in enumerate(db.as_names.to_list()) if n and PROVIDERS.search(n)]
    chosen = np.flatnonzero(np.isin(db.v4.asn_ids, wanted))
    as_of_interval = db.v4.asn_ids[chosen]
    _, inverse, counts = np.unique(as_of_interval, return_inverse=True, return_counts=True)
    weights = 1.0 / counts[inverse]
    provider = int(PUBLIC_DESTINATIONS * 0.8)
    picked = rng.choice(chosen, size=provider, p=weights / weights.sum())
    inside = bounds[picked] + (rng.random(provider) * sizes[picked]).astype(np.int64)
    public = np.flatnonzero((db.v4.asn_ids >= 0) & ~np.isin(db.v4.country_ids, list(
        db.reserved_country_ids)))
    anywhere_at = rng.choice(public, size=PUBLIC_DESTINATIONS - provider)
    anywhere = bounds[anywhere_at] + (rng.random(anywhere_at.size) * sizes[anywhere_at]
                                      ).astype(np.int64)
    private = (10 << 24) + rng.integers(0, 1 << 24, PRIVATE_DESTINATIONS)
    return list(dict.fromkeys(_dotted(np.concatenate([inside, anywhere, private]))))


def ensure_log(records: int) -> Path:
    path = DATA / f"conn_{records}.log"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    dst = pl.Series(destinations(IpDatabase.bundled(), rng))
    dst_order = rng.permutation(dst.len())
    popularity = 1.0 / (np.arange(dst.len()) + 10.0) ** 1.1
    popularity /= popularity.sum()
    hosts = pl.Series(_dotted((10 << 24) + (1 << 16) + np.arange(HOSTS)))
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="ascii") as out:
        out.write(HEADER)
        for start in range(0, records, CHUNK):
            n = min(CHUNK, records - start)
            index = np.arange(start, start + n)
            ts = 1_717_200_000 + index * 86_400 // records
            frame = pl.DataFrame({
                "ts": pl.Series(ts).cast(pl.String) + "."
                + pl.Series(rng.integers(0, 1_000_000, n)).cast(pl.String).str.zfill(6),
                "uid": "C" + pl.Series(index).cast(pl.String),
                "orig_h": hosts.gather(rng.integers(0, HOSTS, n)),
                "orig_p": rng.integers(32768, 61000, n),
                "resp_h": dst.gather(dst_order[rng.choice(dst.len(), n, p=popularity)]),
                "resp_p": rng.choice([443, 443, 443, 80, 53, 8443], n),
                "proto": np.where(rng.random(n) < 0.9, "tcp", "udp"),
                "service": "ssl", "duration": "1.5",
                "orig_bytes": rng.lognormal(7, 2, n).astype(np.int64),
                "resp_bytes": rng.lognormal(9, 2, n).astype(np.int64),
                "conn_state": "SF",
            })
            out.write(frame.write_csv(separator="\t", include_header=False,
                                      quote_style="never"))
    partial.rename(path)
    return path


def ensure_tenth(path: Path, records: int) -> Path:
    tenth = path.with_name(f"conn_{records}_tenth.log")
    if not tenth.exists():
        with path.open("rb") as source, tenth.open("wb") as out:
            for i, line in enumerate(source):
                if i >= records // 10 + HEADER.count("\n"):
                    break
                out.write(line)
    return tenth


def parse_rate(path: Path, records: int) -> float:
    started = time.perf_counter()
    rows = sum(batch.num_rows for file in flow_files(open_targets([path]), with_uid=False)
               for batch in file)
    seconds = time.perf_counter() - started
    assert rows == records, (rows, records)
    return rows / seconds


def attribution_rates(dst: pl.Series, db: IpDatabase) -> tuple[float, float, int]:
    """records/s of (distinct destinations attributed, joined back) and of per-record lookup."""
    started = time.perf_counter()
    keys = dst.unique().to_frame("dst_ip").with_columns(pl.lit(None, pl.String).alias("name"))
    attributed = keys.hstack(attribute_destinations(keys, ip_db=db).drop("dst_ip", "name"))
    joined = dst.to_frame("dst_ip").join(attributed, on="dst_ip", how="left")
    unique_seconds = time.perf_counter() - started
    assert joined.height == dst.len()
    started = time.perf_counter()
    looked_up = db.lookup(dst)
    lookup_seconds = time.perf_counter() - started
    assert looked_up.height == dst.len()
    return dst.len() / unique_seconds, dst.len() / lookup_seconds, keys.height


def geoip2fast_rate(ips: list[str]) -> float:
    from geoip2fast import GeoIP2Fast

    geoip = GeoIP2Fast(geoip2fast_data_file="geoip2fast-asn-ipv6.dat.gz")
    started = time.perf_counter()
    answers = [geoip.lookup(ip) for ip in ips]
    seconds = time.perf_counter() - started
    assert all(a.country_code is not None for a in answers)
    return len(ips) / seconds


def flows_run(path: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``databorder flows`` on ``path``, in a child."""
    with tempfile.TemporaryDirectory() as folder:
        return measured([sys.executable, "-m", "databorder", "flows", str(path),
                         "--no-progress", "--json", str(Path(folder) / "flows.json")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    args = parser.parse_args()
    path = ensure_log(args.records)
    print(f"{path.name}: {args.records:,} records, {path.stat().st_size / MB:,.0f} MB")
    print(f"parsing (Zeek TSV reader)         {parse_rate(path, args.records):>14,.0f} rec/s")
    dst = (pl.scan_csv(path, separator="\t", comment_prefix="#", has_header=False,
                       quote_char=None, infer_schema=False)
           .select(pl.col("column_4").alias("dst_ip")).collect()["dst_ip"])
    db = IpDatabase.bundled()
    db.lookup(dst.head(10))  # the /24 shortcut table is built once per process
    unique_rate, lookup_rate, distinct = attribution_rates(dst, db)
    baseline = geoip2fast_rate(dst.head(BASELINE_SLICE).to_list())
    print(f"attribution, {distinct:,} distinct destinations joined back"
          f" {unique_rate:>10,.0f} rec/s  ({unique_rate / baseline:,.0f}x)")
    print(f"attribution, IpDatabase.lookup per record"
          f"    {lookup_rate:>11,.0f} rec/s  ({lookup_rate / baseline:,.0f}x)")
    print(f"geoip2fast lookup() per record, {BASELINE_SLICE:,} records"
          f" {baseline:>9,.0f} rec/s  (1x)")
    tenth = ensure_tenth(path, args.records)
    for label, target, count in ((f"{args.records // 10:,}", tenth, args.records // 10),
                                 (f"{args.records:,}", path, args.records)):
        seconds, peak = flows_run(target)
        print(f"databorder flows, {label} records: {seconds:,.1f} s"
              f" ({count / seconds:,.0f} rec/s), peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
