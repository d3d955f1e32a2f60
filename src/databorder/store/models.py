"""The store's tables, as SQLAlchemy 2.0 typed declarative models.

A run is one row of ``runs``; what it produced is one ``documents`` row per result file
(inventory, flows, findings) plus normalised rows (``fields``, ``categories``,
``destination_groups``, ``findings``) for querying and diffing without parsing documents.
A change here needs a migration in ``migrations/versions/`` (a test compares the two).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

RUN_STATUSES = ("running", "complete", "failed")
DOCUMENT_KINDS = ("inventory", "flows", "findings")


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


def _run_fk() -> Mapped[int]:
    return mapped_column(sa.ForeignKey("runs.id", ondelete="CASCADE"), index=True)


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {RUN_STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    command: Mapped[str] = mapped_column(sa.String(40))
    arguments: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    tool_version: Mapped[str] = mapped_column(sa.String(40))
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    status: Mapped[str] = mapped_column(sa.String(10), index=True)
    pid: Mapped[int] = mapped_column()
    hostname: Mapped[str] = mapped_column(sa.String(255))


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        sa.UniqueConstraint("run_id", "kind", name="run_kind"),
        sa.CheckConstraint(f"kind IN {DOCUMENT_KINDS!r}", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = _run_fk()
    kind: Mapped[str] = mapped_column(sa.String(20))
    schema: Mapped[str] = mapped_column(sa.String(60))
    body: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class FieldRow(Base):
    __tablename__ = "fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = _run_fk()
    source: Mapped[str] = mapped_column(sa.Text)
    table_name: Mapped[str | None] = mapped_column(sa.Text)
    field: Mapped[str] = mapped_column(sa.Text)
    category: Mapped[str] = mapped_column(sa.String(60), index=True)
    rows: Mapped[int] = mapped_column(sa.BigInteger)
    distinct: Mapped[int] = mapped_column(sa.BigInteger)
    distinct_exact: Mapped[bool] = mapped_column()
    confidence: Mapped[float] = mapped_column()


class CategoryRow(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = _run_fk()
    category: Mapped[str] = mapped_column(sa.String(60))
    rows: Mapped[int] = mapped_column(sa.BigInteger)
    distinct: Mapped[int] = mapped_column(sa.BigInteger)
    exact: Mapped[bool] = mapped_column()
    unit: Mapped[str | None] = mapped_column(sa.String(20))


class DestinationGroupRow(Base):
    __tablename__ = "destination_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = _run_fk()
    recipient: Mapped[str] = mapped_column(sa.Text)
    ultimate_parent: Mapped[str | None] = mapped_column(sa.String(120))
    controlled_from: Mapped[str | None] = mapped_column(sa.String(8))
    country_of_concern: Mapped[bool | None] = mapped_column()
    flows: Mapped[int] = mapped_column(sa.BigInteger)
    bytes_out: Mapped[int] = mapped_column(sa.BigInteger)
    bytes_in: Mapped[int | None] = mapped_column(sa.BigInteger)
    internal_hosts: Mapped[int] = mapped_column(sa.BigInteger)


class FindingRow(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = _run_fk()
    finding_id: Mapped[str] = mapped_column(sa.Text)
    regime: Mapped[str] = mapped_column(sa.String(60))
    rule: Mapped[str] = mapped_column(sa.String(120))
    outcome: Mapped[str] = mapped_column(sa.String(40), index=True)
    severity: Mapped[str | None] = mapped_column(sa.String(20))
    transfer: Mapped[str | None] = mapped_column(sa.Text)
    counterparty: Mapped[str | None] = mapped_column(sa.Text)
