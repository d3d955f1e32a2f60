"""Seeded generators of realistic sensitive values and look-alike negatives for the benchmarks.

Names, e-mails, addresses and phone numbers come from Faker in several locales; values with a
check digit are built to pass python-stdnum (Luhn, ISO 13616, GB 11643, SSN ranges), so that
the corpus is real-shaped. Negatives are values that look like a category but are not one.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import random
import uuid

import phonenumbers
from faker import Faker
from stdnum import luhn
from stdnum.cn import ric

LOCALES = ("en_US", "de_DE", "fr_FR", "es_ES", "zh_CN")
REGION = {"en_US": "US", "de_DE": "DE", "fr_FR": "FR", "es_ES": "ES", "zh_CN": "CN",
          "en_GB": "GB"}
IBAN_LOCALES = ("de_DE", "fr_FR", "es_ES", "en_GB", "nl_NL", "it_IT")
CARD_TYPES = ("visa16", "mastercard", "amex", "discover", "jcb16", "diners")
CN_REGIONS = ("110101", "110105", "110108", "120101", "120104", "310104", "310105", "310106")
OUIS = ("f0:18:98", "a4:83:e7", "8c:85:90", "00:1a:11", "48:2c:a0", "3c:a6:f6", "ac:bc:32",
        "d8:bb:c1", "50:c7:bf", "00:1e:bd", "64:09:80", "a0:40:a0", "b8:27:eb", "dc:a6:32")
TACS = ("35332509", "35391110", "35674108", "86891503", "35328511", "86769804", "35875906",
        "01326300", "35209900")
IPV6_PREFIXES = ("2a02:8108", "2001:16b8", "2a01:cb08", "240e:3b4", "2600:1700", "2a00:1450")
ICD10 = ("E11.9", "I10", "J45.909", "F32.9", "M54.5", "K21.9", "E78.5", "G43.909", "N39.0",
         "J06.9", "F41.1", "L40.0", "C50.911", "Z00.00", "E66.9", "R51.9", "B20", "O80")
SSIDS = ("FRITZ!Box 7590 XL", "Livebox-4F2A", "MOVISTAR_8C21", "ChinaNet-3xQm", "TP-Link_5G_A1",
         "HomeNet", "Vodafone-A1B2", "CMCC-Guest", "SFR_77C0", "Telekom_FON", "xfinitywifi",
         "Starbucks WiFi", "BTHub6-9XQ2", "Pixel_4411", "iPhone de Marie", "WLAN-392817",
         "Familie Müller", "NETGEAR42", "dlink-7E1C", "HUAWEI-B535-2F1A")
PRODUCTS = ("Wireless Mouse M185", "USB-C Cable 2m", "Espresso Beans 1kg", "Yoga Mat Pro",
            "Noise Cancelling Headphones", "LED Desk Lamp", "Trail Running Shoes 42",
            "Cast Iron Skillet 28cm", "Bluetooth Speaker Mini", "Organic Green Tea 100g",
            "Kindle Paperwhite", "Lego Classic 11005", "Samsung Galaxy S23 Case", "iPad Air 5",
            "羊毛围巾", "Kaffeemühle", "Crème hydratante 50ml", "Sartén antiadherente")


class ValueFactory:
    """All value kinds, deterministic for a seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers: dict[str, Faker] = {}
        for i, loc in enumerate((*LOCALES, "en_GB", "nl_NL", "it_IT")):
            fake = Faker(loc)
            fake.seed_instance(seed * 100 + i)
            self.fakers[loc] = fake

    def locale(self) -> str:
        return self.rng.choice(LOCALES)

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    # --- positives -------------------------------------------------------------------------

    def card(self, formatted: bool = True) -> str:
        number: str = self.fakers["en_US"].credit_card_number(self.rng.choice(CARD_TYPES))
        while number.startswith("35") and not 3528 <= int(number[:4]) <= 3589:
            # Faker's jcb16 draws any 35xx prefix; JCB's issuer range is 3528-3589
            number = self.fakers["en_US"].credit_card_number("jcb16")
        sep = self.rng.choice(("", " ", "-")) if formatted else ""
        if len(number) == 15:
            return sep.join((number[:4], number[4:10], number[10:]))
        if len(number) == 14:
            return sep.join((number[:4], number[4:10], number[10:]))
        return sep.join(number[i:i + 4] for i in range(0, len(number), 4))

    def iban(self) -> str:
        value: str = self.fakers[self.rng.choice(IBAN_LOCALES)].iban()
        if self.rng.random() < 0.4:
            return " ".join(value[i:i + 4] for i in range(0, len(value), 4))
        return value

    def imei(self) -> str:
        body = self.rng.choice(TACS) + self.digits(6)
        return body + luhn.calc_check_digit(body)

    def mac(self) -> str:
        raw = self.rng.choice(OUIS).replace(":", "") + f"{self.rng.getrandbits(24):06x}"
        style = self.rng.randrange(4)
        if style == 0:
            return ":".join(raw[i:i + 2] for i in range(0, 12, 2))
        if style == 1:
            return "-".join(raw[i:i + 2] for i in range(0, 12, 2)).upper()
        if style == 2:
            return ":".join(raw[i:i + 2] for i in range(0, 12, 2)).upper()
        return ".".join(raw[i:i + 4] for i in range(0, 12, 4))

    def ipv4_public(self) -> str:
        return str(self.fakers["en_US"].ipv4_public())

    def ipv4_private(self) -> str:
        return str(self.fakers["en_US"].ipv4_private())

    def ipv6(self) -> str:
        prefix = self.rng.choice(IPV6_PREFIXES)
        tail = ":".join(f"{self.rng.getrandbits(16):x}" for _ in range(6))
        return str(ipaddress.IPv6Address(f"{prefix}:{tail}"))

    def ip(self) -> str:
        roll = self.rng.random()
        if roll < 0.5:
            return self.ipv4_public()
        return self.ipv6() if roll < 0.8 else self.ipv4_private()

    def phone(self, loc: str | None = None) -> str:
        loc = loc or self.locale()
        fake = self.fakers[loc]
        for _ in range(200):
            try:
                number = phonenumbers.parse(fake.phone_number(), REGION[loc])
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                fmt = self.rng.choice((phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                                       phonenumbers.PhoneNumberFormat.E164,
                                       phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                                       phonenumbers.PhoneNumberFormat.NATIONAL))
                return phonenumbers.format_number(number, fmt)
        raise RuntimeError("no valid phone number generated")

    def email(self) -> str:
        fake = self.fakers[self.locale()]
        return str(fake.free_email() if self.rng.random() < 0.5 else fake.company_email())

    def name(self) -> str:
        return str(self.fakers[self.locale()].name())

    def ssn(self) -> str:
        return str(self.fakers["en_US"].ssn())

    def cn_ric(self) -> str:
        birth = self.fakers["en_US"].date_of_birth(minimum_age=18, maximum_age=80)
        for _ in range(50):
            body = self.rng.choice(CN_REGIONS) + birth.strftime("%Y%m%d") + self.digits(3)
            number = body + ric.calc_check_digit(body + "0")
            if ric.is_valid(number):
                return number
        raise RuntimeError("no valid resident id generated")

    def passport(self) -> str:
        style = self.rng.randrange(4)
        if style == 0:
            return "C" + "".join(self.rng.choice("CFGHJKLMNPRTVWXYZ0123456789") for _ in range(8))
        if style == 1:
            return "E" + self.digits(8)
        if style == 2:
            return f"{self.rng.randint(10, 99)}" + "".join(
                self.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2)) + self.digits(5)
        return self.digits(9)

    def rsid(self) -> str:
        return f"rs{self.rng.randint(1000, 999_999_999)}"

    def latlon(self, decimals: int = 6) -> tuple[float, float]:
        loc = self.locale()
        place = self.fakers[loc].local_latlng(country_code=REGION[loc])
        assert place is not None
        lat = float(place[0]) + self.rng.uniform(-0.05, 0.05)
        lon = float(place[1]) + self.rng.uniform(-0.05, 0.05)
        return round(lat, decimals), round(lon, decimals)

    def latlon_text(self) -> str:
        lat, lon = self.latlon(self.rng.choice((5, 6)))
        return f"{lat:.6f},{lon:.6f}" if self.rng.random() < 0.5 else f"{lat}, {lon}"

    def ad_id(self) -> str:
        value = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        return value.upper() if self.rng.random() < 0.5 else value

    def ssid(self) -> str:
        return self.rng.choice(SSIDS)

    def icd10(self) -> str:
        return self.rng.choice(ICD10)

    def biometric_template(self) -> str:
        return base64.b64encode(self.rng.randbytes(self.rng.choice((96, 128, 256)))).decode()

    # --- negatives -------------------------------------------------------------------------

    def version(self) -> str:
        parts = [str(self.rng.randint(0, 20 if i else 12)) for i in range(self.rng.choice((3, 4)))]
        return ".".join(parts)

    def windows_build(self) -> str:
        return f"10.0.{self.rng.choice((19041, 19045, 22621, 22631))}.{self.rng.randint(1, 4000)}"

    def oid(self) -> str:
        return f"1.3.6.1.4.1.{self.rng.randint(2000, 60000)}.{self.rng.randint(1, 9)}." \
               f"{self.rng.randint(1, 30)}"

    def date(self) -> str:
        day = dt.date(2020, 1, 1) + dt.timedelta(days=self.rng.randrange(1800))
        fmt = self.rng.choice(("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%Y%m%d", "%d/%m/%Y"))
        return day.strftime(fmt)

    def timestamp(self) -> str:
        moment = dt.datetime(2024, 1, 1) + dt.timedelta(seconds=self.rng.randrange(90 * 86400))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def order_number(self) -> str:
        body = self.rng.choice("123456789") + self.digits(14)
        good = int(luhn.calc_check_digit(body))
        return body + str((good + self.rng.randint(1, 9)) % 10)

    def request_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def coarse(self) -> float:
        return round(self.rng.uniform(-60, 70), 1)

    def product(self) -> str:
        return self.rng.choice(PRODUCTS)

    def price(self) -> str:
        return f"{self.rng.uniform(0.5, 2500):.2f}"

    def sha1(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"

    def sku(self) -> str:
        return f"SKU-{self.rng.randint(10000, 99999)}-{self.rng.choice('ABCDEFXYZ')}"

    def postcode(self) -> str:
        return str(self.fakers[self.locale()].postcode())

    def epoch_ms(self) -> str:
        return str(1_700_000_000_000 + self.rng.randrange(50_000_000_000))

    def latency(self) -> str:
        return f"{self.rng.uniform(0.1, 2000):.3f}"

    def quantity(self) -> str:
        return str(self.rng.randint(1, 12))
