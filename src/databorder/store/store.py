"""The run store: every run of every command, its result documents and their normalised rows.

A run is written in two transactions: :meth:`Store.begin_run` commits its row as ``running``;
:meth:`Store.finish_run` writes every document and row and the final status in one more. A
process killed between the two leaves a ``running`` row whose process is gone, which is listed
as ``incomplete``; nothing it half-wrote is visible. See ``docs/store.md``.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar, cast

import sqlalchemy as sa
from alembic.util import CommandError
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from databorder import __version__
from databorder.errors import StoreError, UsageError

from . import migrate, rows
from .models import Base, CategoryRow, DestinationGroupRow, Document, FieldRow, FindingRow, Run
from .records import (
    CategoryRecord,
    DestinationRecord,
    FieldRecord,
    FindingRecord,
    RunCounts,
    RunStatus,
    RunSummary,
)

STORE_ENV = "DATABORDER_STORE"
DEFAULT_LOCATION = Path(".databorder") / "store.sqlite"
STALE_AFTER = timedelta(hours=24)
"""A ``running`` run from another host is taken as incomplete once this old (its pid cannot
be checked from here)."""
RUN_SCHEMA = "databorder.run/1"

_Model = TypeVar("_Model", bound=Base)
_REFERENCE = re.compile(r"latest(?:~(\d+))?")
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*):[^@\s]*@", re.IGNORECASE)


def store_url(url: str | None = None) -> str:
    """The URL to open: ``url``, else ``$DATABORDER_STORE``, else ``.databorder/store.sqlite``.

    A value without ``://`` is a path to an SQLite file.
    """
    chosen = url or os.environ.get(STORE_ENV) or None
    if chosen is None:
        return f"sqlite:///{Path.cwd() / DEFAULT_LOCATION}"
    if "://" not in chosen:
        return f"sqlite:///{Path(chosen).expanduser().resolve()}"
    return chosen


def hide_password(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``."""
    return _URL_PASSWORD.sub(r"\g<head>:***@", text)


