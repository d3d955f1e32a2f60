"""Where a scan's time goes: the plan, the reader and each counted field, in CPU seconds.

CPU (process) time, not wall time: other jobs share the cores, and Polars' own threads count.

Runs the engine's steps one after the other on one thread (the real scan overlaps them on a
small pool): sample classification (``plan_for``), reading the batches (joined into frames
as the engine joins them, ``coalesced``), then each field's
share of ``tally_batch`` summed over all batches (value columns, column groups, text columns,
the subject key). The sum of the field times is the work the pool spreads over the cores.

    .venv/bin/python bench/profile_scan.py [FILE] [--batches N] [--only FIELD,...]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from databorder.detect.columns import SAMPLE_ROWS, TablePlan, as_strings
from databorder.detect.counting import DistinctCounter
from databorder.engine import batch as engine_batch
from databorder.engine.local import FRAME_ROWS, coalesced, plan_for
from databorder.sources.base import TableSource
from databorder.sources.open import Skipped, open_target

HERE = Path(__file__).resolve().parent


def _table(path: str) -> TableSource:
    for item in open_target(path, ()):
        if not isinstance(item, Skipped):
            return item
    raise SystemExit(f"nothing to scan in {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(HERE / "data" / "orders_1000000.csv"))
    parser.add_argument("--batches", type=int, default=0, help="stop after N batches")
    parser.add_argument("--only", default="", help="comma-separated field names")
    args = parser.parse_args()
    only = {f for f in args.only.split(",") if f}
    table = _table(args.path)

    started = time.process_time()
    plan: TablePlan = plan_for(table, SAMPLE_ROWS)
    print(f"plan_for (sample classification)   {time.process_time() - started:7.3f}")

    spent: dict[str, float] = defaultdict(float)
    read = 0.0
    clock = time.process_time()
    frames = table.frames(plan.columns_needed, lambda _: None, FRAME_ROWS)
    for index, frame in enumerate(coalesced(frames, FRAME_ROWS)):
        read += time.process_time() - clock
        if args.batches and index >= args.batches:
            break
        for column, detector in plan.value_columns:
            if only and column.field not in only:
                continue
            started = time.process_time()
            engine_batch._tally_values(frame, column, detector, 2_000_000, index == 0)
            spent[f"value {column.field} ({detector.name})"] += time.process_time() - started
        for match in plan.table_matches:
            started = time.process_time()
            engine_batch._tally_group(frame, match, 2_000_000)
            spent[f"group {','.join(match.fields)}"] += time.process_time() - started
        for name in plan.text_fields:
            if only and name not in only:
                continue
            started = time.process_time()
            engine_batch._tally_text(as_strings(frame[name]), name, 2_000_000, {})
            spent[f"text {name}"] += time.process_time() - started
        if plan.subject_key is not None:
            started = time.process_time()
            counter = DistinctCounter(2_000_000)
            counter.add_values(as_strings(frame[plan.subject_key.field])
                               .str.to_lowercase())
            spent[f"subject {plan.subject_key.field}"] += time.process_time() - started
        clock = time.process_time()
    print(f"reading batches                    {read:7.3f}")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"{name:<34} {seconds:7.3f}")
    print(f"{'fields, total':<34} {sum(spent.values()):7.3f}")


if __name__ == "__main__":
    main()
