"""The bundled demo data parse, and their checksum-bearing values are valid like real ones."""

from __future__ import annotations

import csv
import datetime as dt
import ipaddress
import json
import re
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import phonenumbers
import pyarrow.parquet as pq
import pytest
from stdnum import iban, imei, luhn, mac
from stdnum.cn import ric
from stdnum.us import rtn, ssn

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "databorder" / "samples"
CARD_IN_LOG = re.compile(r'"pan": "([0-9 -]+)"')


def _digits(value: str) -> str:
    return re.sub(r"[ -]", "", value)


@pytest.fixture(scope="module")
def orders() -> list[dict[str, str]]:
    with (SAMPLES / "orders.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def wifi_events() -> list[dict[str, Any]]:
    lines = (SAMPLES / "wifi_analytics.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def customers() -> dict[str, list[Any]]:
    table: dict[str, list[Any]] = pq.read_table(SAMPLES / "customers.parquet").to_pydict()
    return table


def test_all_sample_files_exist_and_stay_small() -> None:
    names = {"orders.csv", "wifi_analytics.jsonl", "customers.parquet", "app.sqlite", "app.log",
             "README.md"}
    assert names <= {p.name for p in SAMPLES.iterdir()}
    assert sum(p.stat().st_size for p in SAMPLES.iterdir()) < 1_500_000


def test_orders_cards_and_ibans_are_valid(orders: list[dict[str, str]]) -> None:
    assert len(orders) == 500
    for row in orders:
        assert luhn.is_valid(_digits(row["card_number"])), "card number fails Luhn"
        assert iban.is_valid(row["billing_iban"]), "IBAN invalid"
        assert row["billing_iban"][:2] in {"DE", "FR", "ES", "GB"}
    assert any(" " in r["card_number"] for r in orders)
    assert any("-" in r["card_number"] for r in orders)


def test_orders_hard_negatives_fail_their_lookalike_check(orders: list[dict[str, str]]) -> None:
    for row in orders:
        assert len(row["order_number"]) == 16 and not luhn.is_valid(row["order_number"])
        assert re.fullmatch(r"10\.0\.\d{5}\.\d{1,4}", row["app_version"])


def test_orders_phones_parse_in_both_formats(orders: list[dict[str, str]]) -> None:
    international = 0
    for row in orders:
        number = phonenumbers.parse(row["phone"], row["shipping_country"])
        assert phonenumbers.is_valid_number(number)
        international += row["phone"].startswith("+")
    assert 0 < international < len(orders)


def test_wifi_events_hold_valid_device_network_and_geo_values(
        wifi_events: list[dict[str, Any]]) -> None:
    assert len(wifi_events) == 400
    kinds = {"id": 0, "imei": 0}
    private_ips = versions6 = 0
    for event in wifi_events:
        device = event["device"]
        if "imei" in device:
            assert imei.is_valid(device["imei"])
            kinds["imei"] += 1
        else:
            assert uuid.UUID(device["id"]).version == 4
            kinds["id"] += 1
        assert mac.is_valid(device["mac"]) and mac.is_valid(event["wifi"]["bssid"])
        assert all(mac.is_valid(net["bssid"]) for net in event["scan"])
        address = ipaddress.ip_address(event["client"]["ip"])
        private_ips += address.is_private
        versions6 += address.version == 6
        decimals = len(str(event["geo"]["lat"]).split(".")[1])
        assert 3 <= decimals <= 6
    assert min(kinds.values()) > 50 and private_ips > 10 and versions6 > 50


def test_customers_identifiers_are_valid(customers: dict[str, list[Any]]) -> None:
    assert len(customers["customer_id"]) == 300
    ssns = [v for v in customers["ssn"] if v is not None]
    rics = [(v, b) for v, b in zip(customers["cn_resident_id"], customers["date_of_birth"],
                                   strict=True) if v is not None]
    assert len(ssns) > 20 and len(rics) > 20
    assert all(re.fullmatch(r"\d{3}-\d{2}-\d{4}", v) and ssn.is_valid(v) for v in ssns)
    for value, birth in rics:
        assert ric.is_valid(value)
        assert ric.get_birth_date(value) == birth
    for lat, region_lat in zip(customers["home_lat"], customers["region_lat"], strict=True):
        assert round(lat, 1) == region_lat
    assert any(v is not None for v in customers["姓名"])


def test_sqlite_tables_and_routing_numbers() -> None:
    con = sqlite3.connect(f"file:{SAMPLES / 'app.sqlite'}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables == {"users", "payments", "sessions"}
        routing = [r[0] for r in con.execute("SELECT routing_number FROM payments")]
        ips = [r[0] for r in con.execute("SELECT ip FROM sessions")]
    finally:
        con.close()
    assert len(routing) == 300 and all(rtn.is_valid(v) for v in routing)
    assert all(ipaddress.ip_address(v) for v in ips)


def test_log_has_leaked_cards_and_hard_negatives() -> None:
    text = (SAMPLES / "app.log").read_text(encoding="utf-8")
    cards = CARD_IN_LOG.findall(text)
    assert len(cards) == 3 and all(luhn.is_valid(_digits(c)) for c in cards)
    assert re.search(r"SSID: .+ BSSID: [0-9A-F:]{17}", text)
    assert re.search(r"v\d+\.\d+\.\d+\.\d+", text) and "oid=1.3.6.1.4.1." in text
    stamps = re.findall(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})", text, flags=re.M)
    assert len(stamps) >= 300
    assert all(dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S") for s in stamps[:5])
    assert all(imei.is_valid(v) for v in re.findall(r"imei=(\d+)", text))


def test_egress_sample_names_every_public_recipient() -> None:
    from databorder.engine.flows import run_flows

    result = run_flows([str(SAMPLES / "egress")])
    assert result.problems == []
    assert result.totals["flows"] == 416
    assert result.totals["unattributed_flows"] == 0
    groups = {g["recipient"]: g for g in result.groups.to_dicts()}
    alibaba = groups["Alibaba Group Holding Limited"]
    assert (alibaba["controlled_from"], alibaba["country_of_concern"]) == ("CN", True)
    assert alibaba["destinations"] == 2, "the analytics vendor's and DashScope's addresses"
    assert groups["OpenAI"]["controlled_from"] == "US", "named by DNS behind Cloudflare"
    assert groups["(private or reserved address space)"]["flows"] == 4
    named = result.destinations.filter(result.destinations["name"].is_not_null())
    assert set(named["name"].to_list()) >= {"api.deepseek.com", "mc.yandex.ru"}
