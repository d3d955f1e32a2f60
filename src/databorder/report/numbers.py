"""Numbers as a reader sees them in every report format."""

from __future__ import annotations


def human_bytes(value: int | None) -> str:
    """``27886645`` -> ``27.9 MB`` (decimal units, as network tools count)."""
    if value is None:
        return "-"
    size = float(value)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1000
    return str(value)  # pragma: no cover - the loop always returns


def count(value: int, exact: bool = True) -> str:
    """``12345`` -> ``12,345``; an estimate gets a ``~``."""
    return f"{value:,}" if exact else f"~{value:,}"


def share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"
