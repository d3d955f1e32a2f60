"""Finds every detector in this package: a concrete subclass in any module is registered."""

from __future__ import annotations

from functools import cache

from databorder.categories import CATEGORIES
from databorder.discovery import concrete_subclasses
from databorder.errors import DetectorError

from .base import Detector, TableDetector

_PACKAGE = __package__ or "databorder.detect"
_NOT_DETECTOR_MODULES = {"base", "registry", "context", "masking", "vectorized", "counting",
                         "columns", "text", "engine", "inventory"}


@cache
def value_detectors() -> tuple[Detector, ...]:
    """One instance of every value detector, in a stable order."""
    found: list[Detector] = [
        cls() for cls in concrete_subclasses(_PACKAGE, Detector, _NOT_DETECTOR_MODULES)]
    _check(found)
    return tuple(found)


@cache
def table_detectors() -> tuple[TableDetector, ...]:
    """One instance of every table detector, in a stable order."""
    found: list[TableDetector] = [
        cls() for cls in concrete_subclasses(_PACKAGE, TableDetector, _NOT_DETECTOR_MODULES)]
    return tuple(found)


def _check(detectors: list[Detector]) -> None:
    seen: set[str] = set()
    for detector in detectors:
        if detector.name in seen:
            raise DetectorError(f"two detectors are named {detector.name!r}")
        seen.add(detector.name)
        if detector.category not in CATEGORIES:
            raise DetectorError(f"detector {detector.name!r} has unknown category "
                                f"{detector.category!r}")
