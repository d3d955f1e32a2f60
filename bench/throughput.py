"""Scan throughput and peak memory of databorder on a large CSV, against Microsoft Presidio.

The CSV (10,000,000 order/customer rows, 3.26 GB, by default) is generated once with
fixed seeds and cached under ``bench/data/`` (git-ignored). Ten million rows, because a scan
has a start-up cost of about 1.3 s (imports, classifying the sample, the first frame's
warm-up) that is a third of a 1,000,000-row run and measures no throughput;
``--rows 1000000`` gives that figure. Sensitive columns hold
high-cardinality, checksum-valid values built vectorised with NumPy (Luhn cards, mod-97
IBANs, Luhn IMEIs); names and phones come from Faker pools; ``notes`` is free text that
sometimes carries an e-mail address or a phone number.

databorder scans the whole file in a child process (``databorder scan FILE --json ...
--no-store``: the scan, without keeping the run in a store);
wall time and the child's peak RSS are measured. Presidio's ``BatchAnalyzerEngine`` analyses
the first 20,000 rows of the same file, column by column, with pattern recognizers only on a
blank spaCy pipeline (no model download), also in a child process.

    .venv/bin/python bench/throughput.py [--rows 10000000] [--presidio-rows 20000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
DATABORDER = Path(sys.executable).with_name("databorder")
CHUNK_ROWS = 200_000
MB = 1_000_000

DOMAINS = ("gmail.com", "yahoo.fr", "web.de", "outlook.com", "qq.com", "hotmail.es",
           "example.org")
STATUSES = ("paid", "shipped", "delivered", "refunded", "cancelled", "pending")
CURRENCIES = ("EUR", "USD", "GBP", "CNY")
NOTE_PHRASES = (
    "Customer asked for delivery after 6pm, leave parcel with the neighbour if nobody is home.",
    "Gift wrap requested; include the handwritten card from the order form.",
    "Second attempt at delivery, address confirmed by the courier on the phone.",
    "Bitte beim Nachbarn abgeben, falls niemand zu Hause ist.",
    "Merci de livrer au point relais le plus proche.",
    "Entregar en horario de oficina, de lunes a viernes.",
    "请在工作日送货，周末无人签收。",
    "Refund issued after the product arrived damaged; photos attached to the ticket.",
    "Express shipping upgrade applied by support as a goodwill gesture.",
    "Out of stock on the first try, backorder filled from the Rotterdam warehouse.",
)


def luhn_complete(body: np.ndarray[Any, np.dtype[np.int64]], length: int) -> np.ndarray[
        Any, np.dtype[np.int64]]:
    """Append the Luhn check digit to ``length - 1``-digit bodies."""
    total = np.zeros_like(body)
    rest = body.copy()
    for position in range(length - 1):
        digit = rest % 10
        rest //= 10
        if position % 2 == 0:
            digit = digit * 2
            digit = np.where(digit > 9, digit - 9, digit)
        total += digit
    completed: np.ndarray[Any, np.dtype[np.int64]] = body * 10 + (10 - total % 10) % 10
    return completed


def card_numbers(rng: np.random.Generator, n: int) -> pl.Series:
    """Visa/Mastercard 16-digit and Amex 15-digit numbers, Luhn-valid, mixed formatting."""
    kind = rng.choice(3, size=n, p=(0.55, 0.33, 0.12))
    visa = 4 * 10**14 + rng.integers(0, 10**14, size=n)
    master = rng.integers(51, 56, size=n) * 10**13 + rng.integers(0, 10**13, size=n)
    amex = rng.choice((34, 37), size=n) * 10**12 + rng.integers(0, 10**12, size=n)
    sixteen = luhn_complete(np.where(kind == 0, visa, master), 16)
    fifteen = luhn_complete(amex, 15)
    digits = pl.Series(np.where(kind == 2, fifteen, sixteen)).cast(pl.String)
    style = pl.Series(rng.choice(3, size=n, p=(0.6, 0.25, 0.15)))
    frame = pl.DataFrame({"d": digits, "s": style})
    d = pl.col("d")
    spaced16 = pl.concat_str(d.str.slice(0, 4), d.str.slice(4, 4), d.str.slice(8, 4),
                             d.str.slice(12, 4), separator=" ")
    spaced15 = pl.concat_str(d.str.slice(0, 4), d.str.slice(4, 6), d.str.slice(10, 5),
                             separator=" ")
    spaced = pl.when(d.str.len_chars() == 16).then(spaced16).otherwise(spaced15)
    out = (pl.when(pl.col("s") == 0).then(d)
           .when(pl.col("s") == 1).then(spaced)
           .otherwise(spaced.str.replace_all(" ", "-")))
    return frame.select(out.alias("card_number")).to_series()


def german_ibans(rng: np.random.Generator, n: int) -> pl.Series:
    """DE IBANs: 8-digit bank code and 10-digit account, ISO 7064 mod-97 check digits."""
    bban = rng.integers(10_000_000, 90_000_000, size=n) * 10**10 + rng.integers(0, 10**10, size=n)
    # IBAN check: move "DE00" to the end (D=13, E=14): bban * 10**6 + 131400, mod 97.
    remainder = ((bban % 97) * (10**6 % 97) + 131400) % 97
    frame = pl.DataFrame({"check": 98 - remainder, "bban": bban})
    return frame.select(pl.concat_str(
        pl.lit("DE"), pl.col("check").cast(pl.String).str.zfill(2),
        pl.col("bban").cast(pl.String).str.zfill(18)).alias("billing_iban")).to_series()


def value_pools(seed: int) -> dict[str, list[str]]:
    """Names, e-mail local parts and valid phone numbers from Faker, for sampling."""
    sys.path.insert(0, str(HERE))
    from values import LOCALES, PRODUCTS, ValueFactory

    factory = ValueFactory(seed)
    pools: dict[str, list[str]] = {"name": [], "user": []}
    for i in range(6000):
        loc = LOCALES[i % len(LOCALES)]
        fake = factory.fakers[loc]
        pools["name"].append(str(fake.name()))
        pools["user"].append(str(factory.fakers["en_US"].user_name()))
    pools["phone"] = [factory.phone(LOCALES[i % len(LOCALES)]) for i in range(15000)]
    pools["product"] = list(PRODUCTS)
    return pools


def make_chunk(rng: np.random.Generator, start: int, n: int,
               pools: dict[str, list[str]]) -> pl.DataFrame:
    """``n`` order rows; sensitive values vectorised, names and phones drawn from pools."""
    def pick(pool: Sequence[str]) -> np.ndarray[Any, np.dtype[Any]]:
        return np.asarray(pool, dtype=object)[rng.integers(0, len(pool), size=n)]

    imei_body = (rng.choice((35332509, 35391110, 86891503, 35674108), size=n) * 10**6
                 + rng.integers(0, 10**6, size=n))
    raw = pl.DataFrame({
        "id": np.arange(start, start + n),
        "seconds": rng.integers(0, 365 * 86400, size=n),
        "customer": rng.integers(0, 400_000, size=n),
        "customer_name": pl.Series(pick(pools["name"]), dtype=pl.String),
        "user": pl.Series(pick(pools["user"]), dtype=pl.String),
        "tag": rng.integers(0, 10_000, size=n),
        "domain": pl.Series(pick(DOMAINS), dtype=pl.String),
        "phone": pl.Series(pick(pools["phone"]), dtype=pl.String),
        "card_number": card_numbers(rng, n),
        "billing_iban": german_ibans(rng, n),
        "ip": rng.integers(1 << 24, 224 << 24, size=n),
        "device_imei": luhn_complete(imei_body, 15),
        "latitude": np.round(rng.uniform(35.0, 60.0, size=n), 6),
        "longitude": np.round(rng.uniform(-9.0, 30.0, size=n), 6),
        "product": pl.Series(pick(pools["product"]), dtype=pl.String),
        "quantity": rng.integers(1, 10, size=n),
        "unit_price": np.round(rng.uniform(1.0, 900.0, size=n), 2),
        "currency": pl.Series(pick(CURRENCIES), dtype=pl.String),
        "status": pl.Series(pick(STATUSES), dtype=pl.String),
        "build": rng.integers(1, 4000, size=n),
        "note": pl.Series(pick(NOTE_PHRASES), dtype=pl.String),
        "roll": rng.random(n),
    })
    email = pl.concat_str(pl.col("user"), pl.col("tag").cast(pl.String), pl.lit("@"),
                          pl.col("domain"))
    ip = pl.col("ip")
    octets = [(ip // (1 << shift) % 256).cast(pl.String) for shift in (24, 16, 8, 0)]
    notes = (pl.when(pl.col("roll") < 0.15)
             .then(pl.concat_str(pl.col("note"), pl.lit(" Contact: "), email))
             .when(pl.col("roll") < 0.3)
             .then(pl.concat_str(pl.col("note"), pl.lit(" Call back on "), pl.col("phone"),
                                 pl.lit(".")))
             .otherwise(pl.col("note")))
    start_time = pl.datetime(2024, 1, 1, time_unit="us")
    return raw.select(
        order_id=pl.lit("ORD-") + pl.col("id").cast(pl.String).str.zfill(10),
        created_at=(start_time + pl.duration(seconds=pl.col("seconds")))
        .dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        customer_id=pl.lit("C") + pl.col("customer").cast(pl.String).str.zfill(7),
        customer_name=pl.col("customer_name"),
        email=email,
        phone=pl.col("phone"),
        card_number=pl.col("card_number"),
        billing_iban=pl.col("billing_iban"),
        client_ip=pl.concat_str(octets, separator="."),
        device_imei=pl.col("device_imei").cast(pl.String),
        latitude=pl.col("latitude"),
        longitude=pl.col("longitude"),
        product=pl.col("product"),
        quantity=pl.col("quantity"),
        unit_price=pl.col("unit_price"),
        currency=pl.col("currency"),
        status=pl.col("status"),
        app_version=pl.lit("10.0.19041.") + pl.col("build").cast(pl.String),
        notes=notes,
    )



def ensure_csv(rows: int) -> Path:
    path = DATA / f"orders_{rows}.csv"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    pools = value_pools(seed=11)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as handle:
        for index, start in enumerate(range(0, rows, CHUNK_ROWS)):
            rng = np.random.default_rng(1000 + index)
            chunk = make_chunk(rng, start, min(CHUNK_ROWS, rows - start), pools)
            chunk.write_csv(handle, include_header=index == 0)
    partial.rename(path)
    print(f"generated {path} ({path.stat().st_size / MB:.0f} MB) in "
          f"{time.perf_counter() - started:.0f}s")
    return path


def run_databorder(path: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "inventory.json"
        started = time.perf_counter()
        # --no-store: the scan is measured, not keeping the run in ./.databorder/
        result = subprocess.run([str(DATABORDER), "scan", str(path), "--json", str(out),
                                 "--no-progress", "--no-store"],
                                capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        # ru_maxrss of children: the largest child waited for so far; databorder runs first.
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if result.returncode != 0 or not out.exists():
            raise SystemExit(f"databorder failed ({result.returncode}):\n{result.stderr[-2000:]}")
        inventory = json.loads(out.read_text(encoding="utf-8"))
    fields = [(f["field"], f["category"]) for s in inventory.get("sources", [inventory])
              for f in s.get("fields", [])] or [
        (f["field"], f["category"]) for f in inventory.get("fields", [])]
    return {"seconds": seconds, "bytes": path.stat().st_size, "peak_mb": peak_kb * 1024 / MB,
            "fields": sorted(set(fields))}


def presidio_engine() -> Any:
    """An AnalyzerEngine with Presidio's pattern recognizers on a blank spaCy pipeline."""
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    class BlankSpacyNlpEngine(SpacyNlpEngine):
        """Tokenizer only: no statistical model, so nothing is downloaded."""

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]

    nlp_engine = BlankSpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    nlp_engine.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    # The NER recognizer would find nothing on a blank pipeline; pattern recognizers and the
    # phonenumbers-based PhoneRecognizer (no model either) stay.
    for recognizer_name in {type(r).__name__ for r in registry.recognizers
                            if isinstance(r, SpacyRecognizer)}:
        registry.remove_recognizer(recognizer_name)
    return AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["en"])


