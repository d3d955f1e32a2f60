"""Cost of each value detector's vectorised hooks, in milliseconds per 1,000,000 rows.

For every detector below, a realistic high-cardinality string column is built (values from
``bench/values.py`` pools, widened vectorised so that nearly every row is distinct, or built
vectorised as in ``bench/throughput.py``) and cut in batches of 65,536 rows, as the engine
reads them. Timed per detector, best of ``--repeat`` runs (other work shares the cores):

- ``valid``: :meth:`valid_cells`, the full validation used on samples;
- ``count``: :meth:`count_cells`, what the full pass over a classified column checks;
- ``norm``: :meth:`normalize_cells` on the cells ``count_cells`` accepts;
- ``pass``: :meth:`count_and_normalize` of the detector fitted to the column's first 2,000
  cells (:meth:`for_column`), as the engine's full pass runs it;
- ``sample``: :meth:`valid_cells` on 2,000 values of each *other* column (other categories
  and look-alike negatives: prices, versions, dates...), summed, with the worst column.

Python-level caches (phone numbers, Chinese region codes) are cleared before each run so that
repeats do not flatter the per-value paths. The columns are cached under ``bench/data/``.

    .venv/bin/python bench/detectors.py [--rows 1000000] [--repeat 3] [--only phone,iban]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from databorder.detect import contact, identity  # noqa: E402
from databorder.detect.base import Detector  # noqa: E402
from databorder.detect.registry import value_detectors  # noqa: E402
from throughput import card_numbers, german_ibans, luhn_complete  # noqa: E402
from values import ValueFactory  # noqa: E402

BATCH = 65_536
SAMPLE = 2_000
POOL = 40_000
DATA = HERE / "data"

# Column -> detector that should claim it (None: a look-alike negative).
COLUMNS: dict[str, str | None] = {
    "phone": "contact.phone", "email": "contact.email", "iban": "bank.iban",
    "card": "payment.card", "imei": "device.imei", "ipv4": "network.ip", "ipv6": "network.ip",
    "mac": "network.mac", "name": "names.person", "ssn": "identity.us_ssn",
    "cn_ric": "identity.cn_ric",
    "latitude": None, "price": None, "version": None, "date": None, "timestamp": None,
    "order_number": None, "epoch_ms": None, "sku": None, "uuid": None, "quantity": None,
}


def _pool(factory: ValueFactory, make: Callable[[], str], size: int = POOL) -> list[str]:
    return [make() for _ in range(size)]


def _draw(rng: np.random.Generator, pool: list[str], rows: int) -> pl.Series:
    return pl.Series(np.asarray(pool, dtype=object)[rng.integers(0, len(pool), size=rows)],
                     dtype=pl.String)


def _random_digits(rng: np.random.Generator, rows: int, width: int) -> pl.Series:
    return pl.Series(rng.integers(0, 10 ** width, size=rows)).cast(pl.String).str.zfill(width)


def build_columns(rows: int, seed: int = 7) -> pl.DataFrame:
    """All benchmark columns, ``rows`` long; nearly every value distinct."""
    rng = np.random.default_rng(seed)
    factory = ValueFactory(seed)
    frame = pl.DataFrame({
        "phone_pool": _draw(rng, _pool(factory, factory.phone), rows),
        "phone_tail": _random_digits(rng, rows, 2),
        "email_pool": _draw(rng, _pool(factory, factory.email), rows),
        "email_tag": pl.Series(rng.integers(0, 10_000, size=rows)).cast(pl.String),
        "iban_pool": _draw(rng, _pool(factory, factory.iban), rows),
        "iban_de": german_ibans(rng, rows),
        "pick": rng.random(rows),
        "card": card_numbers(rng, rows),
        "imei": pl.Series(luhn_complete(
            rng.choice((35332509, 35391110, 86891503, 1326300), size=rows) * 10**6
            + rng.integers(0, 10**6, size=rows), 15)).cast(pl.String),
        "ip_int": rng.integers(1 << 24, 224 << 24, size=rows),
        "ipv6": _draw(rng, _pool(factory, factory.ipv6), rows),
        "mac": _draw(rng, _pool(factory, factory.mac), rows),
        "name": _draw(rng, _pool(factory, factory.name, 20_000), rows),
        "ssn": _draw(rng, _pool(factory, factory.ssn), rows),
        "cn_ric": _draw(rng, _pool(factory, factory.cn_ric), rows),
        "latitude": pl.Series(np.round(rng.uniform(-60.0, 70.0, size=rows), 6)).cast(pl.String),
        "price": _draw(rng, _pool(factory, factory.price), rows),
        "version": _draw(rng, _pool(factory, factory.version) + _pool(
            factory, factory.windows_build), rows),
        "date": _draw(rng, _pool(factory, factory.date, 2_000), rows),
        "timestamp": _draw(rng, _pool(factory, factory.timestamp), rows),
        "order_number": _draw(rng, _pool(factory, factory.order_number), rows),
        "epoch_ms": _draw(rng, _pool(factory, factory.epoch_ms), rows),
        "sku": _draw(rng, _pool(factory, factory.sku), rows),
        "uuid": _draw(rng, _pool(factory, factory.request_id), rows),
        "quantity": _draw(rng, _pool(factory, factory.quantity, 100), rows),
    })
    col = pl.col
    ip = col("ip_int")
    octets = [(ip // (1 << shift) % 256).cast(pl.String) for shift in (24, 16, 8, 0)]
    # A phone number with its last two digits replaced stays in its number range (mostly
    # valid) and is distinct; national, international and E.164 spellings all occur.
    phone = pl.concat_str(col("phone_pool").str.replace(r"[0-9][^0-9]*[0-9]$", ""),
                          col("phone_tail"))
    email = col("email_pool").str.replace("@", pl.concat_str(col("email_tag"), pl.lit("@")),
                                          literal=True)
    # One e-mail in a hundred has a non-ASCII local part, as in international data.
    email = pl.when(col("pick") < 0.01).then(pl.lit("ü") + email).otherwise(email)
    return frame.select(
        phone=phone,
        email=email,
        iban=pl.when(col("pick") < 0.5).then(col("iban_de")).otherwise(col("iban_pool")),
        card=col("card"),
        imei=col("imei").str.zfill(15),
        ipv4=pl.concat_str(octets, separator="."),
        ipv6=col("ipv6"),
        mac=col("mac"),
        name=col("name"),
        ssn=col("ssn"),
        cn_ric=col("cn_ric"),
        **{c: col(c) for c in COLUMNS if c not in {
            "phone", "email", "iban", "card", "imei", "ipv4", "ipv6", "mac", "name", "ssn",
            "cn_ric"}},
    )


def load_columns(rows: int) -> pl.DataFrame:
    path = DATA / f"detector_columns_{rows}.parquet"
    if path.exists():
        return pl.read_parquet(path)
    started = time.perf_counter()
    frame = build_columns(rows)
    DATA.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)
    print(f"built {path.name} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return frame


def clear_caches() -> None:
    contact.phone_e164.cache_clear()
    identity._ric_place_known.cache_clear()


def best_of(repeat: int, run: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(repeat):
        clear_caches()
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def batches(column: pl.Series) -> list[pl.Series]:
    return [column.slice(start, BATCH) for start in range(0, column.len(), BATCH)]


def measure(detector: Detector, column: pl.Series, others: dict[str, pl.Series],
            repeat: int) -> dict[str, str]:
    parts = batches(column)
    scale = 1_000_000 / column.len() * 1000
    matched = [part.filter(detector.count_cells(part)) for part in parts]
    valid_share = sum(m.len() for m in matched) / column.len()

    def run_valid() -> None:
        for part in parts:
            detector.valid_cells(part)

    def run_count() -> None:
        for part in parts:
            detector.count_cells(part)

    def run_norm() -> None:
        for part in matched:
            detector.normalize_cells(part)

    def run_pass() -> None:
        fitted = detector.for_column(column.head(2_000).str.strip_chars().drop_nulls())
        for part in parts:
            fitted.count_and_normalize(part)

    sample_costs = {}
    for name, values in others.items():
        sample_costs[name] = best_of(repeat, lambda v=values: detector.valid_cells(v))  # type: ignore[misc]
    worst = max(sample_costs, key=lambda k: sample_costs[k])
    return {
        "valid": f"{best_of(repeat, run_valid) * scale:,.0f}",
        "count": f"{best_of(repeat, run_count) * scale:,.0f}",
        "norm": f"{best_of(repeat, run_norm) * scale:,.0f}",
        "pass": f"{best_of(repeat, run_pass) * scale:,.0f}",
        "share": f"{valid_share:.1%}",
        "sample": f"{sum(sample_costs.values()) * 1000:,.1f}",
        "worst": f"{worst} {sample_costs[worst] * 1000:,.1f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated column names")
    args = parser.parse_args()
    frame = load_columns(args.rows)
    by_name = {d.name: d for d in value_detectors()}
    wanted = [c for c in args.only.split(",") if c] or [c for c, d in COLUMNS.items() if d]
    print(f"{'column':<8} {'detector':<17} {'valid':>8} {'count':>8} {'norm':>8} {'pass':>8}"
          f" {'share':>7} {'sample':>8}  worst sample column (ms per 2,000)")
    print(f"{'':<26}{'ms per 1M rows':>35} {'':>7} {'ms':>8}")
    for column in wanted:
        detector = by_name[str(COLUMNS[column])]
        others = {name: frame[name].head(SAMPLE) for name, owner in COLUMNS.items()
                  if owner != detector.name}
        row = measure(detector, frame[column], others, args.repeat)
        print(f"{column:<8} {detector.name:<17} {row['valid']:>8} {row['count']:>8} "
              f"{row['norm']:>8} {row['pass']:>8} {row['share']:>7} {row['sample']:>8}  "
              f"{row['worst']}",
              flush=True)


if __name__ == "__main__":
    main()
