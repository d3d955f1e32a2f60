"""Speed of parsing and attributing egress records, and peak memory of ``databorder flows``.

Generates (once, cached under the git-ignored ``bench/data/``) a Zeek ``conn.log``-shaped TSV
of ``--records`` records (default 10,000,000, about 0.9 GB) from ~2,000 internal hosts to
destinations with a long-tailed popularity: addresses sampled inside the networks of cloud,
CDN, AI and Chinese-cloud AS names of the bundled IP data (Amazon, Google, Microsoft,
Cloudflare, Akamai, Fastly, Alibaba, Tencent, Huawei, Baidu, China Telecom/Unicom/Mobile,
Yandex, ...), other public addresses anywhere, and private ones. Then, in one run:

* parsing alone: the Zeek TSV reader over the file, records/s;
* attribution of the records' destinations, records/s of all records, best and slowest of
  three runs with wall and CPU seconds: (a) what ``flows`` needs and the goal is measured on —
  every record's dense destination id (a categorical cast: each string hashed once) plus one
  attribution row per distinct destination, attributed once; (b) the same gathered into one
  attribution row per record (all 14 columns, strings categorical: an integer gather, no
  string copied per record); (c) the raw per-record vectorised ``IpDatabase.lookup``. A
  100,000-record slice checks that (b) equals attributing every record;
* the baseline: ``geoip2fast``'s own per-record ``lookup`` on a 100,000-record slice (the
  same data file), and the ratios;
* wall and CPU seconds and peak RSS of ``databorder flows`` (a child process) on a tenth of
  the file and on all of it; the load average is printed, since other jobs share the cores.

    .venv/bin/python bench/flows.py [--records 10000000]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
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
REPEATS = 3
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


@dataclass(frozen=True, slots=True)
class Rate:
    records: int
    seconds: float
    cpu_seconds: float

    @property
    def per_second(self) -> float:
        return self.records / self.seconds


def _timed(work: Callable[[], int]) -> tuple[Rate, Rate]:
    """(fastest, slowest) of ``REPEATS`` runs: other jobs share the cores, so one run says
    little; CPU seconds are less affected by them than wall seconds."""
    rates = []
    for _ in range(REPEATS):
        started, cpu = time.perf_counter(), time.process_time()
        records = work()
        rates.append(Rate(records, time.perf_counter() - started, time.process_time() - cpu))
    rates.sort(key=lambda rate: rate.seconds)
    return rates[0], rates[-1]


def attributed_ids(dst: pl.Series, db: IpDatabase) -> tuple[pl.Series, pl.DataFrame]:
    """(each record's dense destination id, the attribution row of every id).

    The ids come from a categorical cast (each string hashed once, distinct values numbered in
    order of appearance); the distinct destinations are attributed once, the table's string
    columns categorical, so that a record's attribution is ``table[ids]``: a gather of integers.
    """
    encoded = dst.cast(pl.Categorical(pl.Categories.random()))
    # read the categories while ``encoded`` holds them (they are freed with their last user)
    distinct = encoded.dtype.categories.to_series().cast(pl.String)  # type: ignore[attr-defined]
    keys = distinct.to_frame("dst_ip").with_columns(pl.lit(None, pl.String).alias("name"))
    table = attribute_destinations(keys, ip_db=db).with_columns(
        pl.col(pl.String).cast(pl.Categorical(pl.Categories.random())))
    return encoded.to_physical(), table


def attribution_rates(dst: pl.Series, db: IpDatabase) -> tuple[dict[str, tuple[Rate, Rate]], int]:
    """Rates of: per-record ids + attribution rows; the same gathered into one row per record
    (every column); per-record ``IpDatabase.lookup``. And the number of distinct addresses."""
    sample = dst.head(100_000)
    ids, table = attributed_ids(sample, db)
    gathered = table[ids].with_columns(pl.col(pl.Categorical).cast(pl.String))
    expected = attribute_destinations(
        sample.to_frame("dst_ip").with_columns(pl.lit(None, pl.String).alias("name")), ip_db=db)
    assert gathered.equals(expected), "per-record attribution differs from attributing each record"
    rates = {
        "ids": _timed(lambda: attributed_ids(dst, db)[0].len()),
        "rows": _timed(lambda: _gathered(*attributed_ids(dst, db))),
        "lookup": _timed(lambda: db.lookup(dst).height),
    }
    assert all(best.records == dst.len() for best, _ in rates.values())
    return rates, dst.n_unique()


def _gathered(ids: pl.Series, table: pl.DataFrame) -> int:
    return table[ids].height


def geoip2fast_rate(ips: list[str]) -> float:
    from geoip2fast import GeoIP2Fast

    geoip = GeoIP2Fast(geoip2fast_data_file="geoip2fast-asn-ipv6.dat.gz")
    started = time.perf_counter()
    answers = [geoip.lookup(ip) for ip in ips]
    seconds = time.perf_counter() - started
    assert all(a.country_code is not None for a in answers)
    return len(ips) / seconds


def _load() -> str:
    return f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} (2 cores, shared)"


def flows_run(path: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of ``databorder flows``
    on ``path``, in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as folder:
        seconds, peak = measured([sys.executable, "-m", "databorder", "flows", str(path),
                                  "--no-progress", "--json", str(Path(folder) / "flows.json")])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return seconds, cpu, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--only", choices=("attribution", "flows"),
                        help="run one part: attribution rates, or the databorder flows runs")
    args = parser.parse_args()
    path = ensure_log(args.records)
    print(f"{path.name}: {args.records:,} records, {path.stat().st_size / MB:,.0f} MB")
    if args.only is None:
        print(f"parsing (Zeek TSV reader)         {parse_rate(path, args.records):>14,.0f} rec/s")
    if args.only != "flows":
        attribution(path)
    if args.only != "attribution":
        flows_runs(path, args.records)


def attribution(path: Path) -> None:
    dst = (pl.scan_csv(path, separator="\t", comment_prefix="#", has_header=False,
                       quote_char=None, infer_schema=False)
           .select(pl.col("column_4").alias("dst_ip")).collect()["dst_ip"])
    assert dst.head(1000).str.contains(r"^[0-9a-f.:]+$").all(), "not the address column"
    db = IpDatabase.bundled()
    db.lookup(dst.head(10))  # the /24 shortcut table is built once per process
    rates, distinct = attribution_rates(dst, db)
    baseline = geoip2fast_rate(dst.head(BASELINE_SLICE).to_list())
    print(_load())
    labels = {
        "ids": f"attribution: per-record destination id + its row ({distinct:,} rows)",
        "rows": "attribution: one row per record, all 14 columns",
        "lookup": "attribution: IpDatabase.lookup per record",
    }
    for key, (best, worst) in rates.items():
        print(f"{labels[key]:<66} {best.per_second:>12,.0f} rec/s"
              f" ({best.per_second / baseline:,.0f}x)"
              f" best of {REPEATS}: {best.seconds:.2f} s, {best.cpu_seconds:.2f} CPU s;"
              f" slowest {worst.per_second:,.0f} rec/s ({worst.per_second / baseline:,.0f}x)")
    print(f"{f'geoip2fast lookup() per record, {BASELINE_SLICE:,} records':<66}"
          f" {baseline:>12,.0f} rec/s (1x)")


def flows_runs(path: Path, records: int) -> None:
    tenth = ensure_tenth(path, records)
    for label, target, count in ((f"{records // 10:,}", tenth, records // 10),
                                 (f"{records:,}", path, records)):
        seconds, cpu, peak = flows_run(target)
        print(_load())
        print(f"databorder flows, {label} records: {seconds:,.1f} s"
              f" ({count / seconds:,.0f} rec/s), {cpu:,.1f} CPU s, peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
