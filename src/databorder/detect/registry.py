"""Finds every detector in this package: a concrete subclass in any module is registered."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache

from databorder.categories import CATEGORIES
from databorder.errors import DetectorError

from .base import Detector, TableDetector

_NOT_DETECTOR_MODULES = {"base", "registry", "context", "masking", "vectorized", "counting",
                         "columns", "text", "engine", "inventory"}


def _modules() -> list[str]:
    package = importlib.import_module(__package__ or "databorder.detect")
    return sorted(
        f"{package.__name__}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if info.name not in _NOT_DETECTOR_MODULES and not info.name.startswith("_")
    )


def _concrete(module_name: str, base: type) -> list[type]:
    module = importlib.import_module(module_name)
    return [
        obj for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, base) and obj is not base and not inspect.isabstract(obj)
        and obj.__module__ == module.__name__ and not obj.__name__.startswith("_")
    ]


@cache
def value_detectors() -> tuple[Detector, ...]:
    """One instance of every value detector, in a stable order."""
    found: list[Detector] = []
    for module_name in _modules():
        found.extend(cls() for cls in _concrete(module_name, Detector))
    _check(found)
    return tuple(found)


@cache
def table_detectors() -> tuple[TableDetector, ...]:
    """One instance of every table detector, in a stable order."""
    found: list[TableDetector] = []
    for module_name in _modules():
        found.extend(cls() for cls in _concrete(module_name, TableDetector))
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
