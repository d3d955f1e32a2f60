import threading
from collections.abc import Iterator

import pytest

from databorder.engine.prefetch import prefetched


def test_order_and_completeness() -> None:
    assert list(prefetched(iter(range(1000)), depth=3)) == list(range(1000))


def test_reader_errors_reach_the_consumer() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("line 7: bad row")

    got = []
    with pytest.raises(ValueError, match="line 7"):
        for item in prefetched(failing()):
            got.append(item)
    assert got == [1]


def test_stopping_early_stops_the_reader_and_reads_ahead_boundedly() -> None:
    produced = []

    def counting() -> Iterator[int]:
        for i in range(10_000):
            produced.append(i)
            yield i

    for item in prefetched(counting(), depth=2):
        if item == 5:
            break
    assert len(produced) <= 5 + 1 + 2 + 1
    assert not any(t.name == "databorder-reader" and t.is_alive() for t in threading.enumerate())
