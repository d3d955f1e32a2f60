"""Scan throughput on an application log (free text), against Microsoft Presidio.

The log (1,000,000 lines, about 160 MB, by default) is made once from the orders CSV of
``bench/throughput.py`` and cached under ``bench/data/`` (git-ignored). Each line is what a
web application writes at a login: an ISO time stamp, a level, the client's IP address, the
customer's e-mail and the order's free-text note (which sometimes holds an e-mail address or
a phone number):

    2024-10-25T17:12:52Z INFO login ip=8.222.107.98 user=dannyfleming543@web.de note="..."

databorder scans the whole file in a child process (``databorder scan FILE --json ...
--no-store``); Presidio's ``BatchAnalyzerEngine`` (pattern recognizers on a blank spaCy
pipeline, as in ``bench/throughput.py``) analyses the first 5,000 lines, also in a child
process. Both print MB/s; the script prints the ratio. The log is made in a child process
too: Linux keeps a process's peak RSS across ``fork`` and ``exec``, so a parent that had
loaded the CSV would lend its peak to both measured children.

    .venv/bin/python bench/logs.py [--lines 1000000] [--presidio-lines 5000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl

from throughput import (
    DATA,
    MB,
    ensure_csv,
    presidio_engine,
    presidio_figures,
    print_row,
    run_databorder,
)

LEVELS = ("INFO", "INFO", "INFO", "WARN", "DEBUG")


def ensure_log(lines: int) -> Path:
    """The cached log of ``lines`` lines, made from the orders CSV on first use."""
    path = DATA / f"app_{lines}.log"
    if path.exists():
        return path
    started = time.perf_counter()
    orders = pl.read_csv(ensure_csv(max(lines, 1_000_000)), infer_schema=False, n_rows=lines,
                         columns=["created_at", "client_ip", "email", "notes"])
    level = pl.Series("level", [LEVELS[i % len(LEVELS)] for i in range(orders.height)])
    text = orders.with_columns(level).select(pl.format(
        '{} {} login ip={} user={} note="{}"', "created_at", "level", "client_ip", "email",
        pl.col("notes").fill_null("")).alias("line"))
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        for line in text["line"]:
            out.write(line + "\n")
    partial.rename(path)
    print(f"generated {path} ({path.stat().st_size / MB:.0f} MB) in "
          f"{time.perf_counter() - started:.0f}s")
    return path


def presidio_worker(path: Path, lines: int) -> None:
    """Child process: analyse the first ``lines`` lines; print one JSON line of figures."""
    from presidio_analyzer import BatchAnalyzerEngine

    with path.open(encoding="utf-8") as handle:
        texts = [handle.readline().rstrip("\n") for _ in range(lines)]
    texts = [t for t in texts if t]
    engine = presidio_engine()
    batch = BatchAnalyzerEngine(analyzer_engine=engine)
    started = time.perf_counter()
    entities: dict[str, int] = {}
    for found in batch.analyze_iterator(texts, language="en", batch_size=256):
        for result in found:
            entities[result.entity_type] = entities.get(result.entity_type, 0) + 1
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = sum(len(t.encode()) + 1 for t in texts)
    print(json.dumps({"seconds": seconds, "bytes": size, "rows": len(texts),
                      "peak_mb": peak_kb * 1024 / MB, "entities": entities}))


def run_presidio(path: Path, lines: int) -> dict[str, Any]:
    return presidio_figures(__file__, "--presidio-worker", str(path), "--presidio-lines",
                            str(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--presidio-lines", type=int, default=5_000)
    parser.add_argument("--presidio-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.presidio_worker:
        presidio_worker(args.presidio_worker, args.presidio_lines)
        return
    if args.generate_only:
        ensure_log(args.lines)
        return
    subprocess.run([sys.executable, __file__, "--generate-only", "--lines", str(args.lines)],
                   check=True)
    path = ensure_log(args.lines)
    print(f"input: {path.name}, {args.lines:,} lines, {path.stat().st_size / MB:.0f} MB")
    db = run_databorder(path)
    pr = run_presidio(path, min(args.presidio_lines, args.lines))
    print(f"\n{'tool':<12} {'input':>24} {'seconds':>9} {'MB/s':>9} {'peak RSS MB':>12}")
    print_row("databorder", args.lines, db["bytes"], db["seconds"], db["peak_mb"])
    print_row("presidio", pr["rows"], pr["bytes"], pr["seconds"], pr["peak_mb"])
    db_rate = db["bytes"] / MB / db["seconds"]
    pr_rate = pr["bytes"] / MB / pr["seconds"]
    print(f"\nthroughput ratio databorder/presidio: {db_rate / pr_rate:,.0f}x")
    print("databorder found: " + ", ".join(f"{f}={c}" for f, c in db["fields"]))
    print("presidio entities: " + ", ".join(f"{k}={v}" for k, v in sorted(pr["entities"].items())))


if __name__ == "__main__":
    main()
