"""Read ahead: the next batch is parsed while the current one is counted.

Arrow's CSV parser and Polars both release the GIL, so reading in a thread overlaps with
detection on a second core. The queue is bounded, so memory stays flat: at most ``depth``
batches wait. An exception in the reader is raised in the consumer; a consumer that stops
early stops the reader.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from queue import Full, Queue
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failure:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetched(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Yield ``items``, produced ``depth`` ahead in a background thread."""
    queue: Queue[object] = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        queue.put(item, timeout=0.1)
                        break
                    except Full:  # wait for the consumer, or for it to stop
                        continue
                if stop.is_set():
                    return
            queue.put(_DONE)
        except BaseException as error:  # handed to the consumer, which raises it
            queue.put(_Failure(error))

    worker = threading.Thread(target=produce, name="databorder-reader", daemon=True)
    worker.start()
    try:
        while True:
            item = queue.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():
            while not queue.empty():
                queue.get_nowait()
            worker.join(timeout=0.1)
