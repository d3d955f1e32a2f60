"""Generate the bundled demo data under ``src/databorder/samples/``.

Every value is invented with Faker (fixed seeds, several locales); checksum-bearing values
(payment cards, IBANs, IMEIs, SSNs, Chinese resident ids, ABA routing numbers) are built or
checked with python-stdnum so that they are valid in shape and check digit, like real data.
The output is deterministic: running the script twice gives the same files.

    .venv/bin/python scripts/make_samples.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import phonenumbers
import pyarrow as pa
import pyarrow.parquet as pq
from faker import Faker
from stdnum import iban as std_iban
from stdnum import imei as std_imei
from stdnum import luhn
from stdnum.cn import ric
from stdnum.us import rtn, ssn

OUT_DEFAULT = Path(__file__).resolve().parents[1] / "src" / "databorder" / "samples"
LOCALES = ("en_US", "de_DE", "fr_FR", "es_ES", "zh_CN")
PHONE_REGION = {"en_US": "US", "de_DE": "DE", "fr_FR": "FR", "es_ES": "ES", "zh_CN": "CN",
                "en_GB": "GB"}
IBAN_LOCALES = ("de_DE", "fr_FR", "es_ES", "en_GB")
CURRENCY = {"en_US": "USD", "de_DE": "EUR", "fr_FR": "EUR", "es_ES": "EUR", "zh_CN": "CNY"}
# County codes valid for every birth year in stdnum's cn/loc table (Beijing, Tianjin, Shanghai).
CN_REGION_CODES = ("110101", "110105", "110108", "120101", "120104", "310104", "310105",
                   "310106", "310110")
# Real vendor OUIs (Apple, Samsung, Huawei, Intel, TP-Link, Cisco, Xiaomi, Netgear).
OUIS = ("f0:18:98", "a4:83:e7", "8c:85:90", "00:1a:11", "48:2c:a0", "3c:a6:f6", "ac:bc:32",
        "d8:bb:c1", "50:c7:bf", "00:1e:bd", "64:09:80", "a0:40:a0")
TACS = ("35332509", "35391110", "35674108", "86891503", "35328511", "86769804", "35875906")
ICD10 = ("E11.9", "I10", "J45.909", "F32.9", "M54.5", "K21.9", "E78.5", "G43.909", "N39.0",
         "J06.9", "F41.1", "L40.0", "C50.911", "Z00.00", "E66.9", "R51.9")
MERCHANTS = ("Nordwind Outdoor GmbH", "Librairie du Quai", "Tienda Sol y Mar", "Acme Hardware",
             "Panda Tea House", "Blue Bottle Supplies", "Café Lumière", "Hanseatic Books",
             "Mercado Verde", "Golden Dragon Electronics")
CARD_TYPES = ("visa16", "mastercard", "amex", "discover", "jcb16", "visa16", "mastercard")
USER_AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0.6312.99 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4.1 Safari/605.1.15",
)
SSID_WORDS = ("FRITZ!Box 7590", "Livebox-4F2A", "MOVISTAR_8C21", "ChinaNet-3xQm", "TP-Link_5G",
              "HomeNet", "Vodafone-A1B2", "CMCC-Guest", "SFR_77C0", "Telekom_FON",
              "xfinitywifi", "Starbucks WiFi", "BTHub6-9XQ2", "Pixel_4411", "iPhone de Marie")
BASE_TIME = dt.datetime(2024, 3, 1, 8, 0, 0, tzinfo=dt.UTC)


class Gen:
    """Seeded generators for every value kind the samples use."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers: dict[str, Faker] = {}
        for i, loc in enumerate((*LOCALES, "en_GB")):
            fake = Faker(loc)
            fake.seed_instance(seed * 100 + i)
            self.fakers[loc] = fake

    def locale(self) -> str:
        return self.rng.choice(LOCALES)

    def uuid4(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def timestamp(self, span_days: int = 60) -> dt.datetime:
        return BASE_TIME + dt.timedelta(seconds=self.rng.randrange(span_days * 86400))

    def phone(self, loc: str) -> str:
        region = PHONE_REGION[loc]
        fake = self.fakers[loc]
        for _ in range(200):
            try:
                num = phonenumbers.parse(fake.phone_number(), region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(num):
                fmt = self.rng.choice((phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                                       phonenumbers.PhoneNumberFormat.NATIONAL,
                                       phonenumbers.PhoneNumberFormat.E164))
                return phonenumbers.format_number(num, fmt)
        raise RuntimeError(f"no valid phone number for {region}")

    def card(self) -> str:
        number = self.fakers["en_US"].credit_card_number(self.rng.choice(CARD_TYPES))
        assert luhn.is_valid(number)
        sep = self.rng.choice(("", " ", "-", " "))
        if len(number) == 15:
            parts = [number[:4], number[4:10], number[10:]]
        else:
            parts = [number[i:i + 4] for i in range(0, len(number), 4)]
        return sep.join(parts)

    def luhn_failing_16(self) -> str:
        body = "".join(self.rng.choice("0123456789") for _ in range(15))
        body = self.rng.choice("123456789") + body[1:]
        good = luhn.calc_check_digit(body)
        bad = str((int(good) + self.rng.randint(1, 9)) % 10)
        return body + bad

    def iban(self) -> str:
        number = self.fakers[self.rng.choice(IBAN_LOCALES)].iban()
        assert std_iban.is_valid(number)
        return std_iban.format(number) if self.rng.random() < 0.5 else number

    def imei(self) -> str:
        body = self.rng.choice(TACS) + "".join(self.rng.choice("0123456789") for _ in range(6))
        number = body + luhn.calc_check_digit(body)
        assert std_imei.is_valid(number)
        return number

    def mac(self, sep: str = ":", upper: bool = False) -> str:
        tail = ":".join(f"{self.rng.randrange(256):02x}" for _ in range(3))
        value = f"{self.rng.choice(OUIS)}:{tail}".replace(":", sep)
        return value.upper() if upper else value

    def ssid(self) -> str:
        return self.rng.choice(SSID_WORDS)

    def public_ipv4(self) -> str:
        return self.fakers["en_US"].ipv4_public()

    def private_ipv4(self) -> str:
        return self.fakers["en_US"].ipv4_private()

    def ipv6(self) -> str:
        # Global unicast addresses in real provider ranges, compressed like a logger prints them.
        prefix = self.rng.choice(("2a02:8108", "2001:16b8", "2a01:cb08", "240e:3b4", "2600:1700"))
        groups = [f"{self.rng.randrange(65536):x}" for _ in range(4)]
        return f"{prefix}:{self.rng.randrange(65536):x}::{':'.join(groups)}"

    def client_ip(self) -> str:
        roll = self.rng.random()
        if roll < 0.55:
            return self.public_ipv4()
        if roll < 0.85:
            return self.ipv6()
        return self.private_ipv4()

    def latlon(self, loc: str, decimals: int) -> tuple[float, float]:
        place = self.fakers[loc].local_latlng(country_code=PHONE_REGION[loc])
        assert place is not None
        lat, lon = place[0], place[1]
        lat_f = float(lat) + self.rng.uniform(-0.05, 0.05)
        lon_f = float(lon) + self.rng.uniform(-0.05, 0.05)
        return round(lat_f, decimals), round(lon_f, decimals)

    def us_ssn(self) -> str:
        value = self.fakers["en_US"].ssn()
        assert ssn.is_valid(value)
        return value

    def cn_ric(self, birth: dt.date) -> str:
        for _ in range(50):
            body = (self.rng.choice(CN_REGION_CODES) + birth.strftime("%Y%m%d")
                    + f"{self.rng.randrange(1000):03d}")
            number = body + ric.calc_check_digit(body + "0")
            if ric.is_valid(number):
                return number
        raise RuntimeError("no valid resident id")

    def routing_number(self) -> str:
        prefix = self.rng.choice((*range(1, 13), *range(21, 33)))
        body = f"{prefix:02d}" + "".join(self.rng.choice("0123456789") for _ in range(6))
        number = body + rtn.calc_check_digit(body)
        assert rtn.is_valid(number)
        return number

    def version(self, parts: int) -> str:
        return ".".join(str(self.rng.randint(0, 20 if i else 5)) for i in range(parts))

    def dotted_date(self) -> str:
        return f"{self.rng.randint(1, 28):02d}.{self.rng.randint(1, 12):02d}.2023"

    def birth_date(self) -> dt.date:
        return self.fakers["en_US"].date_of_birth(minimum_age=18, maximum_age=85)


def write_orders(gen: Gen, out: Path, rows: int = 500) -> None:
    header = ["order_id", "order_number", "created_at", "customer_id", "customer_name", "email",
              "phone", "card_number", "amount", "currency", "merchant", "billing_iban",
              "shipping_street", "shipping_city", "shipping_postcode", "shipping_country",
              "app_version"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for i in range(rows):
        loc = gen.locale()
        fake = gen.fakers[loc]
        writer.writerow([
            f"ORD-{2024000000 + i * 7 + 3}",
            gen.luhn_failing_16(),
            gen.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ"),
            f"C{100000 + gen.rng.randrange(4000)}",
            fake.name(),
            fake.email(),
            gen.phone(loc),
            gen.card(),
            f"{gen.rng.uniform(3, 900):.2f}",
            CURRENCY[loc],
            gen.rng.choice(MERCHANTS),
            gen.iban(),
            fake.street_address(),
            fake.city(),
            fake.postcode(),
            PHONE_REGION[loc],
            f"10.0.{gen.rng.choice((19041, 19045, 22621, 22631))}.{gen.rng.randrange(1, 4000)}",
        ])
    (out / "orders.csv").write_text(buf.getvalue(), encoding="utf-8")


def write_wifi_analytics(gen: Gen, out: Path, lines: int = 400) -> None:
    records: list[str] = []
    for _ in range(lines):
        loc = gen.locale()
        device: dict[str, Any] = {"os": gen.rng.choice(("android", "ios"))}
        if gen.rng.random() < 0.6:
            device["id"] = gen.uuid4() if device["os"] == "android" else gen.uuid4().upper()
        else:
            device["imei"] = gen.imei()
        device["mac"] = gen.mac()
        lat, lon = gen.latlon(loc, gen.rng.choice((5, 6)))
        scan = [{"ssid": gen.ssid(), "bssid": gen.mac(), "rssi": -gen.rng.randint(30, 92)}
                for _ in range(gen.rng.randint(1, 4))]
        record = {
            "ts": gen.timestamp().isoformat().replace("+00:00", "Z"),
            "event": gen.rng.choice(("wifi_connect", "wifi_scan", "app_open")),
            "device": device,
            "wifi": {"ssid": gen.ssid(), "bssid": gen.mac(),
                     "channel": gen.rng.choice((1, 6, 11, 36, 44))},
            "client": {"ip": gen.client_ip(), "app_version": "v" + gen.version(3)},
            "geo": {"lat": lat, "lon": lon, "accuracy_m": gen.rng.choice((5, 10, 25, 65))},
            "scan": scan,
        }
        records.append(json.dumps(record, ensure_ascii=False))
    (out / "wifi_analytics.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")


def passport_number(gen: Gen, loc: str) -> str:
    if loc == "de_DE":
        return "C" + "".join(gen.rng.choice("CFGHJKLMNPRTVWXYZ0123456789") for _ in range(8))
    if loc == "zh_CN":
        return "E" + "".join(gen.rng.choice("0123456789") for _ in range(8))
    if loc == "fr_FR":
        letters = "".join(gen.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
        return f"{gen.rng.randint(10, 99)}{letters}{gen.rng.randrange(100000):05d}"
    return "".join(gen.rng.choice("0123456789") for _ in range(9))


def write_customers(gen: Gen, out: Path, rows: int = 300) -> None:
    cols: dict[str, list[Any]] = {k: [] for k in (
        "customer_id", "姓名", "full_name", "email", "phone", "date_of_birth", "ssn",
        "cn_resident_id", "passport_no", "city", "home_lat", "home_lon", "region_lat",
        "region_lon", "diagnosis_icd10", "loyalty_tier")}
    for i in range(rows):
        loc = gen.locale()
        fake = gen.fakers[loc]
        birth = gen.birth_date()
        name = fake.name()
        cols["customer_id"].append(f"C{100000 + i}")
        cols["姓名"].append(name if loc == "zh_CN" else None)
        cols["full_name"].append(None if loc == "zh_CN" else name)
        cols["email"].append(fake.email())
        cols["phone"].append(gen.phone(loc))
        cols["date_of_birth"].append(birth)
        cols["ssn"].append(gen.us_ssn() if loc == "en_US" else None)
        cols["cn_resident_id"].append(gen.cn_ric(birth) if loc == "zh_CN" else None)
        cols["passport_no"].append(passport_number(gen, loc))
        cols["city"].append(fake.city())
        lat, lon = gen.latlon(loc, 6)
        cols["home_lat"].append(lat)
        cols["home_lon"].append(lon)
        cols["region_lat"].append(round(lat, 1))
        cols["region_lon"].append(round(lon, 1))
        cols["diagnosis_icd10"].append(gen.rng.choice(ICD10) if gen.rng.random() < 0.7 else None)
        cols["loyalty_tier"].append(gen.rng.choice(("bronze", "silver", "gold", "platinum")))
    table = pa.table(cols)
    pq.write_table(table, out / "customers.parquet", compression="zstd")


def write_sqlite(gen: Gen, out: Path) -> None:
    path = out / "app.sqlite"
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT, phone TEXT,
                            last_login_ip TEXT);
        CREATE TABLE payments (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id),
                               amount NUMERIC, card_last4 TEXT, routing_number TEXT,
                               account_number TEXT, created_at TEXT);
        CREATE TABLE sessions (user_id INTEGER REFERENCES users(id), ip TEXT, user_agent TEXT,
                               lat REAL, lon REAL);
    """)
    users = []
    for uid in range(1, 201):
        loc = gen.locale()
        fake = gen.fakers[loc]
        users.append((uid, fake.name(), fake.email(), gen.phone(loc), gen.client_ip()))
    con.executemany("INSERT INTO users VALUES (?, ?, ?, ?, ?)", users)
    payments = []
    for pid in range(1, 301):
        payments.append((pid, gen.rng.randint(1, 200), round(gen.rng.uniform(1, 500), 2),
                         f"{gen.rng.randrange(10000):04d}", gen.routing_number(),
                         "".join(gen.rng.choice("0123456789")
                                 for _ in range(gen.rng.randint(8, 12))),
                         gen.timestamp().strftime("%Y-%m-%d %H:%M:%S")))
    con.executemany("INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?)", payments)
    sessions = []
    for _ in range(300):
        uid = gen.rng.randint(1, 200)
        lat, lon = gen.latlon(gen.locale(), 6)
        sessions.append((uid, gen.client_ip(), gen.rng.choice(USER_AGENTS), lat, lon))
    con.executemany("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", sessions)
    con.commit()
    con.execute("VACUUM")
    con.close()


def support_callback(gen: Gen) -> str:
    loc = gen.locale()
    return (f"support ticket #{gen.rng.randint(10000, 99999)} callback requested at "
            f"{gen.phone(loc)} by {gen.fakers[loc].name()}")


def log_lines(gen: Gen) -> list[Callable[[], str]]:
    """Templates for one log message each, after the timestamp and level."""
    def fake() -> Faker:
        return gen.fakers[gen.locale()]

    def rid() -> str:
        return gen.uuid4()

    def ms() -> str:
        return f"{gen.rng.uniform(0.4, 900):.3f}"

    return [
        lambda: f"api request_id={rid()} GET /api/v2/orders/{gen.rng.randint(1000, 99999)} "
                f"200 {ms()}ms client={gen.client_ip()}",
        lambda: f"api request_id={rid()} POST /api/v2/checkout 201 {ms()}ms "
                f"user={fake().email()}",
        lambda: f"auth login ok user={fake().email()} ip={gen.client_ip()} "
                f"agent=\"{gen.rng.choice(USER_AGENTS)[:40]}...\"",
        lambda: f"auth login failed for {fake().email()} from {gen.public_ipv4()} "
                f"(attempt {gen.rng.randint(1, 5)})",
        lambda: f"sms sent to {gen.phone(gen.locale())} template=otp latency={ms()}ms",
        lambda: support_callback(gen),
        lambda: f"db pool size=20 active={gen.rng.randint(0, 20)} wait={ms()}ms",
        lambda: f"startup version=v{gen.version(4)} build=2023.{gen.rng.randint(1, 12)}"
                f".{gen.rng.randint(1, 28)} commit={gen.rng.getrandbits(28):07x}",
        lambda: f"snmp poll oid=1.3.6.1.4.1.{gen.rng.randint(2000, 40000)}."
                f"1.{gen.rng.randint(1, 9)} value={gen.rng.randint(0, 100)}",
        lambda: f"report generated for period {gen.dotted_date()} - {gen.dotted_date()} "
                f"rows={gen.rng.randint(100, 90000)}",
        lambda: f"cache hit ratio={gen.rng.uniform(0.5, 1):.4f} p99={ms()}ms "
                f"trace={rid()}",
        lambda: "geo lookup ip={} -> lat={} lon={}".format(gen.client_ip(),
                                                          *gen.latlon(gen.locale(), 6)),
        lambda: f"device registered imei={gen.imei()} mac={gen.mac(upper=True)}",
    ]


def write_log(gen: Gen, out: Path, lines: int = 300) -> None:
    templates = log_lines(gen)
    rows: list[str] = []
    t = BASE_TIME
    for i in range(lines):
        t += dt.timedelta(milliseconds=gen.rng.randint(5, 40000))
        stamp = t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}"
        if i in (57, 143, 211):
            # A leaked debug line of the payment gateway client.
            rows.append(f"{stamp} DEBUG payment.gateway request body={{\"pan\": \"{gen.card()}\", "
                        f"\"exp\": \"{gen.rng.randint(1, 12):02d}/{gen.rng.randint(25, 30)}\", "
                        f"\"amount\": {gen.rng.uniform(5, 400):.2f}}}")
            continue
        if i in (90, 250):
            rows.append(f"{stamp} INFO  wifi.scanner scan complete, "
                        f"{(n := gen.rng.randint(2, 4))} networks")
            for _ in range(n):
                rows.append(f"    SSID: {gen.ssid()}  BSSID: {gen.mac(upper=True)}  "
                            f"RSSI: -{gen.rng.randint(30, 90)} dBm  "
                            f"CH: {gen.rng.choice((1, 6, 11))}")
            continue
        level = gen.rng.choices(("INFO ", "WARN ", "ERROR", "DEBUG"), (70, 12, 5, 13))[0]
        rows.append(f"{stamp} {level} {gen.rng.choice(templates)()}")
    (out / "app.log").write_text("\n".join(rows) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT_DEFAULT)
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    write_orders(Gen(1), out)
    write_wifi_analytics(Gen(2), out)
    write_customers(Gen(3), out)
    write_sqlite(Gen(4), out)
    write_log(Gen(5), out)


if __name__ == "__main__":
    main()
