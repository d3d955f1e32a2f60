"""Renderers of results, one module per format; ``render(document, fmt)`` is the entry point."""

from databorder.report.render import FORMATS, render

__all__ = ["FORMATS", "render"]
