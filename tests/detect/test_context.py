import pytest

from databorder.detect.context import name_matches, name_tokens, words_near


@pytest.mark.parametrize("name,tokens", [
    ("billingCardNo", ("billing", "card", "no")),
    ("customer_card_number", ("customer", "card", "number")),
    ("device.wifi.BSSID", ("device", "wifi", "bssid")),
    ("信用卡号", ("信用卡号",)),
    ("Kartennummer", ("kartennummer",)),
])
def test_name_tokens(name: str, tokens: tuple[str, ...]) -> None:
    assert name_tokens(name) == tokens


@pytest.mark.parametrize("name,words,expected", [
    ("customer_card_number", ("card_number",), "card_number"),
    ("cardNumber", ("card_number",), "card_number"),
    ("discard_numbers", ("card_number",), None),
    ("用户信用卡号", ("信用卡",), "信用卡"),
    ("ip", ("ip",), "ip"),
    ("zip", ("ip",), None),
    ("client.ip", ("ip",), "ip"),
])
def test_name_matches(name: str, words: tuple[str, ...], expected: str | None) -> None:
    assert name_matches(name, words) == expected


def test_words_near_looks_only_at_the_window() -> None:
    text = "ssn " + "x" * 100 + " 123-45-6789"
    start = text.index("123")
    assert not words_near(text, start, start + 11, ("ssn",), window=40)
    assert words_near(text, start, start + 11, ("ssn",), window=200)
