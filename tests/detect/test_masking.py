import pytest

from databorder.detect.masking import mask_all_but_last, mask_email, mask_middle_digits, mask_text


@pytest.mark.parametrize("value,masked", [
    ("4111111111111111", "4111 **** **** 1111"),
    ("4111-1111-1111-1111", "4111-****-****-1111"),
    ("4111 1111 1111 1111", "4111 **** **** 1111"),
])
def test_card_style_masks(value: str, masked: str) -> None:
    assert mask_middle_digits(value) == masked


def test_short_values_keep_little() -> None:
    masked = mask_middle_digits("12345678")
    assert masked.count("*") >= 4


def test_other_masks() -> None:
    assert mask_all_but_last("123-45-6789") == "***-**-6789"
    assert mask_email("alice@example.com") == "a***@example.com"
    assert mask_text("Jonathan") == "J***"
    assert mask_text("J") == "*"
