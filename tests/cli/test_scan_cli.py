"""``databorder scan`` end to end: exit codes, terminal output and the JSON inventory.

Expected counts are derived here from the sample files themselves (csv, pyarrow, sqlite3,
python-stdnum, phonenumbers), never copied from an earlier run.
"""

from __future__ import annotations

import csv
import ipaddress
import json
import random
import re
import sqlite3
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import phonenumbers
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from stdnum import iban, imei, luhn
from stdnum.cn import ric
from stdnum.us import rtn, ssn

from databorder.cli import cli

RunScan = Callable[..., subprocess.CompletedProcess[str]]
SampleScan = tuple[subprocess.CompletedProcess[str], Path]
FieldKey = tuple[str, str]

SCHEMA = "databorder.inventory/1"
SECRET = "s3cret"


# --- helpers ---------------------------------------------------------------------------------

def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def fields_of(inventory: dict[str, Any], source: Path | str,
              table: str | None = None) -> dict[FieldKey, dict[str, Any]]:
    """``{(field, category): field object}`` of one source (and table) of an inventory."""
    return {(f["field"], f["category"]): f for f in inventory["fields"]
            if f["source"] == str(source) and f["table"] == table}


def source_of(inventory: dict[str, Any], source: Path | str,
              table: str | None = None) -> dict[str, Any]:
    found = [s for s in inventory["sources"] if s["source"] == str(source) and s["table"] == table]
    assert len(found) == 1, f"{source}#{table}: {len(found)} entries"
    result: dict[str, Any] = found[0]
    return result


def invoke(*args: str | Path) -> Result:
    """``databorder scan ARGS`` in this process through Click's runner (faster than a process)."""
    return CliRunner().invoke(cli, ["scan", "--no-progress", *map(str, args)])


def card_digits(value: str) -> str:
    return re.sub(r"[ -]", "", value)


def is_card(digits: str) -> bool:
    """Luhn-valid, and not one of Faker's "JCB" numbers outside JCB's IIN range 3528-3589.

    Faker's ``jcb16`` starts numbers with any ``35xx``; ISO/IEC 7812 assigns only 3528-3589 to
    JCB (no other issuer uses the rest of 35), so those are not card numbers a scan should count.
    """
    if digits.startswith("35") and not 3528 <= int(digits[:4]) <= 3589:
        return False
    return bool(luhn.is_valid(digits))


def luhn_card(rng: random.Random, prefix: str = "4", length: int = 16) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def e164(number: str, region: str) -> str | None:
    parsed = phonenumbers.parse(number, region)
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def assert_counts(field: dict[str, Any], values: list[Any]) -> None:
    """The field's rows and exact distinct count are those of ``values`` (already validated)."""
    assert (field["rows"], field["distinct"], field["distinct_exact"]) == (
        len(values), len(set(values)), True), field


# --- the bundled sample ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def inventory(sample_scan: SampleScan) -> dict[str, Any]:
    return load(sample_scan[1])


@pytest.fixture(scope="module")
def orders(samples_dir: Path) -> list[dict[str, str]]:
    with (samples_dir / "orders.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_sample_scan_succeeds_and_names_every_source(
    sample_scan: SampleScan, inventory: dict[str, Any], samples_dir: Path
) -> None:
    done, json_path = sample_scan
    assert done.returncode == 0
    assert "error" not in done.stderr.lower()
    assert inventory["schema"] == SCHEMA
    assert inventory["tool"]["name"] == "databorder"
    assert inventory["errors"] == [] and inventory["skipped"] == []
    assert inventory["started_at"] <= inventory["finished_at"]
    scanned = {(Path(s["source"]).name, s["table"]) for s in inventory["sources"]}
    assert {("orders.csv", None), ("customers.parquet", None), ("wifi_analytics.jsonl", None),
            ("app.log", None), ("app.sqlite", "users"), ("app.sqlite", "payments"),
            ("app.sqlite", "sessions")} <= scanned
    readers = {Path(s["source"]).name: s["reader"] for s in inventory["sources"]}
    assert readers["orders.csv"] == "csv" and readers["customers.parquet"] == "parquet"
    assert readers["wifi_analytics.jsonl"] == "json" and readers["app.log"] == "text"
    for name in ("orders.csv", "customers.parquet", "wifi_analytics.jsonl", "app.log"):
        assert str(samples_dir / name) in done.stdout
    assert f"inventory written to {json_path}" in done.stdout
    for category in inventory["categories"]:
        assert category in done.stdout


