"""No raw sensitive value of the bundled sample ever reaches stdout, stderr or the JSON inventory.

The raw values are read here from the sample files themselves (csv, json, pyarrow, sqlite3, and
regexes over the log), then searched in the output as written and in a compact form with
separators removed, so ``4111 1111 1111 1111`` is caught as ``4111111111111111`` too.
"""

from __future__ import annotations

import csv
import ipaddress
import json
import re
import sqlite3
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers
import pyarrow.parquet as pq
import pytest

SampleScan = tuple[subprocess.CompletedProcess[str], Path]

_SEPARATORS = re.compile(r"[\s\-.:()/+]")
_TOKENS = re.compile(r"[\w.+-]+")
LOG_PHONE = re.compile(r"sms sent to (.+?) template=|callback requested at (.+?) by ")
LOG_NAME = re.compile(r"callback requested at .+? by (.+)$", re.MULTILINE)
LOG_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
LOG_IPV6 = re.compile(r"(?<![\w:])[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])")


def compact(text: str) -> str:
    return _SEPARATORS.sub("", text).lower()


@dataclass
class RawValues:
    """Raw values by kind: ``exact`` are searched as written, ``digits`` in compact form."""

    exact: dict[str, set[str]] = field(default_factory=dict)
    compacted: dict[str, set[str]] = field(default_factory=dict)
    email_locals: set[str] = field(default_factory=set)

    def add(self, kind: str, values: Iterable[Any], *, compacted: bool = False) -> None:
        for value in values:
            if value is None or str(value).strip() == "":
                continue
            text = str(value).strip()
            self.exact.setdefault(kind, set()).add(text)
            if compacted:
                self.compacted.setdefault(kind, set()).add(compact(text))

    def add_emails(self, emails: Iterable[str]) -> None:
        emails = [e.strip() for e in emails if e]
        self.add("email", emails)
        self.email_locals.update(e.split("@", 1)[0].lower() for e in emails)

    def add_phones(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Phones with their region: E.164 digits and national number, compacted."""
        for number, region in pairs:
            self.add("phone", [number], compacted=True)
            parsed = phonenumbers.parse(number, region)
            e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            self.compacted["phone"] |= {compact(e164), str(parsed.national_number)}

    def add_coordinates(self, values: Iterable[float]) -> None:
        """Precise coordinates cut to four decimals (~11 m): ``51.234567`` -> ``51.2345``.

        Cut, not rounded, so the full value and any longer rounding of it contain the needle.
        Not three decimals: ``0.994`` would also match a confidence, ``2.200`` an IP.
        """
        for value in values:
            whole, _, decimals = repr(float(value)).partition(".")
            if len(decimals) >= 4:
                self.add("coordinate", [f"{whole}.{decimals[:4]}"])

    def add_ips(self, values: Iterable[str]) -> None:
        for value in values:
            address = ipaddress.ip_address(value)
            forms = {value, str(address)}
            if address.version == 6:
                forms.add(address.exploded)
            self.add("ip", forms)


def _orders(samples: Path, raw: RawValues) -> None:
    with (samples / "orders.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    raw.add("card", [r["card_number"] for r in rows], compacted=True)
    raw.add("iban", [r["billing_iban"] for r in rows], compacted=True)
    raw.add_emails(r["email"] for r in rows)
    raw.add_phones((r["phone"], r["shipping_country"]) for r in rows)
    raw.add("name", [r["customer_name"] for r in rows])
    raw.add("street", [r["shipping_street"] for r in rows])


def _customers(samples: Path, raw: RawValues) -> None:
    rows = pq.read_table(samples / "customers.parquet").to_pylist()
    raw.add("name", [r["full_name"] for r in rows] + [r["姓名"] for r in rows])
    raw.add_emails(r["email"] for r in rows)
    # customers.parquet phones are written in international or national format of the locale;
    # a national number parses against any region to the same national digits
    raw.add("phone", [r["phone"] for r in rows], compacted=True)
    raw.add("ssn", [r["ssn"] for r in rows], compacted=True)
    raw.add("cn_resident_id", [r["cn_resident_id"] for r in rows], compacted=True)
    raw.add("passport", [r["passport_no"] for r in rows], compacted=True)
    raw.add("birth_date", [r["date_of_birth"] for r in rows])
    raw.add_coordinates([r["home_lat"] for r in rows] + [r["home_lon"] for r in rows])


def _wifi(samples: Path, raw: RawValues) -> None:
    events = [json.loads(line)
              for line in (samples / "wifi_analytics.jsonl").read_text("utf-8").splitlines()]
    devices = [e["device"] for e in events]
    raw.add("device_id", [d.get("id") for d in devices], compacted=True)
    raw.add("imei", [d.get("imei") for d in devices], compacted=True)
    macs = [d["mac"] for d in devices] + [e["wifi"]["bssid"] for e in events]
    macs += [s["bssid"] for e in events for s in e["scan"]]
    raw.add("mac", macs, compacted=True)
    raw.add("ssid", [e["wifi"]["ssid"] for e in events if len(e["wifi"]["ssid"]) >= 6])
    raw.add_ips(e["client"]["ip"] for e in events)
    raw.add_coordinates([e["geo"]["lat"] for e in events] + [e["geo"]["lon"] for e in events])


def _sqlite(samples: Path, raw: RawValues) -> None:
    with sqlite3.connect(f"file:{samples / 'app.sqlite'}?mode=ro", uri=True) as db:
        users = db.execute("SELECT name, email, phone, last_login_ip FROM users").fetchall()
        payments = db.execute("SELECT routing_number, account_number FROM payments").fetchall()
        sessions = db.execute("SELECT ip, lat, lon FROM sessions").fetchall()
    raw.add("name", [u[0] for u in users])
    raw.add_emails(u[1] for u in users)
    raw.add("phone", [u[2] for u in users], compacted=True)
    raw.add_ips([u[3] for u in users] + [s[0] for s in sessions])
    raw.add("routing_number", [p[0] for p in payments], compacted=True)
    raw.add("account_number", [p[1] for p in payments], compacted=True)
    raw.add_coordinates([s[1] for s in sessions] + [s[2] for s in sessions])


def _log(samples: Path, raw: RawValues) -> None:
    text = (samples / "app.log").read_text(encoding="utf-8")
    raw.add("card", re.findall(r'"pan": "([0-9 -]+)"', text), compacted=True)
    raw.add("imei", re.findall(r"imei=([0-9]{15})", text), compacted=True)
    raw.add("mac", re.findall(r"(?:mac=|BSSID: )([0-9A-Fa-f:]{17})", text), compacted=True)
    raw.add_emails(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text))
    raw.add("phone", [a or b for a, b in LOG_PHONE.findall(text)], compacted=True)
    raw.add("name", LOG_NAME.findall(text))
    raw.add_ips(LOG_IPV4.findall(text))
    raw.add_ips(v for v in LOG_IPV6.findall(text) if _is_ipv6(v))
    coordinates = re.findall(r"lat=(-?[0-9.]+) lon=(-?[0-9.]+)", text)
    raw.add_coordinates(float(v) for pair in coordinates for v in pair)


def _is_ipv6(value: str) -> bool:
    try:
        return ipaddress.ip_address(value).version == 6
    except ValueError:
        return False


@pytest.fixture(scope="module")
def raw_values(samples_dir: Path) -> RawValues:
    raw = RawValues()
    for collect in (_orders, _customers, _wifi, _sqlite, _log):
        collect(samples_dir, raw)
    return raw


@pytest.fixture(scope="module")
def outputs(sample_scan: SampleScan) -> dict[str, str]:
    """stdout, stderr and the JSON, the JSON without its run timestamps (random digits)."""
    done, json_path = sample_scan
    inventory = json.loads(json_path.read_text(encoding="utf-8"))
    for stamp in ("started_at", "finished_at"):
        inventory.pop(stamp)
    return {"stdout": done.stdout, "stderr": done.stderr,
            "json": json.dumps(inventory, ensure_ascii=False, indent=2),
            "json as written": re.sub(r'"(started|finished)_at": "[^"]*"', "",
                                      json_path.read_text(encoding="utf-8"))}


def leaks(raw: RawValues, text: str) -> list[str]:
    """Which raw values ``text`` shows, as ``kind: value`` (the value itself, for the report)."""
    lowered = text.lower()
    found = [f"{kind}: {value}" for kind, values in raw.exact.items() for value in values
             if value.lower() in lowered]
    squeezed = compact(text)
    found += [f"{kind} (compact): {value}" for kind, values in raw.compacted.items()
              for value in values if len(value) >= 7 and value in squeezed]
    tokens = set(_TOKENS.findall(lowered))
    found += [f"email local part: {local}" for local in raw.email_locals
              if f"{local}@" in lowered or local in tokens]
    return found


def test_raw_values_were_collected(raw_values: RawValues) -> None:
    sizes = {kind: len(values) for kind, values in raw_values.exact.items()}
    minimum = {"card": 503, "iban": 500, "email": 1000, "phone": 1000, "name": 900,
               "ssn": 60, "cn_resident_id": 50, "imei": 150, "ip": 900, "mac": 1800,
               "coordinate": 1500, "routing_number": 300, "account_number": 300}
    assert {kind: sizes.get(kind, 0) >= n for kind, n in minimum.items()} == dict.fromkeys(
        minimum, True), sizes


def test_leak_check_finds_planted_values(raw_values: RawValues) -> None:
    card = next(iter(raw_values.compacted["card"]))
    spaced = " ".join(card[i:i + 4] for i in range(0, len(card), 4))
    email = next(iter(raw_values.exact["email"]))
    local = email.split("@")[0]
    assert leaks(raw_values, f"pan {spaced.replace(' ', '-', 1)} end")
    assert leaks(raw_values, f'"x": "{local}@elsewhere.example"')
    assert leaks(raw_values, f"│ {local} │")
    assert not leaks(raw_values, "4111 **** **** 1111, a***@example.com, 47.88.x.x")


@pytest.mark.parametrize("output", ["stdout", "stderr", "json", "json as written"])
def test_no_raw_value_in_output(output: str, outputs: dict[str, str],
                                raw_values: RawValues) -> None:
    found = leaks(raw_values, outputs[output])
    assert found == [], f"{len(found)} raw values in {output}, e.g. {found[:5]}"


def test_masked_samples_are_shown(sample_scan: SampleScan) -> None:
    done, json_path = sample_scan
    inventory = json.loads(json_path.read_text(encoding="utf-8"))
    samples = [s for f in inventory["fields"] for s in f["masked_samples"]]
    assert len(samples) > 50
    assert all("*" in s or ".x.x" in s or ":x" in s or s.count(",") == 1 for s in samples), samples
    shown = [f for f in inventory["fields"] if f["masked_samples"]
             and f["masked_samples"][0] not in done.stdout]
    assert shown == []
