"""Alembic environment of the run store, driven from code (``databorder.store.migrate``).

The caller hands over an open connection in ``config.attributes["connection"]``; there is no
``alembic.ini`` and no URL here, so the store's password never passes through Alembic.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from databorder.store.models import Base


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("the store's migrations run from databorder.store.migrate only")
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
