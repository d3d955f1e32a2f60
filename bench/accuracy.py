"""Precision and recall of databorder's detectors on a generated, labelled corpus.

Three measurements:

1. Column classification (``classify_sample``) on Polars tables of ~1,000 rows per column:
   realistic column names in English, Chinese, German, French and Spanish, plus neutral names
   (values alone must decide), plus hard negatives (versions, dates, order numbers failing
   Luhn, request UUIDs, 1-decimal coordinates, products, prices, hashes).
2. Values inside free text (``find_in_text``), span-level: a found span counts when its
   category is right and it overlaps the labelled span by at least half of their union.
3. The labelled reference cases in ``shared/data/detect-cases/cases.csv`` (if present):
   ``find_in_text`` on each cell, counting matches of the row's category against
   ``expected_matches``; flagged rows (AMBIGUOUS/CONFLICT/RELABELLED) are reported apart.

    .venv/bin/python bench/accuracy.py [--rows 1000] [--lines 3000]
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from databorder.detect.columns import classify_sample
from databorder.detect.text import find_in_text
from values import ValueFactory

PRECISION_GOAL = 0.98
RECALL_GOAL = 0.97
CASES = Path(__file__).resolve().parents[2] / "shared/data/detect-cases/cases.csv"
FLAGS = ("AMBIGUOUS", "CONFLICT", "RELABELLED")
VALUE_CATEGORIES = ("ip_address", "mac_address", "payment_card", "bank_account",
                    "precise_geolocation", "device_id", "phone", "email", "government_id",
                    "genomic")
IGNORE = "ignore"
"""Label of text spans that are neither expected nor wrong to report (names, SSIDs)."""

Gen = Callable[[ValueFactory], object]


@dataclass(frozen=True)
class Col:
    name: str
    gen: Gen
    label: str | None
    """Expected category, None for a negative."""
    group: str = ""
    """Context-only group reported on its own line (``passport``, ``advertising id``)."""


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class Report:
    title: str
    tallies: dict[str, Tally] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def of(self, key: str) -> Tally:
        return self.tallies.setdefault(key, Tally())


def f(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def verdict(tally: Tally) -> str:
    p, r = tally.precision(), tally.recall()
    if p is None and r is None:
        return "n/a"
    ok = (p is None or p >= PRECISION_GOAL) and (r is None or r >= RECALL_GOAL)
    return "PASS" if ok else "FAIL"


def print_report(report: Report, show_misses: int = 8) -> None:
    print(f"\n== {report.title}")
    print(f"{'category':<34} {'TP':>6} {'FP':>6} {'FN':>6} {'prec':>6} {'recall':>6}  goal")
    for key in sorted(report.tallies):
        t = report.tallies[key]
        print(f"{key:<34} {t.tp:>6} {t.fp:>6} {t.fn:>6} {f(t.precision()):>6} "
              f"{f(t.recall()):>6}  {verdict(t)}")
    for line in report.misses[:show_misses]:
        print(f"   miss: {line}")
    if len(report.misses) > show_misses:
        print(f"   ... {len(report.misses) - show_misses} more")


# --- 1. column classification -----------------------------------------------------------------

def lat(v: ValueFactory) -> float:
    return v.latlon()[0]


def lon(v: ValueFactory) -> float:
    return v.latlon()[1]


TABLES: dict[str, list[Col]] = {
    "orders_en": [
        Col("order_id", lambda v: f"ORD-{v.digits(9)}", None),
        Col("order_number", lambda v: v.order_number(), None),
        Col("created_at", lambda v: v.timestamp(), None),
        Col("customer_email", lambda v: v.email(), "email"),
        Col("phone_number", lambda v: v.phone(), "phone"),
        Col("card_number", lambda v: v.card(), "payment_card"),
        Col("billing_iban", lambda v: v.iban(), "bank_account"),
        Col("full_name", lambda v: v.name(), "person_name"),
        Col("product_name", lambda v: v.product(), None),
        Col("price", lambda v: float(v.price()), None),
        Col("quantity", lambda v: int(v.quantity()), None),
        Col("sku", lambda v: v.sku(), None),
        Col("app_version", lambda v: v.windows_build(), None),
        Col("client_ip", lambda v: v.ip(), "ip_address"),
        Col("request_id", lambda v: v.request_id(), None),
    ],
    "kunden_de": [
        Col("kundennummer", lambda v: f"K{v.digits(7)}", None),
        Col("e_mail", lambda v: v.email(), "email"),
        Col("telefonnummer", lambda v: v.phone("de_DE"), "phone"),
        Col("kartennummer", lambda v: v.card(), "payment_card"),
        Col("bankverbindung_iban", lambda v: v.iban(), "bank_account"),
        Col("vorname_nachname", lambda v: v.name(), "person_name"),
        Col("reisepassnummer", lambda v: v.passport(), "government_id", "passport"),
        Col("bestellnummer", lambda v: v.order_number(), None),
        Col("bestelldatum", lambda v: v.date(), None),
        Col("preis", lambda v: v.price(), None),
        Col("produkt", lambda v: v.product(), None),
        Col("breitengrad", lat, "precise_geolocation"),
        Col("längengrad", lon, "precise_geolocation"),
        Col("diagnose_icd10", lambda v: v.icd10(), "health"),
    ],
    "clients_fr": [
        Col("identifiant_client", lambda v: v.digits(8), None),
        Col("courriel", lambda v: v.email(), "email"),
        Col("téléphone", lambda v: v.phone("fr_FR"), "phone"),
        Col("numero_carte", lambda v: v.card(), "payment_card"),
        Col("numéro_passeport", lambda v: v.passport(), "government_id", "passport"),
        Col("nom_complet", lambda v: v.name(), "person_name"),
        Col("adresse_ip", lambda v: v.ip(), "ip_address"),
        Col("date_commande", lambda v: v.date(), None),
        Col("prix", lambda v: v.price(), None),
        Col("latitude_region", lambda v: v.coarse(), "coarse_geolocation"),
        Col("longitude_region", lambda v: v.coarse(), "coarse_geolocation"),
    ],
    "clientes_es": [
        Col("id_cliente", lambda v: v.digits(8), None),
        Col("correo_electronico", lambda v: v.email(), "email"),
        Col("telefono", lambda v: v.phone("es_ES"), "phone"),
        Col("numero_tarjeta", lambda v: v.card(), "payment_card"),
        Col("cuenta_iban", lambda v: v.iban(), "bank_account"),
        Col("nombre", lambda v: v.name(), "person_name"),
        Col("pasaporte", lambda v: v.passport(), "government_id", "passport"),
        Col("diagnóstico", lambda v: v.icd10(), "health"),
        Col("fecha", lambda v: v.date(), None),
        Col("precio", lambda v: v.price(), None),
        Col("ubicacion", lambda v: v.latlon_text(), "precise_geolocation"),
    ],
    "用户_zh": [
        Col("用户ID", lambda v: v.digits(10), None),
        Col("姓名", lambda v: v.fakers["zh_CN"].name(), "person_name"),
        Col("手机号", lambda v: v.phone("zh_CN"), "phone"),
        Col("邮箱", lambda v: v.email(), "email"),
        Col("身份证号", lambda v: v.cn_ric(), "government_id"),
        Col("护照号", lambda v: v.passport(), "government_id", "passport"),
        Col("银行卡号", lambda v: v.card(formatted=False), "payment_card"),
        Col("IP地址", lambda v: v.ip(), "ip_address"),
        Col("纬度", lat, "precise_geolocation"),
        Col("经度", lon, "precise_geolocation"),
        Col("订单号", lambda v: v.order_number(), None),
        Col("产品名称", lambda v: v.product(), None),
        Col("价格", lambda v: v.price(), None),
        Col("下单时间", lambda v: v.timestamp(), None),
    ],
    "devices": [
        Col("imei", lambda v: v.imei(), "device_id"),
        Col("gaid", lambda v: v.ad_id(), "device_id", "advertising id"),
        Col("idfa", lambda v: v.ad_id(), "device_id", "advertising id"),
        Col("mac", lambda v: v.mac(), "mac_address"),
        Col("bssid", lambda v: v.mac(), "mac_address"),
        Col("ssid", lambda v: v.ssid(), "wifi_ssid"),
        Col("wifi_network_name", lambda v: v.ssid(), "wifi_ssid"),
        Col("ip", lambda v: v.ip(), "ip_address"),
        Col("latitude", lat, "precise_geolocation"),
        Col("longitude", lon, "precise_geolocation"),
        Col("firmware_version", lambda v: v.version(), None),
        Col("trace_id", lambda v: v.request_id(), None),
        Col("snmp_oid", lambda v: v.oid(), None),
        Col("last_seen", lambda v: v.epoch_ms(), None),
        Col("rssi", lambda v: -v.rng.randint(30, 95), None),
    ],
    "neutral_names": [
        Col("col_a", lambda v: v.email(), "email"),
        Col("col_b", lambda v: v.card(), "payment_card"),
        Col("col_c", lambda v: v.iban(), "bank_account"),
        Col("col_d", lambda v: v.imei(), "device_id"),
        Col("col_e", lambda v: v.mac(), "mac_address"),
        Col("col_f", lambda v: v.ip(), "ip_address"),
        Col("col_g", lambda v: v.phone(), "phone"),
        Col("col_h", lambda v: v.ssn(), "government_id"),
        Col("col_i", lambda v: v.cn_ric(), "government_id"),
        Col("col_j", lambda v: v.rsid(), "genomic"),
        Col("col_k", lambda v: v.latlon_text(), "precise_geolocation"),
        Col("col_l", lambda v: v.order_number(), None),
        Col("col_m", lambda v: v.version(), None),
        Col("col_n", lambda v: v.date(), None),
        Col("col_o", lambda v: v.request_id(), None),
        Col("col_p", lambda v: v.sha1(), None),
        Col("col_q", lambda v: v.price(), None),
        Col("col_r", lambda v: v.postcode(), None),
        Col("col_s", lambda v: v.oid(), None),
        Col("col_t", lambda v: v.latency(), None),
        Col("col_u", lambda v: f"{v.coarse()},{v.coarse()}", "coarse_geolocation"),
    ],
    "health_genomics": [
        Col("patient_ssn", lambda v: v.ssn(), "government_id"),
        Col("social_security_number", lambda v: v.ssn(), "government_id"),
        Col("diagnosis_code", lambda v: v.icd10(), "health"),
        Col("诊断", lambda v: v.icd10(), "health"),
        Col("rsid", lambda v: v.rsid(), "genomic"),
        Col("snp_id", lambda v: v.rsid(), "genomic"),
        Col("fingerprint_template", lambda v: v.biometric_template(), "biometric"),
        Col("face_embedding", lambda v: v.biometric_template(), "biometric"),
        Col("visit_date", lambda v: v.date(), None),
        Col("ward", lambda v: v.rng.choice(("A1", "B2", "C3", "ICU")), None),
    ],
}

UNSCORED = {"financial_transaction"}
"""Table-level categories (payment records) the generated tables do not label."""
CONTEXT_GROUPS = {"person_name", "wifi_ssid", "health", "biometric", "coarse_geolocation"}


def build_table(cols: Sequence[Col], factory: ValueFactory, rows: int) -> pl.DataFrame:
    data: dict[str, list[object]] = {}
    for col in cols:
        data[col.name] = [col.gen(factory) for _ in range(rows)]
    return pl.DataFrame(data, strict=False)


def column_accuracy(rows: int) -> Report:
    report = Report(f"Column classification ({rows} rows per column)")
    for index, (table_name, cols) in enumerate(TABLES.items()):
        frame = build_table(cols, ValueFactory(1000 + index), rows)
        labels = {c.name: c for c in cols}
        predicted: dict[str, set[str]] = {}
        for found in classify_sample(frame):
            for name in found.field.split(","):
                predicted.setdefault(name, set()).add(found.category)
        for col in cols:
            cats = predicted.get(col.name, set())
            key = col.label if col.label else ""
            if col.group:
                key = f"{col.label} [{col.group}, header]"
            elif col.label in CONTEXT_GROUPS:
                key = f"{col.label} [header]"
            if col.label:
                hit = col.label in cats
                report.of(key).tp += hit
                report.of(key).fn += not hit
                if not hit:
                    report.misses.append(f"{table_name}.{col.name} ({col.label}) -> "
                                         f"{sorted(cats) or 'nothing'}")
            for cat in cats - ({col.label} if col.label else set()):
                if cat in UNSCORED or (cat == "coarse_geolocation" and col.label is None):
                    continue
                fp_key = f"{cat} [header]" if cat in CONTEXT_GROUPS else cat
                report.of(fp_key).fp += 1
                report.misses.append(f"{table_name}.{col.name} ({col.label or 'negative'}) "
                                     f"wrongly -> {cat}")
        del labels
    return report


# --- 2. values in free text --------------------------------------------------------------------

Segment = str | tuple[str, str]


def text_templates(v: ValueFactory) -> list[Callable[[], list[Segment]]]:
    """Each template returns plain strings and ``(label, value)`` pieces."""
    def stamp() -> str:
        return f"{v.timestamp().replace('T', ' ').rstrip('Z')},{v.rng.randrange(1000):03d} "

    return [
        lambda: [stamp(), "INFO login ok user=", ("email", v.email()), " ip=",
                 ("ip_address", v.ip()), f" request_id={v.request_id()}"],
        lambda: [stamp(), "WARN  auth failed from ", ("ip_address", v.ipv4_public()),
                 f" after {v.latency()}ms (client v{v.version()})"],
        lambda: [stamp(), "DEBUG gateway body={\"pan\": \"", ("payment_card", v.card()),
                 f"\", \"order\": \"{v.order_number()}\", \"amount\": {v.price()}}}"],
        lambda: ["Please call me back on ", ("phone", v.phone()), " or write to ",
                 ("email", v.email()), " — ", (IGNORE, v.name())],
        lambda: ["Bitte überweisen Sie den Betrag auf ", ("bank_account", v.iban()),
                 f" bis zum {v.date()}."],
        lambda: [stamp(), "INFO device registered imei=", ("device_id", v.imei()), " mac=",
                 ("mac_address", v.mac())],
        lambda: ["    SSID: ", (IGNORE, v.ssid()), "  BSSID: ", ("mac_address", v.mac()),
                 f"  RSSI: -{v.rng.randint(30, 90)} dBm"],
        lambda: [stamp(), "INFO geo fix at ", ("precise_geolocation", v.latlon_text()),
                 f" accuracy={v.rng.randint(3, 60)}m"],
        lambda: ["Region centroid ", ("coarse_geolocation", f"{v.coarse()},{v.coarse()}"),
                 f" build {v.windows_build()} oid={v.oid()} report {v.date()}"],
        lambda: ["Patient SSN ", ("government_id", v.ssn()), f" admitted {v.date()}"],
        lambda: ["身份证号码：", ("government_id", v.cn_ric()), "，联系电话 ",
                 ("phone", v.phone("zh_CN"))],
        lambda: ["Variant ", ("genomic", v.rsid()), f" observed in sample {v.sha1()[:12]}"],
        lambda: [f"Order {v.order_number()} shipped {v.date()}, {v.quantity()} x {v.product()} "
                 f"at {v.price()} EUR, trace {v.request_id()}"],
        lambda: [stamp(), f"INFO upgrade to v{v.version()} took {v.latency()} ms, "
                 f"session {v.request_id()}"],
        lambda: ["Kontakt: ", ("phone", v.phone("de_DE")), ", ", ("email", v.email())],
        lambda: ["Contactez-nous au ", ("phone", v.phone("fr_FR")), " ou sur ",
                 ("email", v.email())],
        lambda: ["Llámenos al ", ("phone", v.phone("es_ES")), f" antes del {v.date()}"],
        lambda: ["client ", ("ip_address", v.ipv6()), " -> upstream ",
                 ("ip_address", v.ipv4_private()), f" {v.latency()}ms"],
    ]


@dataclass(frozen=True)
class Line:
    text: str
    spans: tuple[tuple[str, int, int], ...]


def build_lines(count: int, seed: int = 7) -> list[Line]:
    factory = ValueFactory(seed)
    templates = text_templates(factory)
    lines = []
    for _ in range(count):
        text, spans = "", []
        for segment in factory.rng.choice(templates)():
            if isinstance(segment, tuple):
                label, value = segment
                spans.append((label, len(text), len(text) + len(value)))
                text += value
            else:
                text += segment
        lines.append(Line(text, tuple(spans)))
    return lines


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if inter > 0 else 0.0


def text_accuracy(count: int) -> Report:
    report = Report(f"Values in free text ({count} lines, span IoU >= 0.5)")
    for line in build_lines(count):
        expected = [s for s in line.spans if s[0] != IGNORE]
        ignored = [(s[1], s[2]) for s in line.spans if s[0] == IGNORE]
        matched: set[int] = set()
        for match in find_in_text(line.text):
            span = (match.start, match.end)
            hit = next((i for i, (cat, s, e) in enumerate(expected) if i not in matched
                        and cat == match.category and overlap(span, (s, e)) >= 0.5), None)
            if hit is not None:
                matched.add(hit)
                report.of(match.category).tp += 1
            elif any(overlap(span, ign) > 0 for ign in ignored):
                continue
            else:
                report.of(match.category).fp += 1
                report.misses.append(f"wrongly {match.category} {match.masked!r} in "
                                     f"{_shape(line.text, span)}")
        for i, (cat, s, e) in enumerate(expected):
            if i not in matched:
                report.of(cat).fn += 1
                report.misses.append(f"missed {cat} in {_shape(line.text, (s, e))}")
    return report


def _shape(text: str, span: tuple[int, int]) -> str:
    """The line with the value itself replaced by its shape (digits -> 9, letters -> a)."""
    value = text[span[0]:span[1]]
    shape = "".join("9" if c.isdigit() else "a" if c.isalpha() else c for c in value)
    return repr(text[max(0, span[0] - 30):span[0]] + "<" + shape + ">" + text[span[1]:][:30])


# --- 3. reference cases -----------------------------------------------------------------------

def cases_accuracy(path: Path) -> tuple[Report, Report]:
    plain = Report("Reference cases, unflagged rows (find_in_text per cell)")
    flagged = Report("Reference cases, flagged rows (AMBIGUOUS/CONFLICT/RELABELLED)")
    skipped: Counter[str] = Counter()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            category = row["category"]
            if category not in VALUE_CATEGORIES:
                skipped[category] += 1
                continue
            report = flagged if row["note"].startswith(FLAGS) else plain
            expected = int(row["expected_matches"])
            found = sum(m.category == category for m in find_in_text(row["value_or_text"]))
            key = f"{category} ({row['kind']})"
            tally = report.of(key)
            tally.tp += min(found, expected)
            tally.fp += max(0, found - expected)
            tally.fn += max(0, expected - found)
            if found != expected and report is plain:
                report.misses.append(f"{key}: expected {expected}, found {found} "
                                     f"[{row['source'].split('@')[0]}] {row['note'][:60]}")
    if skipped:
        plain.misses.insert(0, f"skipped (not a databorder category): {dict(skipped)}")
    return plain, flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000, help="rows per generated column")
    parser.add_argument("--lines", type=int, default=3000, help="free-text lines")
    parser.add_argument("--misses", type=int, default=12, help="misses shown per section")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"goal: precision >= {PRECISION_GOAL} and recall >= {RECALL_GOAL} per category")
    print_report(column_accuracy(args.rows), args.misses)
    print_report(text_accuracy(args.lines), args.misses)
    if CASES.exists():
        for report in cases_accuracy(CASES):
            print_report(report, args.misses)
    else:
        print(f"\n(reference cases not found at {CASES})")
    print(f"\nfinished in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
