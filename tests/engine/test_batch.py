"""The per-batch step: counts are right, and tallies of slices merge to the tally of the whole."""

from collections.abc import Iterable
from pathlib import Path

import polars as pl
import pytest

from databorder.detect.columns import SAMPLE_ROWS, as_strings, plan_table
from databorder.engine import batch
from databorder.engine.batch import FieldTally, TableTally, floors_of, start_batch, tally_batch
from databorder.engine.local import (
    FRAME_ROWS,
    QuietObserver,
    ScanOptions,
    coalesced,
    fold_list_items,
    plan_for,
    scan_table,
)
from databorder.sources.open import Skipped, open_target

CARDS = ["4111111111111111", "5500005555555559", "340000000000009", "4012888888881881"]


@pytest.fixture()
def orders() -> pl.DataFrame:
    rows = 3_000
    return pl.DataFrame({
        "customer_id": [f"C{i % 700:05d}" for i in range(rows)],
        "email": [f"user{i % 900}@example.com" for i in range(rows)],
        "card_number": [CARDS[i % 4] if i % 10 else "" for i in range(rows)],
        "client_ip": [f"47.88.{i % 250}.{i % 199}" for i in range(rows)],
        "notes": [f"called back, reach me at backup{i % 50}@mail.example.org please"
                  if i % 3 == 0 else "no further action was needed on this order"
                  for i in range(rows)],
        "amount": [f"{(i % 97) + 0.99:.2f}" for i in range(rows)],
    })


def _by_field(tally: TableTally) -> dict[tuple[str, str], tuple[int, int]]:
    return {key: (f.rows, f.distinct.result().value) for key, f in tally.fields.items()}


def test_counts_rows_and_distinct_values(orders: pl.DataFrame) -> None:
    plan = plan_table(orders.head(1_000))
    tally = tally_batch(plan, orders)
    counts = _by_field(tally)
    assert counts[("email", "email")] == (3_000, 900)
    assert counts[("card_number", "payment_card")] == (2_700, 4)
    assert counts[("client_ip", "ip_address")][0] == 3_000
    assert counts[("notes", "email")] == (1_000, 50)
    assert tally.subjects is not None and tally.subjects.result().value == 700
    assert plan.subject_key is not None and plan.subject_key.field == "customer_id"


def test_tallies_of_slices_merge_to_the_whole(orders: pl.DataFrame) -> None:
    plan = plan_table(orders.head(1_000))
    whole = tally_batch(plan, orders)
    merged = TableTally()
    for offset in range(0, orders.height, 700):
        merged.merge(tally_batch(plan, orders.slice(offset, 700)))
    assert merged.rows == whole.rows
    assert _by_field(merged) == _by_field(whole)
    assert merged.subjects is not None and whole.subjects is not None
    assert merged.subjects.result() == whole.subjects.result()


def test_arrow_batches_are_accepted(orders: pl.DataFrame) -> None:
    plan = plan_table(orders.head(500))
    from_arrow = tally_batch(plan, orders.to_arrow().to_batches()[0])
    assert _by_field(from_arrow) == _by_field(tally_batch(plan, orders))


def test_masked_samples_only(orders: pl.DataFrame) -> None:
    tally = tally_batch(plan_table(orders), orders)
    samples = [s for f in tally.fields.values() for s in f.samples]
    assert samples
    raw = set(CARDS) | {f"user{i}@example.com" for i in range(900)}
    assert not raw & set(samples)
    card_samples = tally.fields[("card_number", "payment_card")].samples
    assert card_samples and all(s.count("*") >= 6 for s in card_samples)


