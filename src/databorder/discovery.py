"""Finding plugins without registration lists: every concrete subclass in a package counts.

Detectors, file readers and egress-log readers are each one module plus one test; the
package that holds them is scanned once, and a new module is picked up by being there.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Collection
from typing import Any


def concrete_subclasses(package_name: str, base: type,
                        skip_modules: Collection[str]) -> list[type[Any]]:
    """Concrete, public subclasses of ``base`` defined in the modules of a package.

    Modules are taken in name order, ``skip_modules`` and private (``_name``) ones left out;
    private classes are helpers, not plugins. (``base`` is untyped because bases are
    abstract classes, which ``type[T]`` does not accept; callers annotate what they build.)
    """
    package = importlib.import_module(package_name)
    found: list[type[Any]] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name in skip_modules or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package_name}.{info.name}")
        found.extend(
            cls for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, base) and cls is not base and not inspect.isabstract(cls)
            and cls.__module__ == module.__name__ and not cls.__name__.startswith("_")
        )
    return found