class Store:
    """An open store. Use :meth:`open`; close it (or use ``with``) to release connections."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Connect (creating an SQLite file and its folder if needed) and migrate to head."""
        resolved = store_url(url)
        shown = hide_password(resolved)
        try:
            engine = _engine(resolved)
        except ImportError as exc:
            raise StoreError(f"{shown}: its database driver is not installed ({exc.name}; "
                             "for PostgreSQL: pip install 'databorder[postgres]')") from exc
        except (SQLAlchemyError, ValueError) as exc:
            raise StoreError(f"{shown}: not a usable database URL ({_reason(exc)})") from exc
        try:
            migrate.upgrade(engine)
        except (SQLAlchemyError, sqlite3.Error, OSError, CommandError) as exc:
            engine.dispose()
            raise StoreError(f"cannot open the store at {shown}: {_reason(exc)}") from exc
        return cls(engine)

    @property
    def url(self) -> str:
        """The store's URL, its password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    # writing

    def begin_run(self, command: str, arguments: Mapping[str, Any]) -> int:
        """Commit a new run as ``running`` and return its id (URL passwords in ``arguments``
        are replaced by ``***``)."""
        values = {
            "command": command, "arguments": _without_passwords(dict(arguments)),
            "tool_version": __version__, "started_at": datetime.now(UTC),
            "status": "running", "pid": os.getpid(), "hostname": socket.gethostname(),
        }
        with self._errors("cannot record a new run"), self.engine.begin() as connection:
            result = connection.execute(sa.insert(Run).values(**values))
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def finish_run(self, run_id: int, *, inventory: Mapping[str, Any] | None = None,
                   flows: Mapping[str, Any] | None = None,
                   findings: Mapping[str, Any] | None = None,
                   status: Literal["complete", "failed"] = "complete") -> None:
        """Write the run's documents, their rows and its final status in ONE transaction.

        A malformed document or a database error raises :class:`StoreError`; the run is then
        marked ``failed`` (or, if even that cannot be written, stays ``running`` and is listed
        as incomplete once this process ends) and nothing of it is kept.
        """
        if status not in ("complete", "failed"):
            raise UsageError(f"a run finishes complete or failed, not {status!r}")
        try:
            documents = {kind: document for kind, document in
                         (("inventory", inventory), ("flows", flows), ("findings", findings))
                         if document is not None}
            table_rows = _normalised(documents)
            with self._errors(f"cannot write run {run_id}"), self.engine.begin() as connection:
                _write(connection, run_id, status, documents, table_rows)
        except BaseException:
            self._mark_failed(run_id)
            raise

    def _mark_failed(self, run_id: int) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(sa.update(Run).where(Run.id == run_id,
                                                        Run.status == "running")
                                   .values(status="failed", finished_at=datetime.now(UTC)))
        except SQLAlchemyError:
            pass  # the run stays running and is listed incomplete once this process is gone

    # reading

    def runs(self) -> list[RunSummary]:
        """Every run, oldest first."""
        return self._summaries(None)

    def run(self, run_id: int) -> RunSummary:
        found = self._summaries(run_id)
        if not found:
            raise UsageError(f"no run {run_id} in the store at {self.url}")
        return found[0]

    def resolve(self, reference: str | int) -> int:
        """A run id from ``7``, ``latest`` (the newest complete run) or ``latest~N`` (the Nth
        complete run before it)."""
        text = str(reference).strip()
        if text.isdigit():
            return self.run(int(text)).id
        match = _REFERENCE.fullmatch(text)
        if match is None:
            raise UsageError(f"{text[:40]!r} is not a run: give an id, 'latest' or 'latest~N'")
        back = int(match.group(1) or 0)
        query = (sa.select(Run.id).where(Run.status == "complete").order_by(Run.id.desc())
                 .offset(back).limit(1))
        with self._errors("cannot read runs"), self.engine.connect() as connection:
            found = connection.execute(query).scalar_one_or_none()
        if found is None:
            raise UsageError(f"no run {text} in the store at {self.url} "
                             f"(it counts complete runs only)")
        return int(found)

    def run_document(self, run_id: int) -> dict[str, Any]:
        """The run and its documents: ``{"schema": "databorder.run/1", "run": {...},
        "inventory": ..., "flows": ..., "findings": ...}`` (``None`` for a missing document)."""
        summary = self.run(run_id)
        with self._errors(f"cannot read run {run_id}"), self.engine.connect() as connection:
            bodies: dict[str, dict[str, Any]] = dict(connection.execute(
                sa.select(Document.kind, Document.body).where(Document.run_id == run_id)
            ).all())
        run = summary.to_json()
        return {
            "schema": RUN_SCHEMA,
            "run": {key: run[key] for key in ("id", "command", "arguments", "status",
                                              "started_at", "finished_at", "tool_version")},
            "inventory": bodies.get("inventory"),
            "flows": bodies.get("flows"),
            "findings": bodies.get("findings"),
        }

    def fields(self, run_id: int) -> list[FieldRecord]:
        return [FieldRecord(r.source, r.table_name, r.field, r.category, r.rows, r.distinct,
                            r.distinct_exact, r.confidence)
                for r in self._rows(FieldRow, run_id)]

    def categories(self, run_id: int) -> list[CategoryRecord]:
        return [CategoryRecord(r.category, r.rows, r.distinct, r.exact, r.unit)
                for r in self._rows(CategoryRow, run_id)]

    def destinations(self, run_id: int) -> list[DestinationRecord]:
        return [DestinationRecord(r.recipient, r.ultimate_parent, r.controlled_from,
                                  r.country_of_concern, r.flows, r.bytes_out, r.bytes_in,
                                  r.internal_hosts)
                for r in self._rows(DestinationGroupRow, run_id)]

    def findings(self, run_id: int) -> list[FindingRecord]:
        return [FindingRecord(r.finding_id, r.regime, r.rule, r.outcome, r.severity, r.transfer,
                              r.counterparty)
                for r in self._rows(FindingRow, run_id)]

    def _rows(self, model: type[_Model], run_id: int) -> Sequence[_Model]:
        self.run(run_id)
        run_column = cast(Any, model).run_id
        with self._errors(f"cannot read run {run_id}"), Session(self.engine) as session:
            return session.scalars(sa.select(model).where(run_column == run_id)
                                   .order_by(cast(Any, model).id)).all()

    def _summaries(self, run_id: int | None) -> list[RunSummary]:
        where = [] if run_id is None else [Run.id == run_id]
        document_where = [] if run_id is None else [Document.run_id == run_id]
        with self._errors("cannot read runs"), Session(self.engine) as session:
            runs = session.scalars(sa.select(Run).where(*where).order_by(Run.id)).all()
            counts = {model: _counts(session, model, run_id)
                      for model in (FieldRow, CategoryRow, DestinationGroupRow, FindingRow)}
            kinds: dict[int, list[str]] = {}
            for owner, kind in session.execute(
                    sa.select(Document.run_id, Document.kind)
                    .where(*document_where)
                    .order_by(Document.kind)):
                kinds.setdefault(owner, []).append(kind)
        now, host = datetime.now(UTC), socket.gethostname()
        return [RunSummary(
            id=run.id, command=run.command, arguments=run.arguments,
            status=_status(run, now, host), started_at=_utc(run.started_at),
            finished_at=_utc(run.finished_at) if run.finished_at else None,
            tool_version=run.tool_version, pid=run.pid, hostname=run.hostname,
            documents=tuple(kinds.get(run.id, ())),
            counts=RunCounts(*(counts[m].get(run.id, 0) for m in
                               (FieldRow, CategoryRow, DestinationGroupRow, FindingRow))),
        ) for run in runs]

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            raise StoreError(f"{action} in the store at {self.url}: {_reason(exc)}") from exc


def _engine(url: str) -> Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, connect_args={"timeout": 30})
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: sqlite3.Connection, _record: object) -> None:
    """WAL: readers never block the writer, and a killed writer's frames are discarded."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_ROW_MODELS: tuple[tuple[str, type[Base], Any], ...] = (
    ("inventory", FieldRow, rows.field_rows),
    ("inventory", CategoryRow, rows.category_rows),
    ("flows", DestinationGroupRow, rows.destination_rows),
    ("findings", FindingRow, rows.finding_rows),
)


