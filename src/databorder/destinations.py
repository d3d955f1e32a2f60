"""Egress destinations grouped by who controls them: the result of ``databorder flows``.

Flows are read (:mod:`databorder.traffic`), named from the same capture (DNS answers, TLS SNI,
HTTP Host), and every distinct destination ``(dst_ip, name)`` is attributed once
(:mod:`databorder.attribute`). The groups are (ultimate parent, country it is controlled from);
destinations in private or reserved address space form their own group, and public
destinations no knowledge-base entry claims are counted as unattributed, never guessed.

The JSON form (schema ``databorder.flows/1``) is documented in ``docs/flows-schema.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from databorder.atomic import result_header, write_json_atomically
from databorder.attribute.attribute import attribute_destinations
from databorder.attribute.domain import normalise_names
from databorder.attribute.entities import KnowledgeBase
from databorder.attribute.ip import IpDatabase
from databorder.detect.counting import HASH_SEED
from databorder.inventory import now

SCHEMA = "databorder.flows/1"
PRIVATE = "(private or reserved address space)"
UNATTRIBUTED = "(unattributed)"
TOP_NAMES = 3
EGRESS_SCOPES = ("public", "unknown")
"""Destinations that count as egress: public addresses, and names without a logged address."""

@dataclass(slots=True)
class FlowsResult:
    started_at: datetime
    groups: pl.DataFrame
    destinations: pl.DataFrame
    totals: dict[str, int]
    logs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    data_sources: dict[str, str] = field(default_factory=dict)
    finished_at: datetime | None = None

    @property
    def unattributed_share(self) -> dict[str, float]:
        """Shares of egress flows and bytes out (public and name-only destinations) that no
        entity claims."""
        public_flows = self.totals["flows"] - self.totals["private_flows"]
        public_bytes = self.totals["bytes_out"] - self.totals["private_bytes_out"]
        return {
            "flows": self.totals["unattributed_flows"] / public_flows if public_flows else 0.0,
            "bytes_out": (self.totals["unattributed_bytes_out"] / public_bytes
                          if public_bytes else 0.0),
        }


class DenseIds:
    """Dense ``uint32`` ids for 64-bit keys, numbered in order of first sight (id = row)."""

    __slots__ = ("_keys",)

    def __init__(self) -> None:
        self._keys = pl.DataFrame(schema=_ID_SCHEMA)

    def __len__(self) -> int:
        return self._keys.height

    def ids_of(self, keys: pl.Series) -> pl.Series:
        """The id of every key (new keys get the next ids), in the order of ``keys``."""
        frame = keys.alias("key").to_frame()
        new = (frame.unique(maintain_order=True)
               .join(self._keys, on="key", how="anti", maintain_order="left"))
        if not new.is_empty():
            if len(self) + new.height > _MAX_IDS:
                raise OverflowError("more than 2**32 distinct keys")
            added = new.with_row_index("id", offset=len(self)).select(
                "key", pl.col("id").cast(pl.UInt32))
            self._keys = pl.concat([self._keys, added], rechunk=True)
        return frame.join(self._keys, on="key", how="left", maintain_order="left")["id"]

    def translation(self, other: DenseIds) -> Ids:
        """This numbering's id of each of ``other``'s ids (indexed by ``other``'s id)."""
        return self.ids_of(other._keys["key"]).to_numpy()


class DestinationTotals:
    """Mergeable partial aggregate of flows per destination ``(dst_ip, name)``.

    Every destination gets a dense id (:class:`DenseIds` over a 64-bit hash of ``(dst_ip,
    name)``; a collision among a few million destinations is vanishingly unlikely, as in
    :mod:`databorder.detect.counting`), and so does every internal host (over a hash of
    ``src_ip``, never the address). The sums are NumPy arrays indexed by destination id
    (flows, bytes out and in, first and last seen), folded in place batch by batch
    (``np.add.at`` and friends), and a destination's two strings are kept once, when it is
    first seen. Host pairs are packed ``uint64``, ``destination id << 32 | host id`` — an exact
    distinct counter of hosts per destination, whose hosts per group of destinations are the
    union of theirs; pending pairs are merged into the held ones once they outgrow them (at
    least ``compact_rows``), which keeps the merging work amortised. What it holds grows with
    destinations and host pairs, not with records. Fold batches with :meth:`add`, other
    partials with :meth:`merge` (their ids are translated into this one's).
    """

    def __init__(self, compact_rows: int = 1 << 18) -> None:
        self.logs: set[str] = set()
        self._compact_rows = compact_rows
        self._destination_ids = DenseIds()
        self._host_ids = DenseIds()
        self._sums = _Sums(0)
        self._labels: list[pl.DataFrame] = []
        self._pairs: Pairs = np.empty(0, dtype=np.uint64)
        self._pending_pairs: list[Pairs] = []

    def add(self, flows: pl.DataFrame) -> None:
        """Fold a batch of named flows (FLOW_SCHEMA columns).

        A row with a name but no ``dst_ip`` (a proxy log without server addresses) is a
        name-only destination; a row with neither is skipped.
        """
        if flows.is_empty():
            return
        self.logs.update(flows["log"].unique().to_list())
        rows = flows.select("dst_ip", normalise_names(flows["name"]).alias("name"), "src_ip",
                            "ts", "bytes_out", "bytes_in")
        rows = rows.filter(pl.col("dst_ip").is_not_null() | pl.col("name").is_not_null())
        if rows.is_empty():
            return
        known = len(self._destination_ids)
        keys = rows.select(pl.struct("dst_ip", "name").hash(HASH_SEED))[:, 0]
        ids = self._destination_ids.ids_of(keys)
        self._note_labels(rows.select("dst_ip", "name", ids.alias("id")), known)
        self._sums.fold(ids.to_numpy(), rows)
        hosts = rows.select("src_ip", ids.alias("id")).filter(pl.col("src_ip").is_not_null())
        if not hosts.is_empty():
            host_ids = self._host_ids.ids_of(hosts["src_ip"].hash(HASH_SEED)).to_numpy()
            self._pending_pairs.append(_sorted_unique(
                (hosts["id"].to_numpy().astype(np.uint64) << _SHIFT)
                | host_ids.astype(np.uint64)))
        self._maybe_compact()

    def _note_labels(self, labelled: pl.DataFrame, known: int) -> None:
        """Keep ``(dst_ip, name)`` of the destinations first seen now (ids ``known`` on)."""
        count = len(self._destination_ids)
        if count > known:
            # new ids are numbered in order of first appearance, so their first rows are in id order
            new = (labelled.filter(pl.col("id") >= known)
                   .unique("id", keep="first", maintain_order=True).select("dst_ip", "name"))
            # copied out: a slice of the batch's strings would keep the whole batch's buffers
            self._labels.append(pl.DataFrame(new.to_dict(as_series=False), schema=new.schema))
            self._sums.grow(count)

    def merge(self, other: DestinationTotals) -> None:
        other.compact()
        self.logs |= other.logs
        known = len(self._destination_ids)
        destination_map = self._destination_ids.translation(other._destination_ids)
        host_map = self._host_ids.translation(other._host_ids)
        self._note_labels(other._labels_frame().with_columns(
            pl.Series("id", destination_map, dtype=pl.UInt32)).sort("id"), known)
        self._sums.merge(destination_map, other._sums)
        # the partial's pairs are handed over, not copied alongside it: freed once translated
        pairs, other._pairs = other._pairs, np.empty(0, dtype=np.uint64)
        translated = destination_map[pairs >> _SHIFT].astype(np.uint64) << _SHIFT
        translated |= host_map[pairs & _LOW].astype(np.uint64)
        del pairs
        self._pending_pairs.append(translated)
        self._maybe_compact()

    @property
    def held_rows(self) -> tuple[int, int]:
        """Rows held now: (destinations, destination-host pairs), pending pairs included."""
        return (len(self._destination_ids),
                self._pairs.size + sum(p.size for p in self._pending_pairs))

    def _maybe_compact(self) -> None:
        if len(self._labels) > _LABEL_PARTS:
            self._labels = [self._labels_frame()]
        if sum(p.size for p in self._pending_pairs) > max(self._pairs.size, self._compact_rows):
            self._compact_pairs()

    def _labels_frame(self) -> pl.DataFrame:
        if not self._labels:
            return pl.DataFrame(schema={"dst_ip": pl.String, "name": pl.String})
        return pl.concat(self._labels, rechunk=True)

    def compact(self) -> None:
        self._labels = [self._labels_frame()]
        self._compact_pairs()

    def _compact_pairs(self) -> None:
        if self._pending_pairs:
            merged = np.concatenate([self._pairs, *self._pending_pairs])
            # drop the parts before sorting: the peak is the merged array, not twice it
            self._pending_pairs, self._pairs = [], np.empty(0, dtype=np.uint64)
            self._pairs = _sorted_unique(merged)

    def destinations(self) -> pl.DataFrame:
        """One row per destination id: ``id``, ``dst_ip``, ``name`` and the sums."""
        self.compact()
        return pl.concat([
            self._labels_frame().with_row_index("id").with_columns(pl.col("id").cast(pl.UInt32)),
            self._sums.frame(len(self._destination_ids))], how="horizontal")

    def summarise(
        self, knowledge: KnowledgeBase | None = None, ip_db: IpDatabase | None = None,
    ) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, int]]:
        """Attribute every destination once and group them by controller."""
        return _summarise(self.destinations(), self._pairs, knowledge or KnowledgeBase.bundled(),
                          ip_db or IpDatabase.bundled())