def test_repeated_values_are_checked_once_with_the_same_result(
    orders: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Columns whose values repeat go through the detectors once per distinct value: rows,
    distinct counts, samples and kinds are those of the cell-by-cell path."""
    frame = orders.with_columns(pl.when(pl.int_range(pl.len()) % 7 == 0).then(pl.lit("  "))
                                .otherwise(pl.col("email")).alias("email"))
    plan = plan_table(frame.head(1_000))
    assert batch._repeats_often(as_strings(frame["email"]))

    def summary(tally: TableTally) -> dict[tuple[str, str], tuple[object, ...]]:
        return {key: (f.rows, f.distinct.result().value, f.samples, dict(f.kinds))
                for key, f in tally.fields.items()}

    deduplicated = summary(tally_batch(plan, frame))
    monkeypatch.setattr(batch, "_repeats_often", lambda values: False)
    assert deduplicated == summary(tally_batch(plan, frame))
    assert deduplicated[("email", "email")][:2] == (2_571, 900)


def test_coordinate_pair_rows_are_the_valid_ones() -> None:
    """Planned on a clean sample, counted on rows out of range, missing or at 0,0."""
    clean = pl.DataFrame({"latitude": ["40.748817", "48.8566"],
                          "longitude": ["-73.985428", "2.352222"]})
    frame = pl.DataFrame({"latitude": ["40.748817", "95.1", None, "+51.507200", "0.0", "48.8566",
                                       " 40.748817 "],
                          "longitude": ["-73.985428", "2.35", "2.35", "-0.127600", "0.0",
                                        "2.352222", "-73.985428"]})
    tally = tally_batch(plan_table(clean), frame)
    pair = tally.fields[("latitude,longitude", "precise_geolocation")]
    assert (pair.rows, pair.distinct.result().value) == (4, 3)


def test_subjects_span_several_identifier_columns_of_one_category() -> None:
    imeis = ["490154203237518", "356938035643809", None, None]
    uuids = [None, None, "3f2a1b4c-1111-4222-8333-444455556666",
             "9b8c7d6e-aaaa-4bbb-8ccc-ddddeeeeffff"]
    rows = 400
    frame = pl.DataFrame({"device.imei": [imeis[i % 4] for i in range(rows)],
                          "device.uuid": [uuids[i % 4] for i in range(rows)]})
    plan = plan_table(frame)
    assert plan.subject_key is not None
    assert plan.subject_key.fields == ("device.imei", "device.uuid")
    tally = tally_batch(plan, frame)
    assert tally.subjects is not None and tally.subjects.result().value == 4


def test_batches_in_flight_merge_as_the_batches_one_by_one(orders: pl.DataFrame,
                                                           tmp_path: Path) -> None:
    """The engine starts a batch before merging the previous one; the scan's fields (rows,
    distinct values, samples, kinds) equal those of the batches tallied and merged in turn."""
    path = tmp_path / "orders.csv"
    pl.concat([orders] * 60).write_csv(path)  # 180,000 rows: several batches
    table = next(t for t in open_target(str(path), ()) if not isinstance(t, Skipped))
    plan = plan_for(table, SAMPLE_ROWS)
    one_by_one = TableTally()
    batches = list(table.batches(plan.columns_needed))
    assert len(batches) > 2
    for index, record_batch in enumerate(batches):
        one_by_one.merge(tally_batch(plan, record_batch, with_kinds=index == 0))
    scanned = scan_table(table, ScanOptions(threads=2), QuietObserver())
    assert scanned.rows == one_by_one.rows == 180_000

    def summary(fields: Iterable[FieldTally]) -> dict[tuple[str, str], tuple[object, ...]]:
        return {(f.field, f.category): (f.rows, f.distinct.result(), f.samples, dict(f.kinds))
                for f in fields}

    assert summary(scanned.fields) == summary(fold_list_items(one_by_one.fields.values()))


def test_short_batches_are_joined_into_frames_of_at_most_a_batch() -> None:
    frames = [pl.DataFrame({"a": [f"{n}-{i}" for i in range(n)]}) for n in
              (30, 30, 30, 70, 10, 120, 5)]
    frames.insert(5, pl.DataFrame({"b": ["x"] * 20}))  # other columns: never joined
    joined = list(coalesced(frames, 64))
    assert [f.height for f in joined] == [60, 30, 70, 10, 20, 120, 5]
    assert all(f.height <= 64 or f.n_chunks() == 1 for f in joined)
    rows = [r for f in joined if "a" in f.columns for r in f["a"].to_list()]
    assert rows == [r for f in frames if "a" in f.columns for r in f["a"].to_list()]


def test_a_scan_of_joined_frames_counts_as_the_source_batches(tmp_path: Path) -> None:
    """Wide rows come in Arrow blocks of ~25,000 rows, joined by the engine: rows, distinct
    values and samples as the source's batches merged one by one."""
    rows = 300_000
    frame = pl.DataFrame({
        "email": [f"user{i % 9000}@example.com" for i in range(rows)],
        "client_ip": [f"47.{i % 200}.{i % 250}.{i % 199}" for i in range(rows)],
        "notes": [("x" * 300) + (f" mail me at m{i % 77}@mail.example.org" if i % 3 else "")
                  for i in range(rows)],
    })
    path = tmp_path / "wide.csv"
    frame.write_csv(path)
    table = next(t for t in open_target(str(path), ()) if not isinstance(t, Skipped))
    plan = plan_for(table, SAMPLE_ROWS)
    batches = list(table.batches(plan.columns_needed))
    as_frames = [pl.DataFrame(pl.from_arrow(batch)) for batch in batches]
    assert len(batches) > len(list(coalesced(as_frames, FRAME_ROWS))) > 1
    one_by_one = TableTally()
    for index, record_batch in enumerate(batches):
        one_by_one.merge(tally_batch(plan, record_batch, with_kinds=index == 0))
    scanned = scan_table(table, ScanOptions(threads=2), QuietObserver())
    assert scanned.rows == one_by_one.rows == rows

    def summary(fields: Iterable[FieldTally]) -> dict[tuple[str, str], tuple[object, ...]]:
        return {(f.field, f.category): (f.rows, f.distinct.result(), f.samples) for f in fields}

    assert summary(scanned.fields) == summary(fold_list_items(one_by_one.fields.values()))


