"""Helpers shared by the traffic reader tests."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa

from databorder.traffic.flow import FLOW_SCHEMA, NAME_SCHEMA, FlowReader

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "traffic-samples"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "traffic"


def flows_of(reader: FlowReader, path: Path) -> pl.DataFrame:
    batches = list(reader.batches(path))
    for batch in batches:
        assert batch.schema.equals(FLOW_SCHEMA)
        assert batch.num_rows <= 65_536
    table = pa.Table.from_batches(batches, schema=FLOW_SCHEMA)
    return pl.DataFrame(pl.from_arrow(table))


def names_of(reader: FlowReader, path: Path) -> pl.DataFrame:
    table = pa.Table.from_batches(list(reader.names(path)), schema=NAME_SCHEMA)
    return pl.DataFrame(pl.from_arrow(table))
