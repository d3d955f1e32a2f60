"""Facts the rules test, derived from one transfer under one regime's data.

Each fact is a small function of (transfer, pack, date) with the question a user answers when
it is not known. What is derived here is generic: which countries are listed, which thresholds
apply, which categories combine all come from the pack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from databorder.assess.conditions import AtLeastItems, Bound, FactValue
from databorder.assess.model import Transfer
from databorder.assess.pack import RulePack
from databorder.categories import CATEGORIES, SubjectUnit


@dataclass(frozen=True, slots=True)
class Context:
    transfer: Transfer
    pack: RulePack
    on: date


Deriver = Callable[[Context], FactValue]
_DERIVERS: dict[str, Deriver] = {}
FACT_QUESTIONS: dict[str, str] = {}


def fact(name: str, question: str) -> Callable[[Deriver], Deriver]:
    def register(function: Deriver) -> Deriver:
        _DERIVERS[name] = function
        FACT_QUESTIONS[name] = question
        return function
    return register


def value_of(name: str, context: Context) -> FactValue:
    if name.startswith("data.count."):
        return regime_count(context, name.removeprefix("data.count."))
    return _DERIVERS[name](context)


def question(name: str) -> str:
    if name.startswith("data.count."):
        category = name.removeprefix("data.count.")
        return (f"How many distinct persons (or devices) of {category.replace('_', ' ')} does "
                "the transfer involve over the regime's counting window (data.counts, "
                "data.counted_since)?")
    return FACT_QUESTIONS[name]


# ---------------------------------------------------------------- exporter

@fact("exporter.us_person", "Is the exporter a U.S. person (organised under U.S. law, incl. a "
      "U.S. subsidiary of a foreign parent, or a person in the United States)? "
      "(exporter.us_person)")
def _exporter_us_person(c: Context) -> FactValue:
    return c.transfer.exporter.us_person


@fact("exporter.cn_handler", "Is the data personal information collected or generated in "
      "mainland China by the exporter? (exporter.cn_handler)")
def _exporter_cn_handler(c: Context) -> FactValue:
    return c.transfer.exporter.cn_handler


@fact("exporter.cn_ciio", "Is the exporter a critical information infrastructure operator in "
      "China? (exporter.cn_ciio)")
def _exporter_cn_ciio(c: Context) -> FactValue:
    return c.transfer.exporter.cn_ciio


@fact("exporter.eu_controller", "Is the exporter a controller or processor subject to the GDPR "
      "for this data? (exporter.eu_controller)")
def _exporter_eu_controller(c: Context) -> FactValue:
    return c.transfer.exporter.eu_controller


# ---------------------------------------------------------------- counterparty

def _listed(c: Context) -> frozenset[str]:
    countries = c.pack.regime.countries
    return frozenset(countries.codes) if countries else frozenset()


def location(transfer: Transfer) -> str | None:
    party = transfer.counterparty
    if party.individual:
        return party.primarily_resident_in
    return party.principal_place_of_business or party.organised_in


@fact("counterparty.in_listed_country", "Where is the counterparty organised, and where is its "
      "principal place of business (or, for an individual, primary residence)? "
      "(counterparty.organised_in, counterparty.principal_place_of_business)")
def _in_listed_country(c: Context) -> FactValue:
    party = c.transfer.counterparty
    places = ([party.primarily_resident_in] if party.individual
              else [party.organised_in, party.principal_place_of_business])
    if any(p in _listed(c) for p in places if p):
        return True
    return None if any(p is None for p in places) else False


@fact("counterparty.us_person", "Is the counterparty organised under U.S. law (or an individual "
      "in the United States)? (counterparty.organised_in)")
def _counterparty_us_person(c: Context) -> FactValue:
    party = c.transfer.counterparty
    place = party.primarily_resident_in if party.individual else party.organised_in
    return None if place is None else place == "US"


@fact("counterparty.foreign", "Is the counterparty organised outside the United States (or an "
      "individual outside it)? (counterparty.organised_in)")
def _counterparty_foreign(c: Context) -> FactValue:
    us_person = _counterparty_us_person(c)
    return None if us_person is None else not us_person


@fact("counterparty.listed_ownership_pct", "Who owns the counterparty, directly or indirectly, "
      "and with what shares? (counterparty.owners: name, country, percent)")
def _listed_ownership(c: Context) -> FactValue:
    owners = c.transfer.counterparty.owners
    if owners is None:
        return None
    listed = [o for o in owners if o.country in _listed(c)]
    if any(o.percent is None for o in listed):
        return None
    return sum(o.percent or 0.0 for o in listed)


@fact("counterparty.owner_in_listed_country", "Is any owner of the counterparty organised in, "
      "or run from, one of the regime's countries? (counterparty.owners)")
def _owner_listed(c: Context) -> FactValue:
    owners = c.transfer.counterparty.owners
    if owners is None:
        return None
    if any(o.country in _listed(c) for o in owners):
        return True
    return None if any(o.country is None for o in owners) else False


@fact("counterparty.controlled_from_listed", "From which country is the counterparty's "
      "ultimate parent run, or who holds a majority of it? (counterparty.controlled_from, "
      "counterparty.owners)")
def _controlled_from_listed(c: Context) -> FactValue:
    """The stated controller's country; else, with owners known, a listed majority (none:
    the counterparty controls itself)."""
    party = c.transfer.counterparty
    if party.controlled_from is not None:
        return party.controlled_from in _listed(c)
    if party.owners is None:
        return None
    if not party.owners:
        place = location(c.transfer)
        return None if place is None else place in _listed(c)
    share = _listed_ownership(c)
    return None if share is None else bool(share > 50)  # type: ignore[operator]


@fact("counterparty.designated", "Has the U.S. Attorney General designated the counterparty a "
      "covered person? (counterparty.designated)")
def _designated(c: Context) -> FactValue:
    return c.transfer.counterparty.designated


@fact("counterparty.foreign_authority", "Is the recipient a foreign court, judicial or "
      "law-enforcement body? (counterparty.foreign_authority)")
def _foreign_authority(c: Context) -> FactValue:
    return c.transfer.counterparty.foreign_authority


@fact("counterparty.outside_home", "In which country is the recipient located? "
      "(counterparty.principal_place_of_business)")
def _outside_home(c: Context) -> FactValue:
    home = c.pack.regime.home
    place = location(c.transfer)
    if home is None or place is None:
        return None
    return place not in home.codes


@fact("counterparty.adequate", "In which country is the recipient located, and is it certified "
      "under a scheme an adequacy decision requires (e.g. eu_us_dpf)? "
      "(counterparty.principal_place_of_business, counterparty.certifications)")
def _adequate(c: Context) -> FactValue:
    adequacy = c.pack.regime.adequacy
    place = location(c.transfer)
    if adequacy is None or place is None:
        return None
    for destination in adequacy.destinations:
        in_force = destination.effective_from <= c.on and (
            destination.until is None or c.on < destination.until)
        required = destination.requires_certification
        certified = required is None or required in c.transfer.counterparty.certifications
        if destination.code == place and in_force and certified:
            return True
    return False


# ---------------------------------------------------------------- relationship, claims

@fact("relationship", "What is the relationship with the counterparty: vendor, employment, "
      "investment or data_brokerage? (relationship)")
def _relationship(c: Context) -> FactValue:
    return c.transfer.relationship


@fact("exemptions", "Which exemptions does the exporter claim? (exemptions)")
def _exemptions(c: Context) -> FactValue:
    return c.transfer.exemptions


def _safeguard(name: str, text: str) -> None:
    fact(f"safeguards.{name}", f"{text} (safeguards.{name})")(
        lambda c: getattr(c.transfer.safeguards, name))


_safeguard("cisa_security_requirements", "Are the CISA security requirements for restricted "
           "transactions (28 CFR 202.248) in place before any access?")
_safeguard("onward_transfer_clause", "Does the contract forbid the recipient to resell the same "
           "data to a country of concern or covered person?")
_safeguard("sccs", "Are the EU standard contractual clauses (Decision (EU) 2021/914) signed?")
_safeguard("bcrs", "Do approved binding corporate rules cover the transfer?")
_safeguard("cac_standard_contract_filed", "Is the CAC standard contract signed and filed with "
           "the provincial CAC?")
_safeguard("cac_security_assessment_passed", "Has the CAC security assessment been passed for "
           "this transfer?")
_safeguard("pi_protection_certification", "Is there a personal information protection "
           "certification covering the transfer?")


# ---------------------------------------------------------------- data

@fact("data.has_personal_data", "Which data categories does the transfer carry? "
      "(data.categories)")
def _has_personal_data(c: Context) -> FactValue:
    categories = c.transfer.data.categories
    return None if categories is None else bool(categories)


@fact("data.categories", "Which data categories does the transfer carry? (data.categories)")
def _regime_categories(c: Context) -> FactValue:
    groups = _groups(c)
    if groups is None:
        return None
    found: set[str] = set()
    for group in groups:
        found |= _group_categories(c, group)
    return tuple(sorted(found))


@fact("data.bulk_categories", "How many distinct U.S. persons (or devices) per category does the "
      "transfer involve over the preceding 12 months with this counterparty, and which "
      "categories are linked in the same records? (data.counts, data.linked)")
def _bulk_categories(c: Context) -> FactValue:
    thresholds = c.pack.regime.thresholds
    groups = _groups(c)
    if thresholds is None or groups is None:
        return None
    bulk: set[str] = set()
    possible: set[str] = set()
    for group in groups:
        categories = _group_categories(c, group)
        limits = [thresholds.more_than[k] for k in categories if k in thresholds.more_than]
        if thresholds.combined_lowest and len(limits) > 1:
            limit = min(limits)
            decided = _exceeds(_window(c, _max_count(c, group)), limit)
            if decided is None:
                possible |= categories
            if decided:
                bulk |= categories
            continue
        for category in categories:
            if category not in thresholds.more_than:
                continue
            sources = [s for s in group if category in _mapped(c, s)] or list(group)
            decided = _exceeds(_window(c, _max_count(c, sources)),
                               thresholds.more_than[category])
            if decided is None:
                possible.add(category)
            if decided:
                bulk.add(category)
    if possible - bulk:
        return AtLeastItems(frozenset(bulk), frozenset(possible - bulk))
    return tuple(sorted(bulk))


@fact("data.government_related", "Is any precise location inside an area on the "
      "Government-Related Location Data List, or is the data marketed as about U.S. Government "
      "personnel? (data.government_location, data.marketed_government_related)")
def _government_related(c: Context) -> FactValue:
    values = (c.transfer.data.marketed_government_related, c.transfer.data.government_location)
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


@fact("data.us_subjects", "Are the people the data is about in the United States? "
      "(data.subjects_in)")
def _us_subjects(c: Context) -> FactValue:
    data = c.transfer.data
    if data.subjects_in is not None:
        return "US" in data.subjects_in
    if data.us_persons or data.us_devices:
        return True
    return None


@fact("data.collected_directly", "Did the exporter collect this data directly from the "
      "individuals? (data.collected_directly)")
def _collected_directly(c: Context) -> FactValue:
    return c.transfer.data.collected_directly


@fact("data.important_data", "Has any of the data been notified or published as important data "
      "by a Chinese authority? (data.important_data)")
def _important_data(c: Context) -> FactValue:
    return c.transfer.data.important_data


def regime_count(c: Context, category: str) -> FactValue:
    """Distinct subjects of one regime category: the largest count among its source categories
    (a lower bound of their union), adjusted to the pack's counting window."""
    groups = _groups(c)
    if groups is None:
        return None
    sources = sorted({s for g in groups for s in g if category in _group_categories(c, g)
                      and (category in _mapped(c, s) or _is_listed(c, s))})
    if not sources:
        return 0
    return _window(c, _max_count(c, sources))


