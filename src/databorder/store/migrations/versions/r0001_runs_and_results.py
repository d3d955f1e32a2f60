"""Runs, their result documents, and normalised rows of fields, categories, destination
groups and findings.

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ROW_TABLES = ("categories", "destination_groups", "documents", "fields", "findings")


def _run_id(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f(f"fk_{table}_run_id_runs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("command", sa.String(length=40), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("tool_version", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.CheckConstraint("status IN ('running', 'complete', 'failed')",
                           name=op.f("ck_runs_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index(op.f("ix_runs_status"), "runs", ["status"])
    op.create_table(
        "documents",
        *_run_id("documents"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("schema", sa.String(length=60), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.CheckConstraint("kind IN ('inventory', 'flows', 'findings')",
                           name=op.f("ck_documents_kind")),
        sa.UniqueConstraint("run_id", "kind", name="run_kind"),
    )
    op.create_table(
        "fields",
        *_run_id("fields"),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=True),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("distinct", sa.BigInteger(), nullable=False),
        sa.Column("distinct_exact", sa.Boolean(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
    )
    op.create_index(op.f("ix_fields_category"), "fields", ["category"])
    op.create_table(
        "categories",
        *_run_id("categories"),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("distinct", sa.BigInteger(), nullable=False),
        sa.Column("exact", sa.Boolean(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=True),
    )
    op.create_table(
        "destination_groups",
        *_run_id("destination_groups"),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("ultimate_parent", sa.String(length=120), nullable=True),
        sa.Column("controlled_from", sa.String(length=8), nullable=True),
        sa.Column("country_of_concern", sa.Boolean(), nullable=True),
        sa.Column("flows", sa.BigInteger(), nullable=False),
        sa.Column("bytes_out", sa.BigInteger(), nullable=False),
        sa.Column("bytes_in", sa.BigInteger(), nullable=True),
        sa.Column("internal_hosts", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "findings",
        *_run_id("findings"),
        sa.Column("finding_id", sa.Text(), nullable=False),
        sa.Column("regime", sa.String(length=60), nullable=False),
        sa.Column("rule", sa.String(length=120), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=True),
        sa.Column("transfer", sa.Text(), nullable=True),
        sa.Column("counterparty", sa.Text(), nullable=True),
    )
    op.create_index(op.f("ix_findings_outcome"), "findings", ["outcome"])
    for table in _ROW_TABLES:
        op.create_index(op.f(f"ix_{table}_run_id"), table, ["run_id"])


def downgrade() -> None:
    for table in (*_ROW_TABLES, "runs"):
        op.drop_table(table)