def _normalised(documents: Mapping[str, Mapping[str, Any]]
                ) -> list[tuple[type[Base], list[rows.Row]]]:
    for kind, document in documents.items():
        rows.check_schema(kind, document)
    return [(model, flatten(documents[kind])) for kind, model, flatten in _ROW_MODELS
            if kind in documents]


def _write(connection: Connection, run_id: int, status: str,
           documents: Mapping[str, Mapping[str, Any]],
           table_rows: list[tuple[type[Base], list[rows.Row]]]) -> None:
    updated = connection.execute(
        sa.update(Run).where(Run.id == run_id, Run.status == "running")
        .values(status=status, finished_at=datetime.now(UTC)))
    if updated.rowcount != 1:
        raise StoreError(f"run {run_id} cannot be finished: it is not a running run")
    if documents:
        connection.execute(sa.insert(Document), [
            {"run_id": run_id, "kind": kind, "schema": document["schema"],
             "body": dict(document)} for kind, document in documents.items()])
    for model, found in table_rows:
        if found:
            connection.execute(sa.insert(model), [{"run_id": run_id, **row} for row in found])


def _counts(session: Session, model: type[Base], run_id: int | None) -> dict[int, int]:
    run_column = cast(Any, model).run_id
    query = sa.select(run_column, sa.func.count()).group_by(run_column)
    if run_id is not None:
        query = query.where(run_column == run_id)
    return {int(owner): int(count) for owner, count in session.execute(query)}


def _status(run: Run, now: datetime, host: str) -> RunStatus:
    if run.status != "running":
        return cast(RunStatus, run.status)
    if run.hostname == host:
        return "running" if _alive(run.pid) else "incomplete"
    return "incomplete" if now - _utc(run.started_at) > STALE_AFTER else "running"


def _alive(pid: int) -> bool:
    """Whether a process of that id runs on this host (a zombie does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def _utc(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back (they were written in UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _without_passwords(value: Any) -> Any:
    if isinstance(value, str):
        return hide_password(value)
    if isinstance(value, Mapping):
        return {str(k): _without_passwords(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_passwords(v) for v in value]
    return value


def _reason(exc: BaseException) -> str:
    """The driver's first line: SQLAlchemy's own text repeats the statement and parameters."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return hide_password(lines[0]) if lines else type(cause).__name__
