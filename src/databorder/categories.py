"""The catalogue of sensitive-data categories databorder detects.

Each category carries the regime categories it falls under. The mappings cite the
definitions they come from (see ``../shared/research/rules.md``): 28 CFR 202.212 (covered
personal identifiers), 202.242 (precise geolocation), 202.204 (biometric identifiers),
202.224 ('omic data), 202.241 (personal health data), 202.240 (personal financial data);
PIPL Art. 28 (sensitive personal information).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SubjectUnit(StrEnum):
    """What a distinct count of the category counts: persons or devices."""

    PERSONS = "persons"
    DEVICES = "devices"


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    title: str
    unit: SubjectUnit
    doj: str | None
    """DOJ Data Security Program category (28 CFR 202.249), or None if not sensitive there alone."""
    pipl_sensitive: bool
    """Sensitive personal information under PIPL Art. 28."""


_CATALOGUE = (
    Category("ip_address", "IP address", SubjectUnit.DEVICES, "covered_personal_identifier", False),
    Category("mac_address", "MAC address / BSSID", SubjectUnit.DEVICES,
             "covered_personal_identifier", False),
    Category("wifi_ssid", "WiFi network name (SSID)", SubjectUnit.DEVICES, None, False),
    Category("device_id", "Device identifier (IMEI, advertising ID, Android ID)",
             SubjectUnit.DEVICES, "covered_personal_identifier", False),
    Category("payment_card", "Payment card number", SubjectUnit.PERSONS,
             "personal_financial_data", True),
    Category("bank_account", "Bank account (IBAN, ABA routing and account number)",
             SubjectUnit.PERSONS, "personal_financial_data", True),
    Category("financial_transaction", "Payment or transaction records", SubjectUnit.PERSONS,
             "personal_financial_data", True),
    Category("precise_geolocation", "Precise geolocation (within 1,000 m)", SubjectUnit.DEVICES,
             "precise_geolocation", True),
    Category("coarse_geolocation", "Coarse geolocation (worse than 1,000 m)", SubjectUnit.DEVICES,
             None, False),
    Category("phone", "Telephone number", SubjectUnit.PERSONS, "covered_personal_identifier",
             False),
    Category("email", "Email address", SubjectUnit.PERSONS, "covered_personal_identifier", False),
    Category("government_id", "Government identification number", SubjectUnit.PERSONS,
             "covered_personal_identifier", True),
    Category("person_name", "Person name", SubjectUnit.PERSONS, None, False),
    Category("health", "Health data (diagnosis codes)", SubjectUnit.PERSONS,
             "personal_health_data", True),
    Category("genomic", "Human genomic data", SubjectUnit.PERSONS, "human_omic_data", True),
    Category("biometric", "Biometric identifiers and templates", SubjectUnit.PERSONS,
             "biometric_identifier", True),
)

CATEGORIES: dict[str, Category] = {c.id: c for c in _CATALOGUE}


def category(category_id: str) -> Category:
    """Return the catalogue entry for ``category_id``; raise KeyError for an unknown id."""
    return CATEGORIES[category_id]
