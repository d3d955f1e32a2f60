import numpy as np
import polars as pl
import pytest

from databorder.detect.counting import (
    DistinctCount,
    DistinctCounter,
    ThetaSketch,
    hash_values,
    sorted_unique,
)


def _values(start: int, stop: int) -> pl.Series:
    return pl.Series([f"user-{i}@example.com" for i in range(start, stop)], dtype=pl.String)


def test_exact_below_the_limit_and_duplicates_counted_once() -> None:
    counter = DistinctCounter(exact_limit=10_000)
    counter.add_values(_values(0, 5_000))
    counter.add_values(_values(2_500, 7_500))
    result = counter.result()
    assert result.exact
    assert result.value == 7_500
    assert result.relative_error_95 == 0.0


def test_nulls_are_not_counted() -> None:
    counter = DistinctCounter()
    counter.add_values(pl.Series(["a", None, "a", None, "b"], dtype=pl.String))
    assert counter.result().value == 2


def test_sketch_beyond_the_limit_states_its_error_and_stays_close() -> None:
    counter = DistinctCounter(exact_limit=1_000)
    counter.add_values(_values(0, 200_000))
    result = counter.result()
    assert not result.exact
    assert 0 < result.relative_error_95 < 0.05
    assert abs(result.value - 200_000) / 200_000 <= result.relative_error_95


@pytest.mark.parametrize("left_limit,right_limit", [(10**6, 10**6), (1_000, 10**6),
                                                      (10**6, 1_000), (1_000, 1_000)])
def test_merge_is_a_union_in_every_mode(left_limit: int, right_limit: int) -> None:
    left = DistinctCounter(exact_limit=left_limit)
    right = DistinctCounter(exact_limit=right_limit)
    left.add_values(_values(0, 30_000))
    right.add_values(_values(20_000, 50_000))
    left.merge(right)
    result = left.result()
    if result.exact:
        assert result.value == 50_000
    else:
        assert abs(result.value - 50_000) / 50_000 <= result.relative_error_95


def test_hashes_are_stable_for_equal_values() -> None:
    first = hash_values(pl.Series(["x", "y"]))
    second = hash_values(pl.Series(["y", "x"]))
    assert set(first.tolist()) == set(second.tolist())
    assert first.dtype == np.uint64


def test_sorted_unique_is_the_set_of_all_parts() -> None:
    rng = np.random.default_rng(7)
    pool = rng.integers(0, 2**64, size=5_000, dtype=np.uint64, endpoint=False)
    for _ in range(20):
        held = [np.unique(rng.choice(pool, size=int(rng.integers(0, 3_000))))
                for _ in range(int(rng.integers(0, 3)))]
        pending = [rng.choice(pool, size=int(rng.integers(0, 3_000)))
                   for _ in range(int(rng.integers(0, 4)))]
        expected = np.unique(np.concatenate([*held, *pending, np.empty(0, np.uint64)]))
        got = sorted_unique(held, pending)
        assert got.dtype == np.uint64
        assert got.tolist() == expected.tolist()


def test_counter_equals_a_set_over_batches_and_merges() -> None:
    """Batches with repeats inside and across them, merged in a tree as the engine does."""
    rng = np.random.default_rng(11)
    batches = [pl.Series([f"v{n}" for n in rng.integers(0, 150_000, size=40_000)])
               for _ in range(12)]
    counters = []
    for batch in batches:
        counter = DistinctCounter(exact_limit=1_000_000)
        counter.add_values(batch)
        counter.result()
        counters.append(counter)
    total = DistinctCounter(exact_limit=1_000_000)
    for counter in counters:
        total.merge(counter)
    assert total.result() == DistinctCount(pl.concat(batches).n_unique(), True, 0.0)


def test_theta_sketch_is_read_by_datasketches_as_its_own() -> None:
    """A sketch DataSketches made, its hashes and theta put into ours: the same compact
    sketch, so the same estimate and bounds."""
    import datasketches

    theirs = datasketches.update_theta_sketch(14)
    for value in range(100_000):
        theirs.update(value)
    compact = theirs.compact(ordered=True)
    raw = compact.serialize()
    ours = ThetaSketch(14)
    ours._retained = np.frombuffer(raw[24:], dtype="<u8").astype(np.uint64)
    ours._theta = compact.theta64
    rebuilt = ours.compact()
    assert rebuilt.num_retained == compact.num_retained
    assert rebuilt.get_estimate() == compact.get_estimate()
    assert rebuilt.get_upper_bound(2) == compact.get_upper_bound(2)
    assert rebuilt.serialize() == raw


def test_theta_sketch_merge_is_the_sketch_of_the_union() -> None:
    rng = np.random.default_rng(5)
    left_hashes = rng.integers(0, 2**64, size=300_000, dtype=np.uint64, endpoint=False)
    right_hashes = np.concatenate([left_hashes[:100_000], rng.integers(
        0, 2**64, size=200_000, dtype=np.uint64, endpoint=False)])
    left, right, whole = ThetaSketch(12), ThetaSketch(12), ThetaSketch(12)
    left.update(left_hashes)
    right.update(right_hashes)
    whole.update(np.concatenate([left_hashes, right_hashes]))
    left.merge(right)
    assert left.compact().serialize() == whole.compact().serialize()
    estimate = whole.compact().get_estimate()
    assert abs(estimate - 500_000) / 500_000 < 3 / 64  # three standard errors at lg_k 12


def test_a_sketch_still_holding_every_hash_counts_exactly() -> None:
    """Past the exact limit, the sketch keeps the 32,768 smallest hashes: below that many
    distinct values it has them all, and the count is exact, not an estimate."""
    counter = DistinctCounter(exact_limit=10)
    counter.add_values(_values(0, 5_000))
    assert counter.result() == DistinctCount(5_000, True, 0.0)
    counter.add_values(_values(5_000, 50_000))
    result = counter.result()
    assert not result.exact and abs(result.value - 50_000) <= 50_000 * result.relative_error_95