class _Sums:
    """Per-destination sums in NumPy arrays indexed by destination id (capacity doubles)."""

    __slots__ = ("bytes_in", "bytes_out", "first", "flows", "last")

    def __init__(self, capacity: int) -> None:
        self.flows = np.zeros(capacity, dtype=np.int64)
        self.bytes_out = np.zeros(capacity, dtype=np.int64)
        self.bytes_in = np.zeros(capacity, dtype=np.int64)
        self.first = np.full(capacity, _NO_TIME_FIRST, dtype=np.int64)
        self.last = np.full(capacity, _NO_TIME_LAST, dtype=np.int64)

    def grow(self, count: int) -> None:
        if count <= self.flows.size:
            return
        bigger = _Sums(max(count, 2 * self.flows.size, 1024))
        for name in self.__slots__:
            old = getattr(self, name)
            getattr(bigger, name)[:old.size] = old
            setattr(self, name, getattr(bigger, name))

    def fold(self, ids: Ids, rows: pl.DataFrame) -> None:
        """Add a batch's rows (``bytes_out``, ``bytes_in``, ``ts``) to their destinations."""
        index = ids.astype(np.intp)
        self.flows += np.bincount(index, minlength=self.flows.size)
        np.add.at(self.bytes_out, index, rows["bytes_out"].fill_null(0).to_numpy())
        np.add.at(self.bytes_in, index, rows["bytes_in"].fill_null(0).to_numpy())
        ts = rows["ts"].dt.epoch("us")
        np.minimum.at(self.first, index, ts.fill_null(_NO_TIME_FIRST).to_numpy())
        np.maximum.at(self.last, index, ts.fill_null(_NO_TIME_LAST).to_numpy())

    def merge(self, translation: Ids, other: _Sums) -> None:
        """Add ``other``'s sums, its id ``i`` being this one's ``translation[i]`` (one-to-one)."""
        count = translation.size
        to = translation.astype(np.intp)
        self.flows[to] += other.flows[:count]
        self.bytes_out[to] += other.bytes_out[:count]
        self.bytes_in[to] += other.bytes_in[:count]
        self.first[to] = np.minimum(self.first[to], other.first[:count])
        self.last[to] = np.maximum(self.last[to], other.last[:count])

    def frame(self, count: int) -> pl.DataFrame:
        def when(values: npt.NDArray[np.int64], missing: int, name: str) -> pl.Series:
            series = pl.Series(name, values[:count])
            return series.set(series == missing, None).cast(pl.Datetime("us", "UTC"))

        return pl.DataFrame([
            pl.Series("flows", self.flows[:count]),
            pl.Series("bytes_out", self.bytes_out[:count]),
            pl.Series("bytes_in", self.bytes_in[:count]),
            when(self.first, _NO_TIME_FIRST, "first_seen"),
            when(self.last, _NO_TIME_LAST, "last_seen"),
        ])


