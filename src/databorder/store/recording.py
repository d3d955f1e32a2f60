"""Keeping the runs of ``scan``, ``flows``, ``assess`` (and any other command) in the store.

Every run is kept: in the store named by ``--store URL`` or ``$DATABORDER_STORE``, else in
``.databorder/store.sqlite`` of the working directory, created on first use. ``--no-store``
keeps a run out. The commands that only read runs (``runs``, ``diff``, ``report``) never create
a store (:func:`open_if_kept`).

A command that ends (an error, ``sys.exit``) without finishing its run leaves it ``failed``;
one that is killed leaves it ``incomplete``.
"""

from __future__ import annotations

import atexit
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from databorder.errors import DataborderError

from .store import DEFAULT_LOCATION, STORE_ENV, Store


def default_store_exists() -> bool:
    return (Path.cwd() / DEFAULT_LOCATION).is_file()


def open_if_kept(url: str | None) -> Store | None:
    """The store when one is named or exists in the working directory, else ``None``."""
    if url or os.environ.get(STORE_ENV) or default_store_exists():
        return Store.open(url)
    return None


@dataclass(slots=True)
class Recording:
    """A run begun in ``store``: :meth:`finish` writes its documents and closes the store."""

    store: Store
    run_id: int
    finished: bool = False

    def finish(self, *, inventory: dict[str, Any] | None = None,
               flows: dict[str, Any] | None = None,
               findings: dict[str, Any] | None = None) -> str:
        """Store the documents and the status ``complete``; a line to show."""
        self.finished = True
        try:
            self.store.finish_run(self.run_id, inventory=inventory, flows=flows,
                                  findings=findings)
        finally:
            self.store.close()
        return f"run {self.run_id} kept in {self.store.url}"

    def abandon(self) -> None:
        """Mark the run ``failed`` unless it was finished (called at interpreter exit)."""
        if self.finished:
            return
        self.finished = True
        try:
            self.store.finish_run(self.run_id, status="failed")
        except DataborderError:
            pass  # left running: listed incomplete once this process is gone
        finally:
            self.store.close()


def start_recording(url: str | None, command: str, arguments: dict[str, Any]) -> Recording:
    """Begin a run of ``command`` in the store (see the module's docstring); ``--no-store``
    is decided by the caller, which then does not import the store at all."""
    store = Store.open(url)
    try:
        recording = Recording(store, store.begin_run(command, arguments))
    except BaseException:
        store.close()
        raise
    atexit.register(recording.abandon)
    return recording
