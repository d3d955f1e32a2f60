from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from source_helpers import read_all

from databorder.errors import InputError
from databorder.sources.open import Skipped, open_target
from databorder.sources.sql import SqlTableSource, display_url


def sql_sources(target: str | Path, tables: tuple[str, ...] = ()) -> dict[str, SqlTableSource]:
    found: dict[str, SqlTableSource] = {}
    for source in open_target(str(target), tables):
        assert isinstance(source, SqlTableSource), source
        found[source.table or ""] = source
    return found


def test_sqlite_file_tables_and_cells(fixtures: Path) -> None:
    sources = sql_sources(fixtures / "crm.sqlite")
    assert list(sources) == ["customers", "payments"]  # the view is left out by default
    customers = sources["customers"]
    assert customers.source == str(fixtures / "crm.sqlite")
    assert customers.label.endswith("crm.sqlite#customers")
    rows = read_all(customers).table.to_pylist()
    assert rows[0] == {"id": "1", "name": "Maren Lindqvist", "email": "maren@example.org",
                       "zip": "01067", "photo": "\ufffdPNG", "joined": "2023-02-01"}
    assert rows[1]["photo"] is None
    assert customers.sample(1).num_rows == 1
    assert read_all(sources["payments"], ["card"]).table.to_pylist() == [
        {"card": "4111111111111111"}]


def test_sqlite_is_sniffed_whatever_the_suffix(fixtures: Path, tmp_path: Path) -> None:
    copy = tmp_path / "backup.bin"
    copy.write_bytes((fixtures / "crm.sqlite").read_bytes())
    assert list(sql_sources(copy)) == ["customers", "payments"]


def test_tables_filter_with_names_globs_and_views(fixtures: Path) -> None:
    path = fixtures / "crm.sqlite"
    assert list(sql_sources(path, ("pay*",))) == ["payments"]
    assert list(sql_sources(f"sqlite:///{path}", ("big_spenders", "customers"))) == [
        "big_spenders", "customers"]
    with pytest.raises(InputError, match="no table matches 'nothing'"):
        sql_sources(f"sqlite:///{path}", ("nothing",))


def test_display_url_drops_the_password() -> None:
    url = "postgresql+psycopg://scanner:s3cr3t@db.example:5432/crm"
    assert display_url(url) == "postgresql+psycopg://scanner@db.example:5432/crm"


def test_connection_error_is_one_line_without_password() -> None:
    url = "postgresql+psycopg://scanner:s3cr3t@127.0.0.1:1/crm?connect_timeout=2"
    with pytest.raises(InputError) as info:
        list(open_target(url))
    message = str(info.value)
    assert "s3cr3t" not in message and "\n" not in message
    assert message.startswith("postgresql+psycopg://scanner@127.0.0.1:1/crm")


def test_unknown_driver_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no driver"):
        list(open_target("nosuchdb://user:pw@host/db"))


@pytest.fixture
def pg_schema(postgres_url: str) -> Iterator[tuple[str, str]]:
    schema = f"databorder_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"create schema {schema}"))
        connection.execute(sa.text(
            f"create table {schema}.users (id int primary key, email text, zip char(5),"
            " born date, score numeric(5,2))"))
        connection.execute(sa.text(
            f"insert into {schema}.users select i, 'user' || i || '@example.com',"
            f" lpad((i % 100000)::text, 5, '0'), date '1990-01-01' + i % 9000, i % 1000 / 10.0"
            " from generate_series(0, 69999) as i"))
        connection.execute(sa.text(f"create table {schema}.audit (at timestamptz, ip inet)"))
        connection.execute(sa.text(
            f"insert into {schema}.audit values ('2024-05-01 10:00:00+00', '203.0.113.7')"))
    yield postgres_url, schema
    with engine.begin() as connection:
        connection.execute(sa.text(f"drop schema {schema} cascade"))
    engine.dispose()


@pytest.mark.postgres
def test_postgres_streams_bounded_string_batches(pg_schema: tuple[str, str]) -> None:
    url, schema = pg_schema
    sources = sql_sources(url, (f"{schema}.*",))
    assert list(sources) == [f"{schema}.audit", f"{schema}.users"]
    users = sources[f"{schema}.users"]
    result = read_all(users, ["id", "zip", "born", "score"])
    assert result.batch_rows == [65_536, 4_464]
    first = result.table.slice(0, 1).to_pylist()[0]
    assert first == {"id": "0", "zip": "00000", "born": "1990-01-01", "score": "0.00"}
    assert users.sample(10).num_rows == 10
    audit = read_all(sources[f"{schema}.audit"]).table.to_pylist()
    assert audit[0]["ip"] == "203.0.113.7"


@pytest.mark.postgres
def test_postgres_default_schema_from_search_path(pg_schema: tuple[str, str]) -> None:
    url, schema = pg_schema
    with_path = str(sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}))
    assert list(sql_sources(with_path, ("aud*",))) == ["audit"]


@pytest.fixture
def maria_table(mariadb_url: str) -> Iterator[tuple[str, str]]:
    table = f"databorder_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(mariadb_url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            f"create table {table} (id int primary key, phone varchar(32), photo blob)"))
        connection.execute(sa.text(
            f"insert into {table} values (1, '+49 30 901820', x'616263'), (2, null, null)"))
    yield mariadb_url, table
    with engine.begin() as connection:
        connection.execute(sa.text(f"drop table {table}"))
    engine.dispose()


@pytest.mark.mariadb
def test_mariadb_table(maria_table: tuple[str, str]) -> None:
    url, table = maria_table
    source = sql_sources(url, (table,))[table]
    assert read_all(source).table.to_pylist() == [
        {"id": "1", "phone": "+49 30 901820", "photo": "abc"},
        {"id": "2", "phone": None, "photo": None}]


def test_skipped_is_not_a_source(tmp_path: Path) -> None:
    (tmp_path / "empty.db").write_bytes(b"")
    assert list(open_target(str(tmp_path / "empty.db"))) == [
        Skipped(str(tmp_path / "empty.db"), "empty file")]