Ids = npt.NDArray[np.uint32]
Pairs = npt.NDArray[np.uint64]
_SHIFT = np.uint64(32)
_LOW = np.uint64(0xFFFF_FFFF)
_MAX_IDS = 1 << 32
_ID_SCHEMA = pl.Schema({"key": pl.UInt64(), "id": pl.UInt32()})
_NO_TIME_FIRST = np.iinfo(np.int64).max
_NO_TIME_LAST = np.iinfo(np.int64).min
_LABEL_PARTS = 256
"""Label parts (new destinations' strings, one per batch) are concatenated past this many."""
_KEYS_OUT = ["recipient", "ultimate_parent", "controlled_from", "country_of_concern"]
_SORT = ["bytes_out", "flows"]


def _sorted_unique(values: Pairs) -> Pairs:
    """Distinct values, sorting ``values`` in place (no hash table: a mask is the only extra)."""
    # np.unique's hash path (NumPy 2.3) is several times slower on millions of uint64
    values.sort()
    keep = np.empty(values.size, dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _distinct_per(owners: Ids, pairs: Pairs, count: int) -> Ids:
    """Distinct hosts per owner (group), the owner of each destination id given by ``owners``."""
    if pairs.size == 0:
        return np.zeros(count, dtype=np.uint32)
    regrouped = (owners[pairs >> _SHIFT].astype(np.uint64) << _SHIFT) | (pairs & _LOW)
    distinct = _sorted_unique(regrouped)
    return np.bincount((distinct >> _SHIFT).astype(np.intp), minlength=count).astype(np.uint32)


def _distinct_destination() -> pl.Expr:
    """A destination's address, or its name when the log recorded no address."""
    return pl.struct(pl.col("dst_ip"),
                     pl.when(pl.col("dst_ip").is_null()).then(pl.col("name")).alias("_name"))


def _summarise(destinations: pl.DataFrame, pairs: Pairs, knowledge: KnowledgeBase,
               ip_db: IpDatabase) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, int]]:
    attributed = attribute_destinations(destinations.select("dst_ip", "name"), ip_db=ip_db,
                                        knowledge=knowledge).drop("dst_ip", "name")
    names = {e.id: e.name for e in knowledge.entities.values()}
    group = (pl.when(~pl.col("_egress")).then(pl.lit(PRIVATE))
             .when(pl.col("ultimate_parent").is_null()).then(pl.lit(UNATTRIBUTED))
             .otherwise(pl.col("parent_name")))
    id_count = int(destinations.select(pl.col("id").cast(pl.Int64).max().fill_null(-1) + 1)
                   .item())
    hosts = pl.DataFrame({"id": np.arange(id_count, dtype=np.uint32), "internal_hosts": np.bincount(
        (pairs >> _SHIFT).astype(np.intp), minlength=id_count).astype(np.uint32)})
    table = (
        pl.concat([destinations, attributed], how="horizontal")
        .with_columns(
            pl.col("ultimate_parent").replace_strict(names, default=None).alias("parent_name"),
            pl.col("entity").replace_strict(names, default=None).alias("entity_name"),
            # public addresses, and names whose address the log did not record
            pl.col("ip_scope").is_in(EGRESS_SCOPES).alias("_egress"),
        )
        .with_columns(group.alias("recipient"))
        .join(hosts, on="id", how="left")
        .with_columns(pl.col("internal_hosts").fill_null(0), pl.lit(1, pl.UInt32)
                      .alias("destinations"))
    )
    counted = ["flows", "bytes_out", "bytes_in", "internal_hosts", "destinations",
               "first_seen", "last_seen"]
    destination_rows = (
        table.select("dst_ip", "name", *counted,
                     *attributed.columns, "parent_name", "entity_name")
        .sort([*_SORT, "dst_ip", "name"], descending=[True, True, False, False],
              nulls_last=True)
    )
    group_hosts = table.select(_KEYS_OUT).unique().with_row_index("group")
    owners = np.zeros(id_count, dtype=np.uint32)
    owned = table.select("id", *_KEYS_OUT).join(group_hosts, on=_KEYS_OUT, nulls_equal=True)
    owners[owned["id"].to_numpy()] = owned["group"].to_numpy()
    group_hosts = group_hosts.with_columns(pl.Series(
        "internal_hosts", _distinct_per(owners, pairs, group_hosts.height))).drop("group")
    top_names = (table.filter(pl.col("name").is_not_null())
                 .group_by([*_KEYS_OUT, "name"]).agg(pl.col("flows").sum())
                 .sort(["flows", "name"], descending=[True, False])
                 .group_by(_KEYS_OUT, maintain_order=True)
                 .agg(pl.col("name").head(TOP_NAMES).alias("top_names")))
    groups = (
        table.group_by(_KEYS_OUT).agg(
            pl.col("flows").sum(), pl.col("bytes_out").sum(), pl.col("bytes_in").sum(),
            _distinct_destination().n_unique().cast(pl.UInt32).alias("destinations"),
            pl.col("first_seen").min(), pl.col("last_seen").max())
        .join(group_hosts, on=_KEYS_OUT, how="left", nulls_equal=True)
        .with_columns(pl.col("internal_hosts").fill_null(0))
        .join(top_names, on=_KEYS_OUT, how="left", nulls_equal=True)
        .select(*_KEYS_OUT, *counted, "top_names")
        .sort([*_SORT, "recipient"], descending=[True, True, False], nulls_last=True)
    )
    private = table.filter(~pl.col("_egress"))
    unattributed = table.filter(pl.col("_egress") & pl.col("ultimate_parent").is_null())
    totals = {
        "flows": _sum(table, "flows"),
        "bytes_out": _sum(table, "bytes_out"),
        "bytes_in": _sum(table, "bytes_in"),
        "private_flows": _sum(private, "flows"),
        "private_bytes_out": _sum(private, "bytes_out"),
        "unattributed_flows": _sum(unattributed, "flows"),
        "unattributed_bytes_out": _sum(unattributed, "bytes_out"),
    }
    return groups, destination_rows, totals