def test_orders_csv_counts_match_the_file(
    inventory: dict[str, Any], orders: list[dict[str, str]], samples_dir: Path
) -> None:
    path = samples_dir / "orders.csv"
    fields = fields_of(inventory, path)
    assert source_of(inventory, path)["rows"] == len(orders)

    cards = [d for r in orders if is_card(d := card_digits(r["card_number"]))]
    card = fields[("card_number", "payment_card")]
    assert_counts(card, cards)
    assert card["kinds"]["amex"] == sum(len(d) == 15 for d in cards)
    assert sum(card["kinds"].values()) == len(set(cards))

    ibans = [iban.compact(r["billing_iban"]) for r in orders if iban.is_valid(r["billing_iban"])]
    assert_counts(fields[("billing_iban", "bank_account")], ibans)
    assert_counts(fields[("email", "email")], [r["email"].lower() for r in orders])
    phones = [p for r in orders if (p := e164(r["phone"], r["shipping_country"]))]
    assert_counts(fields[("phone", "phone")], phones)

    names = fields[("customer_name", "person_name")]
    assert names["rows"] >= 0.95 * len(orders)
    assert names["distinct"] <= len({r["customer_name"] for r in orders})

    subjects = source_of(inventory, path)["subjects"]
    assert subjects["key"] == "customer_id"
    assert subjects["distinct"] == len({r["customer_id"] for r in orders})
    # Hard negatives: 16-digit order numbers failing Luhn, Windows build strings.
    assert not any(field == "order_number" for field, _ in fields)
    assert not any(field == "app_version" for field, _ in fields)


def test_customers_parquet_counts_match_the_file(
    inventory: dict[str, Any], samples_dir: Path
) -> None:
    path = samples_dir / "customers.parquet"
    rows = pq.read_table(path).to_pylist()
    fields = fields_of(inventory, path)
    assert_counts(fields[("ssn", "government_id")],
                  [r["ssn"] for r in rows if r["ssn"] and ssn.is_valid(r["ssn"])])
    assert_counts(fields[("cn_resident_id", "government_id")],
                  [r["cn_resident_id"] for r in rows
                   if r["cn_resident_id"] and ric.is_valid(r["cn_resident_id"])])
    assert_counts(fields[("diagnosis_icd10", "health")],
                  [r["diagnosis_icd10"] for r in rows if r["diagnosis_icd10"]])
    assert_counts(fields[("email", "email")], [r["email"].lower() for r in rows])
    assert_counts(fields[("home_lat,home_lon", "precise_geolocation")],
                  [(r["home_lat"], r["home_lon"]) for r in rows])
    assert_counts(fields[("region_lat,region_lon", "coarse_geolocation")],
                  [(r["region_lat"], r["region_lon"]) for r in rows])
    assert ("region_lat,region_lon", "precise_geolocation") not in fields
    assert not any(field == "loyalty_tier" for field, _ in fields)
    subjects = source_of(inventory, path)["subjects"]
    assert (subjects["key"], subjects["distinct"]) == (
        "customer_id", len({r["customer_id"] for r in rows}))


def test_wifi_jsonl_counts_match_the_file(inventory: dict[str, Any], samples_dir: Path) -> None:
    path = samples_dir / "wifi_analytics.jsonl"
    events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    fields = fields_of(inventory, path)
    assert source_of(inventory, path)["rows"] == len(events)
    assert_counts(fields[("device.imei", "device_id")],
                  [e["device"]["imei"] for e in events
                   if "imei" in e["device"] and imei.is_valid(e["device"]["imei"])])
    assert_counts(fields[("device.mac", "mac_address")],
                  [e["device"]["mac"].lower() for e in events])
    assert_counts(fields[("scan[].bssid", "mac_address")],
                  [s["bssid"].lower() for e in events for s in e["scan"]])
    assert_counts(fields[("wifi.ssid", "wifi_ssid")], [e["wifi"]["ssid"] for e in events])
    ips = [ipaddress.ip_address(e["client"]["ip"]) for e in events]
    ip_field = fields[("client.ip", "ip_address")]
    assert_counts(ip_field, ips)
    assert ip_field["kinds"] == dict(Counter("private" if ip.is_private else "public"
                                             for ip in set(ips)))
    assert_counts(fields[("geo.lat,geo.lon", "precise_geolocation")],
                  [(e["geo"]["lat"], e["geo"]["lon"]) for e in events])


