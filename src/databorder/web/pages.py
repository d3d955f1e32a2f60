"""The dashboard's own pages: the list of runs and the difference between two runs.

A run's page is its HTML report (:mod:`databorder.report`) with a link back to the list.
Everything is rendered on the server with autoescaping; the pages load nothing from elsewhere.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from databorder import __version__

_NAVIGATION = ('<nav style="font:14px system-ui,sans-serif;padding:6px 12px;background:#eef">'
               '<a href="/">&larr; all runs</a></nav>')


@cache
def _templates() -> Environment:
    return Environment(loader=PackageLoader("databorder.web", "templates"),
                       autoescape=select_autoescape(default=True), trim_blocks=True,
                       lstrip_blocks=True)


def runs_page(runs: list[dict[str, Any]]) -> str:
    return _templates().get_template("runs.html").render(runs=runs, version=__version__)


def diff_page(a: int, b: int, diff: dict[str, Any]) -> str:
    return _templates().get_template("diff.html").render(a=a, b=b, diff=diff,
                                                         version=__version__)


def with_navigation(report_html: str) -> str:
    """The report with a link back to the runs, right after its ``<body>`` tag."""
    start = report_html.find("<body")
    end = report_html.find(">", start) + 1 if start >= 0 else 0
    return report_html[:end] + _NAVIGATION + report_html[end:]