def _sum(frame: pl.DataFrame, column: str) -> int:
    return int(frame[column].sum() or 0)


def summarise(
    flows: pl.DataFrame,
    knowledge: KnowledgeBase | None = None,
    ip_db: IpDatabase | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, int]]:
    """Attribute the distinct destinations of a table of named flows, group by controller."""
    totals = DestinationTotals()
    totals.add(flows)
    return totals.summarise(knowledge, ip_db)


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    rows = frame.to_dicts()
    for row in rows:
        for key, value in row.items():
            if isinstance(value, datetime):
                row[key] = value.isoformat()
    return rows


def to_json(result: FlowsResult) -> dict[str, Any]:
    return {
        **result_header(SCHEMA, result.started_at, result.finished_at),
        "logs": result.logs,
        "data_sources": result.data_sources,
        "totals": result.totals,
        "unattributed_share": result.unattributed_share,
        "groups": _rows(result.groups),
        "destinations": _rows(result.destinations),
        "skipped": [{"source": s, "reason": r} for s, r in result.skipped],
        "errors": result.problems,
    }


def write_json(result: FlowsResult, path: Path) -> None:
    """Write atomically: a crash never leaves a half-written or clobbered file."""
    write_json_atomically(to_json(result), path)


__all__ = ["DestinationTotals", "FlowsResult", "now", "summarise", "to_json", "write_json"]
