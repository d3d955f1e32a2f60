"""The facts a transfer is judged on: who exports, to whom, under what relationship, which data.

These models are the transfer file's format (``databorder.transfers/1``, docs/transfer-file.md)
and also what the inventory and flows loaders produce. ``None`` always means "not known": the
rules then ask the question that would decide it instead of guessing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TRANSFERS_SCHEMA = "databorder.transfers/1"

Relationship = Literal["vendor", "employment", "investment", "data_brokerage"]
CountryCode = str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Exporter(_Strict):
    """Who sends the data (or lets it be accessed)."""

    name: str | None = None
    jurisdiction: CountryCode | None = None
    us_person: bool | None = None
    """A U.S. person under 28 CFR 202.256 (U.S.-organised, incl. a U.S. subsidiary of a foreign
    parent; a person in the United States)."""
    cn_handler: bool | None = None
    """Handles personal information collected or generated in mainland China."""
    cn_ciio: bool | None = None
    """A critical information infrastructure operator in China."""
    eu_controller: bool | None = None
    """A controller or processor subject to the GDPR for this data (EEA establishment)."""


class Owner(_Strict):
    name: str
    country: CountryCode | None = None
    """Where the owner is organised or has its principal place of business (the listed one if
    either is listed)."""
    percent: float | None = Field(default=None, ge=0, le=100)
    """Direct or indirect share of equity or votes; None when not known."""


class Counterparty(_Strict):
    """Who receives the data or gets access to it."""

    name: str | None = None
    entity: str | None = None
    """A knowledge-base entity id (``databorder whois`` shows them)."""
    individual: bool = False
    organised_in: CountryCode | None = None
    principal_place_of_business: CountryCode | None = None
    primarily_resident_in: CountryCode | None = None
    """For an individual: the country of primary residence."""
    controlled_from: CountryCode | None = None
    """Where the ultimate parent sits (filled from the knowledge base for entities)."""
    owners: tuple[Owner, ...] | None = None
    """Owners with shares; ``[]`` means no owner outside itself; None means not known."""
    designated: bool = False
    """Designated as a covered person by the U.S. Attorney General (28 CFR 202.211(a)(5))."""
    foreign_authority: bool = False
    """A foreign court, judicial or law-enforcement body requesting the data."""
    certifications: tuple[str, ...] = ()
    """For example ``eu_us_dpf`` (EU-U.S. Data Privacy Framework), ``pipeda``."""


class Data(_Strict):
    """What is sent, counted in distinct persons or devices."""

    categories: tuple[str, ...] | None = None
    """Category ids (``databorder.categories`` plus the regime-only ids in the packs)."""
    counts: dict[str, int] = Field(default_factory=dict)
    """Distinct persons (or devices) per category over the counting window."""
    us_persons: int | None = Field(default=None, ge=0)
    us_devices: int | None = Field(default=None, ge=0)
    persons: int | None = Field(default=None, ge=0)
    """Distinct individuals of any country (used where a count is not per category)."""
    linked: tuple[tuple[str, ...], ...] | None = None
    """Groups of categories held in the same records (or joinable by a common key). None: all
    categories of the transfer are taken as linked (one transaction)."""
    subjects_in: tuple[CountryCode, ...] | None = None
    """Where the people are: ``US``, ``CN``, ``EU``..."""
    marketed_government_related: bool | None = None
    government_location: bool | None = None
    """Precise geolocation inside an area on the Government-Related Location Data List."""
    collected_directly: bool | None = None
    """The exporter collected the data directly from the individuals."""
    important_data: bool | None = None
    """Notified or published as important data by a Chinese authority."""
    counted_since: dt.date | None = None
    from_inventory: bool = False
    """Take categories, counts and linking from the ``--inventory`` given with the file."""


class Safeguards(_Strict):
    cisa_security_requirements: bool | None = None
    onward_transfer_clause: bool | None = None
    sccs: bool | None = None
    bcrs: bool | None = None
    cac_standard_contract_filed: bool | None = None
    cac_security_assessment_passed: bool | None = None
    pi_protection_certification: bool | None = None


class Transfer(_Strict):
    """One data transfer (or grant of access) to one counterparty."""

    name: str = Field(min_length=1)
    date: dt.date | None = None
    """When the transfer happens; rules are applied as in force that day (default: --on)."""
    exporter: Exporter = Field(default_factory=Exporter)
    counterparty: Counterparty = Field(default_factory=Counterparty)
    relationship: Relationship | None = None
    data: Data = Field(default_factory=Data)
    safeguards: Safeguards = Field(default_factory=Safeguards)
    exemptions: tuple[str, ...] = ()
    """Exemptions the exporter claims (ids listed on each regime's page)."""


class TransferFile(_Strict):
    schema_: Literal["databorder.transfers/1"] = Field(alias="schema")
    exporter: Exporter | None = None
    """Defaults for every transfer's exporter (and for destinations from ``--flows``)."""
    transfers: tuple[Transfer, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: Literal["inventory", "destination", "transfer"]
    ref: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "ref": self.ref, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class SourcedTransfer:
    transfer: Transfer
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything ``assess`` judges: transfers, each with where its facts came from."""

    transfers: tuple[SourcedTransfer, ...]
    sources: tuple[str, ...] = ()
