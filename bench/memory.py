"""Peak memory of ``databorder scan`` as the input grows: it must stay flat.

The 1,000,000-row orders CSV of ``bench/throughput.py`` (generated there if missing) is
repeated ``--copies`` times into one large file (default 10 copies, about 3.3 GB; git-ignored
under ``bench/data/``). databorder scans 1 copy and then all of them, each in a child process,
and the script prints wall time, MB/s and peak RSS for both. The peer in the same run is
Polars loading the same large file's sensitive columns into memory (what a scanner that reads
whole files would need), so the ratio shows what streaming saves.

    .venv/bin/python bench/memory.py [--copies 10]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from throughput import DATA, DATABORDER, MB, ensure_csv

BASE_ROWS = 1_000_000
PEER_COLUMNS = ("email", "phone", "card_number", "billing_iban", "client_ip", "notes")

_MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(done.returncode, seconds, peak)
sys.stderr.write(done.stderr[-2000:])
"""


def measured(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``command``, measured in a fresh parent process."""
    result = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True,
                            text=True, check=False)
    code, seconds, peak = result.stdout.split()
    if code != "0":
        raise SystemExit(f"{command[0]} failed ({code}):\n{result.stderr}")
    return float(seconds), float(peak) / MB


def ensure_large(copies: int) -> Path:
    base = ensure_csv(BASE_ROWS)
    path = DATA / f"orders_{BASE_ROWS}_x{copies}.csv"
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    with base.open("rb") as source, partial.open("wb") as out:
        header = source.readline()
        out.write(header)
        for _ in range(copies):
            source.seek(len(header))
            while chunk := source.read(64 * 1024 * 1024):
                out.write(chunk)
    partial.rename(path)
    return path


def scan(path: Path) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "inventory.json"
        seconds, peak = measured([str(DATABORDER), "scan", str(path), "--no-progress",
                                  "--no-store", "--json", str(out)])
        json.loads(out.read_text(encoding="utf-8"))
    return seconds, peak


def peer(path: Path) -> tuple[float, float]:
    code = (f"import polars as pl; pl.read_csv({str(path)!r}, infer_schema=False, "
            f"columns={list(PEER_COLUMNS)!r})")
    return measured([sys.executable, "-c", code])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()
    small = ensure_csv(BASE_ROWS)
    large = ensure_large(args.copies)
    started = time.perf_counter()
    rows = []
    for label, path in (("1 copy", small), (f"{args.copies} copies", large)):
        seconds, peak = scan(path)
        size = path.stat().st_size / MB
        rows.append((f"databorder scan, {label}", size, seconds, peak))
    seconds, peak = peer(large)
    rows.append((f"polars read_csv of 6 columns, {args.copies} copies", large.stat().st_size / MB,
                 seconds, peak))
    print(f"{'run':48} {'MB':>8} {'s':>8} {'MB/s':>8} {'peak RSS MB':>12}")
    for label, size, seconds, peak in rows:
        print(f"{label:48} {size:8.0f} {seconds:8.1f} {size / seconds:8.1f} {peak:12.0f}")
    growth = rows[1][3] / rows[0][3]
    print(f"peak RSS growth for {args.copies}x the input: {growth:.2f}x "
          f"(flat means close to 1); databorder / in-memory peer: "
          f"{rows[1][3] / rows[2][3]:.2f}")
    print(f"total {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