def test_app_log_free_text_counts_match_the_file(
    inventory: dict[str, Any], samples_dir: Path
) -> None:
    path = samples_dir / "app.log"
    text = path.read_text(encoding="utf-8")
    fields = fields_of(inventory, path)
    assert source_of(inventory, path)["rows"] == len(text.splitlines())
    leaked = [card_digits(c) for c in re.findall(r'"pan": "([0-9 -]+)"', text)]
    assert len(leaked) == 3 and all(luhn.is_valid(c) for c in leaked)
    assert_counts(fields[("text", "payment_card")], leaked)
    imeis = [i for i in re.findall(r"imei=([0-9]{15})", text) if imei.is_valid(i)]
    assert_counts(fields[("text", "device_id")], imeis)
    emails = {e.lower() for e in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)}
    assert fields[("text", "email")]["distinct"] == len(emails)
    assert fields[("text", "payment_card")]["method"] == "text"


def test_category_totals_merge_values_across_sources(
    inventory: dict[str, Any], orders: list[dict[str, str]], samples_dir: Path
) -> None:
    customers = pq.read_table(samples_dir / "customers.parquet").to_pylist()
    with sqlite3.connect(f"file:{samples_dir / 'app.sqlite'}?mode=ro", uri=True) as db:
        users = [row[0] for row in db.execute("SELECT email FROM users")]
    log = (samples_dir / "app.log").read_text(encoding="utf-8")
    emails = ({r["email"] for r in orders} | {r["email"] for r in customers} | set(users)
              | set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", log)))
    email = inventory["categories"]["email"]
    assert (email["distinct"], email["distinct_exact"]) == (len({e.lower() for e in emails}), True)
    assert email["rows"] == sum(f["rows"] for f in inventory["fields"] if f["category"] == "email")
    assert email["sources"] == 4 and email["unit"] == "persons"

    cards = {d for r in orders if is_card(d := card_digits(r["card_number"]))}
    cards |= {card_digits(c) for c in re.findall(r'"pan": "([0-9 -]+)"', log)}
    assert inventory["categories"]["payment_card"]["distinct"] == len(cards)


def test_table_option_limits_sqlite_tables(run_scan: RunScan, samples_dir: Path,
                                           tmp_path: Path) -> None:
    database = samples_dir / "app.sqlite"
    out = tmp_path / "inventory.json"
    done = run_scan(database, "--table", "users", "--table", "pay*", json_path=out)
    assert done.returncode == 0, done.stderr
    inventory = load(out)
    assert {(s["source"], s["table"]) for s in inventory["sources"]} == {
        (str(database), "users"), (str(database), "payments")}
    assert "sessions" not in done.stdout

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        emails = [row[0].lower() for row in db.execute("SELECT email FROM users")]
        routing = [r for (r,) in db.execute("SELECT routing_number FROM payments")
                   if rtn.is_valid(r)]
        payers = db.execute("SELECT COUNT(DISTINCT user_id) FROM payments").fetchone()[0]
    assert_counts(fields_of(inventory, database, "users")[("email", "email")], emails)
    assert_counts(fields_of(inventory, database, "payments")[("routing_number", "bank_account")],
                  routing)
    subjects = source_of(inventory, database, "payments")["subjects"]
    assert (subjects["key"], subjects["distinct"]) == ("user_id", payers)


# --- merging, sketches, usage ----------------------------------------------------------------

def _write_card_files(folder: Path) -> set[str]:
    """A CSV and a JSON Lines file sharing card numbers written differently; all digits."""
    rng = random.Random(7)
    shared = [luhn_card(rng) for _ in range(5)]
    only_csv = [luhn_card(rng, "51") for _ in range(25)]
    only_json = [luhn_card(rng, "4") for _ in range(20)]
    folder.mkdir()
    with (folder / "a.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order", "card_number"])
        for i, number in enumerate(["4111111111111111", *shared, *only_csv]):
            writer.writerow([f"O{i}", number])
    spaced = "4111 1111 1111 1111"
    dashed = ["-".join(n[i:i + 4] for i in range(0, 16, 4)) for n in shared]
    lines = [json.dumps({"event": "pay", "card_number": n}) for n in [spaced, *dashed, *only_json]]
    (folder / "b.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"4111111111111111", *shared, *only_csv, *only_json}


def _field_rows(inventory: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {(f["source"], f["table"], f["field"], f["category"], f["rows"], f["distinct"])
            for f in inventory["fields"]}


def test_folder_scan_equals_union_of_file_scans(tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    expected = _write_card_files(folder)
    inventories = {}
    for name, targets in {"folder": [folder], "a": [folder / "a.csv"], "b": [folder / "b.jsonl"],
                          "both": [folder / "a.csv", folder / "b.jsonl"]}.items():
        out = tmp_path / f"{name}.json"
        result = invoke(*targets, "--json", out)
        assert result.exit_code == 0, result.output
        inventories[name] = load(out)
    folder_scan = inventories["folder"]
    assert _field_rows(folder_scan) == _field_rows(inventories["a"]) | _field_rows(
        inventories["b"])
    assert folder_scan["categories"] == inventories["both"]["categories"]
    card = folder_scan["categories"]["payment_card"]
    # 31 + 26 card cells; the 4111... number and 5 others are written twice in two formats
    assert card["rows"] == 57
    assert (card["distinct"], card["distinct_exact"]) == (len(expected), True)
    per_file = [inventories[n]["categories"]["payment_card"]["distinct"] for n in ("a", "b")]
    assert per_file == [31, 26] and sum(per_file) - 6 == len(expected)


def test_exact_limit_switches_to_an_estimate_within_its_bound(tmp_path: Path) -> None:
    path = tmp_path / "signups.csv"
    # more distinct values than the sketch's 32,768 retained hashes: an estimate
    rows = [f"{i},{uuid.UUID(int=i).hex[:12]}.{i}@example.org" for i in range(40_000)]
    path.write_text("signup,email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    estimated, exact = tmp_path / "estimated.json", tmp_path / "exact.json"
    assert invoke(path, "--exact-limit", "10", "--json", estimated).exit_code == 0
    assert invoke(path, "--json", exact).exit_code == 0

    field = fields_of(load(estimated), path)[("email", "email")]
    assert field["rows"] == 40_000 and field["distinct_exact"] is False
    assert 0 < field["distinct_error_95"] < 0.05
    assert abs(field["distinct"] - 40_000) <= field["distinct_error_95"] * field["distinct"]
    category = load(estimated)["categories"]["email"]
    assert category["distinct_exact"] is False
    assert abs(category["distinct"] - 40_000) <= (category["distinct_error_95"]
                                                   * category["distinct"])
    assert load(estimated)["exact_limit"] == 10

    plain = fields_of(load(exact), path)[("email", "email")]
    assert (plain["distinct"], plain["distinct_exact"], plain["distinct_error_95"]) == (
        40_000, True, 0)


@pytest.mark.parametrize("args", [
    [], ["--bogus"], ["--exact-limit", "0"], ["--sample-rows", "5"], ["--exact-limit", "many"],
], ids=["no-target", "unknown-option", "exact-limit-0", "sample-rows-5", "exact-limit-text"])
def test_usage_errors_exit_2(args: list[str], samples_dir: Path) -> None:
    targets = [] if not args else [str(samples_dir / "orders.csv")]
    result = invoke(*targets, *args)
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.stderr and "Error:" in result.stderr
    assert result.stdout == ""


def test_usage_error_exits_2_from_the_console_script(run_scan: RunScan) -> None:
    done = run_scan()
    assert done.returncode == 2
    assert "Missing argument" in done.stderr and "Traceback" not in done.stderr


# --- databases -------------------------------------------------------------------------------

@pytest.fixture
def postgres_table(postgres_url: str) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    """A uniquely named table with e-mails, phones and card numbers; dropped afterwards."""
    name = f"databorder_cli_{uuid.uuid4().hex[:10]}"
    rng = random.Random(11)
    rows = [(f"person{i}@example.com", f"+49 30 {rng.randrange(10**6, 10**7)}", luhn_card(rng))
            for i in range(40)]
    engine = sa.create_engine(postgres_url)
    table = sa.Table(name, sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("email", sa.Text), sa.Column("phone", sa.Text),
                     sa.Column("card_number", sa.Text), sa.Column("note", sa.Text))
    with engine.begin() as connection:
        table.create(connection)
        connection.execute(table.insert(), [
            {"id": i, "email": e, "phone": p, "card_number": c, "note": "ok"}
            for i, (e, p, c) in enumerate(rows)])
    try:
        yield name, rows
    finally:
        with engine.begin() as connection:
            table.drop(connection)
        engine.dispose()


@pytest.mark.postgres
def test_postgres_url_is_scanned_and_shown_without_password(
    postgres_url: str, postgres_table: tuple[str, list[tuple[str, str, str]]],
    run_scan: RunScan, tmp_path: Path,
) -> None:
    name, rows = postgres_table
    url = sa.engine.make_url(postgres_url)
    secret = url.password or SECRET  # the local server trusts 127.0.0.1 and ignores it
    with_password = url.set(password=secret).render_as_string(hide_password=False)
    shown = sa.engine.URL.create(url.drivername, url.username, None, url.host, url.port,
                                 url.database, url.query).render_as_string(hide_password=False)
    out = tmp_path / "inventory.json"
    done = run_scan(with_password, "--table", name, json_path=out)
    assert done.returncode == 0, done.stderr
    inventory = load(out)
    assert [(s["source"], s["table"], s["reader"], s["rows"]) for s in inventory["sources"]] == [
        (shown, name, "sql", len(rows))]
    fields = fields_of(inventory, shown, name)
    assert_counts(fields[("email", "email")], [e for e, _, _ in rows])
    assert_counts(fields[("card_number", "payment_card")], [c for _, _, c in rows])
    assert fields[("phone", "phone")]["rows"] == len(rows)
    assert not any(field in ("id", "note") for field, _ in fields)
    assert shown in done.stdout
    for text in (done.stdout, done.stderr, out.read_text(encoding="utf-8")):
        assert secret not in text


@pytest.mark.parametrize("url", [
    f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:5432/test",
    f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:1/test",
    f"postgresql+psycopg://nobody_{SECRET}x:{SECRET}@127.0.0.1:5432/test",
], ids=["server-or-not", "refused", "bad-role"])
def test_url_password_never_shown(url: str, run_scan: RunScan, tmp_path: Path) -> None:
    # A table name that exists nowhere: whether or not the server answers, the run ends in an
    # error message that names the database.
    out = tmp_path / "inventory.json"
    done = run_scan(url, "--table", f"no_such_table_{uuid.uuid4().hex[:8]}", json_path=out)
    assert done.returncode == 1
    errors = load(out)["errors"]
    assert len(errors) == 1 and "postgresql+psycopg://" in errors[0]["source"]
    assert done.stderr.startswith("error: postgresql+psycopg://")
    for text in (done.stdout, done.stderr, out.read_text(encoding="utf-8")):
        assert f":{SECRET}@" not in text
        assert text.count(SECRET) == text.count(f"nobody_{SECRET}x")


def test_password_in_url_query_never_shown(run_scan: RunScan, tmp_path: Path) -> None:
    out = tmp_path / "inventory.json"
    url = f"postgresql+psycopg://postgres@127.0.0.1:1/test?password={SECRET}"
    done = run_scan(url, json_path=out)
    assert done.returncode == 1
    for text in (done.stdout, done.stderr, out.read_text(encoding="utf-8")):
        assert SECRET not in text


def test_an_internal_error_names_its_place_but_not_its_message(tmp_path: Path) -> None:
    """A bug's message may quote scanned data: only its type and place are printed."""
    script = tmp_path / "crash.py"
    script.write_text(
        "import sys\n"
        "from databorder import cli\n"
        "from databorder.engine import local\n"
        "def boom(*args, **kwargs):\n"
        "    raise ValueError('secret-value-4111111111111111')\n"
        "local.scan_table = boom\n"
        "sys.argv = ['databorder', 'scan', sys.argv[1]]\n"
        "cli.main()\n", encoding="utf-8")
    data = tmp_path / "x.csv"
    data.write_text("email\na@example.com\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(data)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 3
    assert "internal error (ValueError at crash.py:5)" in done.stderr
    assert "4111111111111111" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