def test_floors_drop_only_hashes_that_cannot_change_a_sketch(tmp_path: Path) -> None:
    """Batches counted with the floors of the running total merge to the same sketch as
    batches counted whole, and hold fewer hashes."""
    rows = 200_000  # past the sketch's 32,768 hashes, so that its floor drops
    frame = pl.DataFrame({"email": [f"user{i}@example.com" for i in range(rows)]})
    plan = plan_table(frame.head(2_000))
    batches = [frame.slice(start, 10_000) for start in range(0, rows, 10_000)]
    with_floors, whole = TableTally(), TableTally()
    kept_with, kept_whole = 0, 0
    for part in batches:
        floored = tally_batch(plan, part, exact_limit=1_000, with_kinds=False)
        pending = start_batch(plan, part, exact_limit=1_000, with_kinds=False,
                              floors=floors_of(with_floors)).result()
        kept_with += sum(f.distinct.result().value for f in pending.fields.values())
        kept_whole += sum(f.distinct.result().value for f in floored.fields.values())
        with_floors.merge(pending)
        whole.merge(floored)
    key = ("email", "email")
    assert floors_of(whole)[key] == floors_of(with_floors)[key]
    assert with_floors.fields[key].distinct.result() == whole.fields[key].distinct.result()
    assert not whole.fields[key].distinct.result().exact
    assert kept_with < kept_whole / 2


def test_a_scan_leaves_no_phone_number_in_the_caches(tmp_path: Path) -> None:
    from databorder.detect.contact import E164_TABLE, forget_phone_numbers, phone_e164
    from databorder.engine.local import scan_targets

    path = tmp_path / "contacts.csv"
    path.write_text("name,phone\n" + "".join(f"Ann {i},+1 415 555 {i:04d}\n" for i in range(50)),
                    encoding="utf-8")
    inventory = scan_targets([str(path)], ScanOptions())
    assert any(f.category == "phone" for s in inventory.sources for f in s.fields)
    assert phone_e164.cache_info().currsize == 0
    # the table is empty too: a lookup asks libphonenumber again
    assert E164_TABLE.lookup(pl.Series(["+14155550001"]))["e164"].to_list() == ["+14155550001"]
    assert phone_e164.cache_info().currsize == 1
    forget_phone_numbers()
