"""Column classification: names in five languages, values, and hard negatives."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import polars as pl
import pytest
from faker import Faker
from stdnum import luhn

from databorder.detect.columns import classify_sample, plan_table

fake = Faker(["en_US", "de_DE", "zh_CN"])
Faker.seed(7)
ROWS = 300


def _categories(frame: pl.DataFrame) -> dict[str, str]:
    return {c.field: c.category for c in classify_sample(frame)}


@pytest.mark.parametrize("column", ["card_number", "Kartennummer", "信用卡号", "numero_tarjeta",
                                    "numéro_de_carte", "x1"])
def test_cards_under_any_name(column: str) -> None:
    cards = [fake["en_US"].credit_card_number(card_type="visa16") for _ in range(ROWS)]
    frame = pl.DataFrame({column: cards})
    assert _categories(frame) == {column: "payment_card"}


@pytest.mark.parametrize("column,values,category", [
    ("电子邮件", [fake.email() for _ in range(ROWS)], "email"),
    ("E-Mail-Adresse", [fake.email() for _ in range(ROWS)], "email"),
    ("adresse_ip", [fake.ipv4_public() for _ in range(ROWS)], "ip_address"),
    ("dirección_ip", [fake.ipv6() for _ in range(ROWS)], "ip_address"),
    ("bssid", [fake.mac_address() for _ in range(ROWS)], "mac_address"),
    ("ssid", [fake.word() + "_5G" for _ in range(ROWS)], "wifi_ssid"),
    ("iban", [fake.iban() for _ in range(ROWS)], "bank_account"),
    ("姓名", [fake.unique.name() for _ in range(ROWS)] , "person_name"),
])
def test_categories_by_value_and_name(column: str, values: list[str], category: str) -> None:
    assert _categories(pl.DataFrame({column: values})) == {column: category}


@pytest.mark.parametrize("column,values", [
    ("app_version", [f"10.0.{i}.{i % 7}" for i in range(ROWS)]),
    ("order_number", [n for i in range(2 * ROWS)
                      if not luhn.is_valid(n := f"{4000000000000000 + i * 7919 + 1}")]),
    ("request_id", [str(uuid.UUID(int=i * 7919 + 1)) for i in range(ROWS)]),
    ("created", [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(ROWS)]),
    ("dotted_date", [f"{1 + i % 28:02d}.{1 + i % 12:02d}.2023" for i in range(ROWS)]),
    ("price", [f"{i * 1.37:.2f}" for i in range(ROWS)]),
    ("ssid", [""] * ROWS),
    ("product_name", [fake.word().title() for _ in range(ROWS)]),
])
def test_hard_negatives_are_not_classified(column: str, values: list[str]) -> None:
    frame = pl.DataFrame({column: values})
    assert _categories(frame) == {}


def test_coordinates_with_one_decimal_are_coarse_not_precise() -> None:
    frame = pl.DataFrame({"lat": [round(40 + i / 97, 1) for i in range(ROWS)],
                          "lon": [round(-74 + i / 89, 1) for i in range(ROWS)]})
    assert set(_categories(frame).values()) == {"coarse_geolocation"}
    precise = pl.DataFrame({"lat": [40 + i / 9973 for i in range(ROWS)],
                            "lon": [-74 + i / 9967 for i in range(ROWS)]})
    assert set(_categories(precise).values()) == {"precise_geolocation"}


def test_prose_columns_are_scanned_as_text_and_subject_key_is_named() -> None:
    frame = pl.DataFrame({
        "user_id": [str(i) for i in range(ROWS)],
        "comment": [f"{fake.sentence()} write to {fake.email()} soon" for _ in range(ROWS)],
    })
    plan = plan_table(frame)
    assert plan.text_fields == ["comment"]
    assert plan.subject_key is not None and plan.subject_key.field == "user_id"


def test_subject_key_falls_back_to_the_strongest_identifier() -> None:
    frame = pl.DataFrame({"ip": [fake.ipv4_public() for _ in range(ROWS)],
                          "mail": [fake.email() for _ in range(ROWS)]})
    plan = plan_table(frame)
    assert plan.subject_key is not None
    assert plan.subject_key.field == "mail"
    assert "email" in plan.subject_key.basis


def test_a_pool_of_threads_classifies_as_one_thread_does() -> None:
    fake = Faker(["en_US", "de_DE"])
    fake.seed_instance(3)
    sample = pl.DataFrame({
        "email": [fake.email() for _ in range(300)],
        "phone": [fake.phone_number() for _ in range(300)],
        "iban": [fake.iban() for _ in range(300)],
        "note": [fake.sentence(nb_words=12) for _ in range(300)],
        "ip": [fake.ipv4_public() for _ in range(300)],
    })
    alone = plan_table(sample)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pooled = plan_table(sample, pool=pool)
    assert pooled.classes == alone.classes
    assert pooled.text_fields == alone.text_fields == ["note"]
    assert {c.category for c in alone.classes} >= {"email", "bank_account", "ip_address"}