def presidio_worker(path: Path, rows: int) -> None:
    """Child process: analyse the first ``rows`` rows; print one JSON line of figures."""
    from presidio_analyzer import BatchAnalyzerEngine

    with path.open("rb") as handle:
        data = b"".join(handle.readline() for _ in range(rows + 1))
    frame = pl.read_csv(data, infer_schema=False)
    columns: dict[str, Any] = {name: frame[name].to_list() for name in frame.columns}
    setup_started = time.perf_counter()
    engine = presidio_engine()
    batch = BatchAnalyzerEngine(analyzer_engine=engine)
    setup = time.perf_counter() - setup_started
    started = time.perf_counter()
    entities: dict[str, int] = {}
    for result in batch.analyze_dict(columns, language="en", batch_size=512):
        cells: Any = result.recognizer_results
        for cell in cells:
            for found in cell:
                entities[found.entity_type] = entities.get(found.entity_type, 0) + 1
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    recognizers = sorted(type(r).__name__ for r in engine.registry.recognizers)
    print(json.dumps({"seconds": seconds, "setup_seconds": setup, "bytes": len(data),
                      "rows": frame.height, "peak_mb": peak_kb * 1024 / MB,
                      "entities": entities, "recognizers": recognizers}))


def run_presidio(path: Path, rows: int) -> dict[str, Any]:
    return presidio_figures(__file__, "--presidio-worker", str(path), "--presidio-rows", str(rows))


