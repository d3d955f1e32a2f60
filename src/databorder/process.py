"""Settings of the ``databorder`` process itself (the command line, not the library)."""

from __future__ import annotations

import ctypes
import sys

_PR_SET_THP_DISABLE = 41


def disable_huge_pages() -> bool:
    """Ask Linux not to back this process's memory with transparent huge pages.

    A scan allocates and frees buffers of a few MiB for every batch (Arrow's read blocks,
    Polars columns, NumPy hash arrays), and the allocators ask for huge pages where they can:
    each first touch of a 2 MiB region then zeroes all of it. Measured on the 1M-row bench
    file (docs/performance.md): system time 1.1-1.4 s -> 0.7-0.8 s. No effect elsewhere, and
    nothing happens when the call is refused. True when it took effect.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False
