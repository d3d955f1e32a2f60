"""Masked forms of values: the only form in which a value leaves a detector."""

from __future__ import annotations

import re

_DIGIT = re.compile(r"\d")


def mask_middle_digits(value: str, keep_start: int = 4, keep_end: int = 4) -> str:
    """Keep the first and last digits, star the others, keep separators.

    ``4111-1111-1111-1111`` -> ``4111-****-****-1111``; a value with no separators is grouped
    in fours: ``4111111111111111`` -> ``4111 **** **** 1111``.
    """
    digits = [i for i, ch in enumerate(value) if ch.isalnum()]
    total = len(digits)
    if total <= keep_start + keep_end:
        keep_start, keep_end = min(keep_start, total // 4), min(keep_end, total // 4)
    hidden = set(digits[keep_start:total - keep_end])
    masked = "".join("*" if i in hidden else ch for i, ch in enumerate(value))
    if masked.isalnum() or all(c.isalnum() or c == "*" for c in masked):
        masked = " ".join(masked[i:i + 4] for i in range(0, len(masked), 4))
    return masked


def mask_all_but_last(value: str, keep: int = 4) -> str:
    """Star every alphanumeric character but the last ``keep``: ``***-**-6789``."""
    positions = [i for i, ch in enumerate(value) if ch.isalnum()]
    hidden = set(positions[:-keep] if keep else positions)
    return "".join("*" if i in hidden else ch for i, ch in enumerate(value))


def mask_text(value: str, keep: int = 1) -> str:
    """Keep the first ``keep`` characters and the length class: ``Jo***``."""
    if len(value) <= keep:
        return "*" * len(value)
    return value[:keep] + "***"


def mask_email(value: str) -> str:
    """``alice@example.com`` -> ``a***@example.com``; the domain stays (it names the provider)."""
    local, _, domain = value.rpartition("@")
    return f"{mask_text(local)}@{domain}" if local else mask_text(value)