def presidio_figures(script: str, *arguments: str) -> dict[str, Any]:
    """Run ``script``'s Presidio worker in a child process; the JSON line it prints last."""
    result = subprocess.run([sys.executable, script, *arguments], capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"presidio worker failed:\n{result.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def print_row(tool: str, rows: int, size: int, seconds: float, peak_mb: float) -> None:
    shown = f"{rows:,} rows, {size / MB:.1f} MB"
    print(f"{tool:<12} {shown:>24} {seconds:>9.1f} {size / MB / seconds:>9.3f} {peak_mb:>12.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows in the generated CSV")
    parser.add_argument("--presidio-rows", type=int, default=20_000)
    parser.add_argument("--skip-databorder", action="store_true")
    parser.add_argument("--presidio-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.presidio_worker:
        presidio_worker(args.presidio_worker, args.presidio_rows)
        return
    path = ensure_csv(args.rows)
    size_mb = path.stat().st_size / MB
    print(f"input: {path.name}, {args.rows:,} rows, {size_mb:.0f} MB")
    db: dict[str, Any] | None = None
    if not args.skip_databorder:
        db = run_databorder(path)
    pr = run_presidio(path, min(args.presidio_rows, args.rows))
    pr_rate = pr["bytes"] / MB / pr["seconds"]
    print(f"\n{'tool':<12} {'input':>24} {'seconds':>9} {'MB/s':>9} {'peak RSS MB':>12}")
    if db is not None:
        db_rate = db["bytes"] / MB / db["seconds"]
        print_row("databorder", args.rows, db["bytes"], db["seconds"], db["peak_mb"])
    print_row("presidio", pr["rows"], pr["bytes"], pr["seconds"], pr["peak_mb"])
    if db is not None:
        print(f"\nthroughput ratio databorder/presidio: {db_rate / pr_rate:,.0f}x")
        print("databorder found: " + ", ".join(f"{f}={c}" for f, c in db["fields"]))
    print(f"presidio setup {pr['setup_seconds']:.1f}s; recognizers: {', '.join(pr['recognizers'])}")
    print("presidio entities: " + ", ".join(f"{k}={v}" for k, v in sorted(pr["entities"].items())))


if __name__ == "__main__":
    main()
