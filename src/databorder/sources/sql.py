"""SQL databases: SQLite files and any SQLAlchemy URL (PostgreSQL, MySQL/MariaDB, SQLite).

Every table of the default schema is one :class:`TableSource` (``table`` is its name). Views
are left out unless the ``tables`` filter names them, since they mostly repeat table data. A
filter entry is a name or a glob (``user*``); ``schema.name`` looks in another schema.

Rows stream through a server-side cursor (``stream_results``) in batches of at most
:data:`BATCH_ROWS`; every cell is converted to a string in Python (bytes decoded as UTF-8 with
replacement, dates as ISO 8601). The display name of a database is its URL without the password,
and connection errors become one-line :class:`InputError` messages that never show it.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterator, Sequence
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from databorder.errors import InputError, ReadError

from .base import BATCH_ROWS, ProgressFn, TableSource

_PASSWORD_IN_URL = re.compile(r"(://[^:/@]*):[^@]*@")


_SECRET_QUERY_KEY = re.compile(r"pass|secret|token|key", re.IGNORECASE)


def secrets_in_url(url: URL) -> list[str]:
    """The password and any secret-looking query values, to blot out of messages."""
    found = [url.password] if isinstance(url.password, str) else []
    for key, value in url.query.items():
        if _SECRET_QUERY_KEY.search(key):
            found.extend([value] if isinstance(value, str) else list(value))
    return [f for f in found if f]


def display_url(url: str | URL) -> str:
    """The URL with any password removed."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return _PASSWORD_IN_URL.sub(r"\1@", str(url))
    # ``URL.set(password=None)`` means "leave the password as is": build the URL anew
    query = {k: v for k, v in parsed.query.items() if not _SECRET_QUERY_KEY.search(k)}
    without = URL.create(parsed.drivername, parsed.username, None, parsed.host, parsed.port,
                         parsed.database, query)
    return without.render_as_string(hide_password=False)


def cell_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _reason(exc: BaseException, secrets: list[str]) -> str:
    """The first line of the driver's message, with the password and secrets blotted out."""
    original = getattr(exc, "orig", None) or exc
    text = (str(original).strip() or type(original).__name__).splitlines()[0]
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


class Database:
    """One database, opened lazily; its tables become :class:`SqlTableSource`."""

    def __init__(self, url: str | URL, display: str | None = None,
                 engine: Engine | None = None) -> None:
        try:
            self.url = make_url(url)
        except ArgumentError as exc:
            raise InputError(display_url(url), "not a valid database URL") from exc
        self.display = display or display_url(self.url)
        self._secrets = secrets_in_url(self.url)
        try:
            self.engine = engine or sa.create_engine(self.url, poolclass=NullPool)
        except (NoSuchModuleError, ModuleNotFoundError) as exc:
            raise InputError(self.display, f"no driver for {self.url.drivername!r}") from exc
        except (SQLAlchemyError, ValueError) as exc:
            raise InputError(self.display, _reason(exc, self._secrets)) from exc

    def error(self, exc: BaseException) -> InputError:
        return InputError(self.display, _reason(exc, self._secrets))

    def sources(self, tables: Sequence[str] = ()) -> Iterator[TableSource]:
        try:
            inspector = sa.inspect(self.engine)
            default_tables = inspector.get_table_names()
            found: list[tuple[str | None, str]] = []
            if not tables:
                found = [(None, name) for name in sorted(default_tables)]
            for pattern in tables:
                schema, _, name_pattern = pattern.rpartition(".")
                names = (inspector.get_table_names(schema or None)
                         + inspector.get_view_names(schema or None))
                found += [(schema or None, n) for n in sorted(names)
                          if fnmatchcase(n, name_pattern) and (schema or None, n) not in found]
            selected = [(s, n, [c["name"] for c in inspector.get_columns(n, s)])
                        for s, n in found]
        except SQLAlchemyError as exc:
            raise self.error(exc) from exc
        if tables and not selected:
            raise InputError(self.display, "no table matches " + ", ".join(map(repr, tables)))
        for table_schema, name, columns in selected:
            yield SqlTableSource(self, table_schema, name, tuple(columns))


class SqlTableSource(TableSource):
    def __init__(self, database: Database, schema: str | None, name: str,
                 columns: tuple[str, ...]) -> None:
        self.database = database
        self.source = database.display
        self.schema = schema
        self.table = f"{schema}.{name}" if schema else name
        self.name = name
        self.columns = columns

    def _select(self, columns: Sequence[str] | None) -> sa.Select[Any]:
        wanted = list(columns) if columns is not None else list(self.columns)
        unknown = [c for c in wanted if c not in self.columns]
        if unknown:
            raise InputError(self.label, f"no column {unknown[0]!r}")
        table = sa.table(self.name, *(sa.column(c) for c in self.columns), schema=self.schema)
        return sa.select(*(table.c[c] for c in wanted))

    def sample(self, rows: int) -> pa.Table:
        batches = list(self._stream(self._select(None).limit(rows), list(self.columns)))
        if not batches:
            return pa.table({c: pa.array([], pa.string()) for c in self.columns})
        return pa.Table.from_batches(batches)

    def batches(
        self, columns: Sequence[str] | None = None, progress: ProgressFn | None = None
    ) -> Iterator[pa.RecordBatch]:
        wanted = list(columns) if columns is not None else list(self.columns)
        return self._stream(self._select(wanted), wanted)

    def _stream(self, query: sa.Select[Any], names: list[str]) -> Iterator[pa.RecordBatch]:
        try:
            with self.database.engine.connect() as connection:
                result = connection.execution_options(
                    stream_results=True, yield_per=BATCH_ROWS).execute(query)
                for rows in result.partitions(BATCH_ROWS):
                    arrays = [pa.array([cell_text(row[i]) for row in rows], pa.string())
                              for i in range(len(names))]
                    yield pa.RecordBatch.from_arrays(arrays, names=names)
        except SQLAlchemyError as exc:
            raise self.database.error(exc) from exc


def open_database(url: str, tables: Sequence[str] = ()) -> Iterator[TableSource]:
    """Table sources of the database at a SQLAlchemy URL."""
    return Database(url).sources(tables)


def open_sqlite_file(path: Path) -> Iterator[TableSource]:
    """Table sources of a SQLite file, opened read-only."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    engine = sa.create_engine(
        "sqlite://", poolclass=NullPool,
        creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
    )
    database = Database(URL.create("sqlite", database=str(path)), str(path), engine)
    try:
        yield from database.sources()
    except InputError as exc:
        raise ReadError(str(path), f"not a readable SQLite database ({exc.reason})") from exc
