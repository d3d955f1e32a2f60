"""Shared fixtures: database servers for the tests marked ``postgres`` and ``mariadb``.

A test that needs a server gets its URL from an environment variable, or else the usual local
address, and is skipped, with the reason shown, when the server does not answer; with
``DATABORDER_REQUIRE_DB_TESTS=1`` (as in CI) it fails instead.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

pytest_plugins = ["browser"]
"""Headless Chromium fixtures (``tests/browser.py``), registered once for every directory:
a fixture imported into two conftest files would start two Playwright instances."""

_DEFAULT_URLS = {
    "DATABORDER_TEST_POSTGRES_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "DATABORDER_TEST_MARIADB_URL": "mysql+pymysql://root@127.0.0.1:3306/test",
}


def _server_url(variable: str) -> str:
    required = os.environ.get("DATABORDER_REQUIRE_DB_TESTS") == "1"
    url = os.environ.get(variable) or _DEFAULT_URLS[variable]
    try:
        engine = sa.create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any driver or connection failure means "no server"
        reason = (f"no database server at {variable} "
                  f"({sa.engine.make_url(url).render_as_string()}): {type(exc).__name__}")
        if required:
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture(scope="session", autouse=True)
def _run_store(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Runs of the commands under test go to a store of this test session, not into
    ``.databorder/`` of the checkout (tests that test the default location clear this)."""
    if "DATABORDER_STORE" not in os.environ:
        os.environ["DATABORDER_STORE"] = str(tmp_path_factory.mktemp("store") / "runs.sqlite")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """``DATABORDER_TEST_POSTGRES_URL``, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``."""
    return _server_url("DATABORDER_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def mariadb_url() -> str:
    """``DATABORDER_TEST_MARIADB_URL``, e.g. ``mysql+pymysql://root@127.0.0.1:3306/test``."""
    return _server_url("DATABORDER_TEST_MARIADB_URL")
