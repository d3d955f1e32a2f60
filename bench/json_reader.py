"""Throughput and peak memory of the JSON Lines reader: pure-Python path against the fast path.

A JSON Lines file of wifi-analytics-like records (device, wifi, geo, client IP, a ``scan`` list of
3 to 5 access points; about 40 flattened columns, 750 bytes a line) is generated once with a fixed
seed and cached under ``bench/data/`` (git-ignored). Each path reads the whole file through
``JsonSource.batches()`` in a child process, so its peak RSS is its own; every run is repeated
(the build machine is shared, so single timings wander; the MB per CPU second, which counts
every thread, wanders less).

    .venv/bin/python bench/json_reader.py [--mb 200] [--runs 3] [--gzip]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
MB = 1_000_000

VENDORS = ("Apple", "Samsung", "Xiaomi", "Google", "Huawei", "OnePlus", "Motorola")
OSES = (("iOS", "17.4.1"), ("Android", "14"), ("Android", "13"), ("iPadOS", "17.3"))
SSIDS = ("CafeNet", "Airport_Free_WiFi", "HOTEL-GUEST", "eduroam", "FRITZ!Box 7590", "Vodafone")
CITIES = (("Zürich", "CH"), ("Berlin", "DE"), ("Lyon", "FR"), ("Madrid", "ES"), ("Oslo", "NO"))
EVENTS = ("probe", "assoc", "disassoc", "roam", "dhcp")
USER_AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 Chrome/123.0 Mobile",
    "Dalvik/2.1.0 (Linux; U; Android 13; Pixel 7 Build/TQ3A.230901.001)",
)


def mac(rng: random.Random) -> str:
    return ":".join(f"{rng.randrange(256):02x}" for _ in range(6))


def record(rng: random.Random, index: int) -> dict[str, Any]:
    os_name, os_version = rng.choice(OSES)
    city, country = rng.choice(CITIES)
    return {
        "event_id": f"{rng.getrandbits(64):016x}-{index:08d}",
        "ts": f"2024-05-{1 + index % 28:02d}T{index % 24:02d}:{index % 60:02d}:"
              f"{rng.randrange(60):02d}.{rng.randrange(1000):03d}Z",
        "type": rng.choice(EVENTS),
        "device": {
            "mac": mac(rng), "vendor": rng.choice(VENDORS),
            "imei": 350000000000000 + rng.randrange(10**13),
            "os": {"name": os_name, "version": os_version},
            "battery": rng.randrange(101), "charging": rng.random() < 0.3,
        },
        "wifi": {
            "ssid": rng.choice(SSIDS), "bssid": mac(rng), "channel": rng.choice((1, 6, 11, 36)),
            "rssi": -rng.randrange(30, 95), "band": rng.choice(("2.4GHz", "5GHz")),
            "security": "WPA2",
        },
        "geo": {
            "lat": round(rng.uniform(40, 60), 6), "lon": round(rng.uniform(-5, 20), 6),
            "accuracy_m": round(rng.uniform(3, 80), 1), "city": city, "country": country,
        },
        "client": {
            "ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            "user_agent": rng.choice(USER_AGENTS), "session": rng.getrandbits(48),
        },
        "scan": [
            {"bssid": mac(rng), "ssid": rng.choice(SSIDS), "rssi": -rng.randrange(40, 95),
             "channel": rng.choice((1, 6, 11, 36, 44))}
            for _ in range(rng.randrange(3, 6))
        ],
        "tags": rng.sample(("indoor", "mall", "transit", "repeat", "new"), 2),
        "note": None,
    }


def ensure_jsonl(megabytes: int, compress: bool) -> Path:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"wifi_{megabytes}mb.jsonl"
    if not path.exists():
        rng = random.Random(20240501)
        written = 0
        index = 0
        with path.open("w", encoding="utf-8") as out:
            while written < megabytes * MB:
                lines = [json.dumps(record(rng, index + i), ensure_ascii=False)
                         for i in range(10_000)]
                text = "\n".join(lines) + "\n"
                out.write(text)
                written += len(text.encode())
                index += len(lines)
    if not compress:
        return path
    packed = path.with_suffix(".jsonl.gz")
    if not packed.exists():
        with path.open("rb") as raw, gzip.open(packed, "wb", compresslevel=6) as out:
            while chunk := raw.read(1 << 24):
                out.write(chunk)
    return packed


def worker(path: Path, fast: bool) -> None:
    from databorder.sources.json import JsonReader

    source = next(JsonReader().open(path, "gzip" if path.suffix == ".gz" else None))
    source.fast = fast  # type: ignore[attr-defined]
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    start = time.perf_counter()
    rows = columns = 0
    for batch in source.batches():
        rows += batch.num_rows
        columns = max(columns, batch.num_columns)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": rows, "columns": columns,
                      "peak_mb": usage.ru_maxrss / 1024}))


def run(path: Path, fast: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", "fast" if fast else "python", str(path)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the generated file")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each path")
    parser.add_argument("--gzip", action="store_true", help="read a gzip copy of the file")
    parser.add_argument("--only", choices=("python", "fast"), help="measure one path only")
    parser.add_argument("--worker", nargs=2, metavar=("PATH_KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(Path(args.worker[1]), args.worker[0] == "fast")
        return
    path = ensure_jsonl(args.mb, args.gzip)
    plain_mb = (path.with_suffix("") if args.gzip else path).stat().st_size / MB
    print(f"{path.name}: {path.stat().st_size / MB:.0f} MB on disk, {plain_mb:.0f} MB of JSON")
    kinds = [args.only == "fast"] if args.only else [False, True]
    for fast in kinds:
        for _ in range(args.runs):
            result = run(path, fast)
            print(f"{'fast' if fast else 'python':>6}: {result['rows']:,} rows, "
                  f"{result['columns']} columns, {result['seconds']:.2f} s, "
                  f"{plain_mb / result['seconds']:.0f} MB/s of JSON, "
                  f"{plain_mb / result['cpu']:.0f} MB per CPU second, "
                  f"peak RSS {result['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
