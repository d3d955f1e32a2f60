"""The JSON API's response shapes; FastAPI publishes them in the OpenAPI document.

They mirror the stored result documents (``docs/inventory-schema.md``, ``docs/flows-schema.md``,
``docs/findings-schema.md``), keeping the keys a dashboard or a script needs.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class RunOut(BaseModel):
    id: int
    command: str
    status: str = Field(description="complete, running, incomplete (killed half-way) or failed")
    started_at: str
    finished_at: str | None
    tool_version: str
    arguments: dict[str, Any]
    documents: list[str] = Field(description="inventory, flows and/or findings")
    counts: dict[str, int] = Field(description="stored rows: fields, categories, recipients, "
                                   "findings")


class CategoryOut(BaseModel):
    category: str
    title: str
    unit: str | None
    rows: int
    fields: int
    distinct: int
    distinct_exact: bool
    distinct_error_95: float | None


class RunDetail(BaseModel):
    run: RunOut
    categories: list[CategoryOut]
    fields: int
    recipients: int
    findings: int
    countries_of_concern: list[str] = Field(
        description="countries of concern that control a recipient of this run's egress")


class FieldOut(BaseModel):
    source: str
    table: str | None
    field: str
    category: str
    confidence: float
    rows: int
    distinct: int
    distinct_exact: bool
    masked_samples: list[str]


class RecipientOut(BaseModel):
    recipient: str
    ultimate_parent: str | None
    controlled_from: str | None
    country_of_concern: bool | None
    flows: int
    bytes_out: int | None
    bytes_in: int | None
    internal_hosts: int
    destinations: int
    first_seen: str | None
    last_seen: str | None
    top_names: list[str] | None


class DestinationOut(BaseModel):
    dst_ip: str | None = Field(description="null when the log named a host but no address")
    name: str | None
    ip_scope: str | None
    as_name: str | None
    ip_country: str | None
    entity: str | None
    entity_name: str | None
    ultimate_parent: str | None
    parent_name: str | None
    controlled_from: str | None
    country_of_concern: bool | None
    evidence: str | None = Field(description="domain, asn or as_name: what decided the entity")
    flows: int
    bytes_out: int | None
    bytes_in: int | None
    internal_hosts: int
    first_seen: str | None
    last_seen: str | None


class FindingOut(BaseModel):
    id: str
    regime: str
    rule: str
    title: str
    outcome: str
    severity: str
    transfer: str | None = None
    counterparty: str | None = None
    categories: list[str] = []
    actions: list[dict[str, Any]] = []
    questions: list[str] = []
    citations: list[dict[str, Any]] = []


class Problem(BaseModel):
    detail: str