def _groups(c: Context) -> list[tuple[str, ...]] | None:
    data = c.transfer.data
    if data.categories is None:
        return None
    if data.linked is None:
        return [tuple(data.categories)] if data.categories else []
    grouped = {s for g in data.linked for s in g}
    return [*data.linked, *((s,) for s in data.categories if s not in grouped)]


def _mapped(c: Context, source: str) -> tuple[str, ...]:
    return c.pack.regime.category_map.map.get(source, ())


def _is_listed(c: Context, source: str) -> bool:
    linking = c.pack.regime.linking
    return linking is not None and source in linking.listed_identifiers


def _group_categories(c: Context, group: Iterable[str]) -> set[str]:
    """The regime categories a group of linked source categories makes up. Listed identifiers
    count (as ``linking.yields``) only linked to another listed identifier or to other
    sensitive data, and not when linked only within the demographic or network sets."""
    group = tuple(group)
    sensitive = {k for s in group for k in _mapped(c, s)}
    linking = c.pack.regime.linking
    if linking is None:
        return sensitive
    listed = {s for s in group if s in linking.listed_identifiers}
    other_data = {k for s in group if s not in linking.listed_identifiers for k in _mapped(c, s)}
    covered = bool(listed) and (
        bool(other_data) or len(listed) >= 2 and not (
            listed <= set(linking.demographic_or_contact)
            or listed <= set(linking.network_service)))
    return sensitive | ({linking.yields} if covered else set())


def _count(c: Context, source: str) -> int | None:
    data = c.transfer.data
    if source in data.counts:
        return data.counts[source]
    devices = source in CATEGORIES and CATEGORIES[source].unit is SubjectUnit.DEVICES
    if c.pack.regime.counts_us_subjects:
        return data.us_devices if devices else data.us_persons
    return data.persons if data.persons is not None else (
        data.us_devices if devices else data.us_persons)


def _max_count(c: Context, sources: Iterable[str]) -> int | Bound | None:
    counts = [_count(c, s) for s in sources]
    known = [n for n in counts if n is not None]
    if not known:
        return None
    if len(known) < len(counts):
        return Bound(max(known), "at_least")
    return max(known)


def window_start(c: Context) -> date | None:
    thresholds = c.pack.regime.thresholds
    if thresholds is None:
        return None
    if thresholds.window == "calendar_year":
        return date(c.on.year, 1, 1)
    try:
        return c.on.replace(year=c.on.year - 1)
    except ValueError:  # 29 February
        return c.on.replace(year=c.on.year - 1, day=28)


def _window(c: Context, count: int | Bound | None) -> int | Bound | None:
    since, start = c.transfer.data.counted_since, window_start(c)
    if count is None or since is None or start is None or since == start:
        return count
    side: Literal["at_least", "at_most"] = "at_most" if since < start else "at_least"
    if isinstance(count, Bound):
        return count if count.side == side else None
    return Bound(count, side)


def _exceeds(count: int | Bound | None, limit: int) -> bool | None:
    if count is None:
        return None
    if isinstance(count, Bound):
        if count.side == "at_least":
            return True if count.value > limit else None
        return False if count.value <= limit else None
    return count > limit
