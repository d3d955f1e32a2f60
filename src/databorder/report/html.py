"""The HTML report: one self-contained file that opens offline.

Everything is inline: the template's CSS, plotly.js (from the ``plotly`` wheel) and our own
small script for the charts and the table sort and filter. The page's Content-Security-Policy
allows exactly those scripts, by hash, and no connection of any kind, so the file neither
fetches anything nor runs a script that a hostile field name smuggled past the escaping.
Jinja2 autoescapes every value; the chart data travels as JSON in an inert
``<script type="application/json">`` block written with ``tojson`` (``<``, ``>``, ``&`` and
quotes escaped).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import asdict
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from databorder import __version__
from databorder.report.model import RunReport
from databorder.report.numbers import count, human_bytes, share
from databorder.report.summary import (
    UNKNOWN_JURISDICTION,
    UNOBSERVED_NODE,
    Sankey,
    Summary,
    sankey,
    summarise,
    transfers_sankey,
)

MAX_DESTINATION_ROWS = 2000
"""Destinations beyond this many (by bytes out) are left to the JSON and CSV reports."""

NODE_COLOURS = {"category": "#3b6ea5", "unobserved": "#b8bec6", "recipient": "#6c7a89",
                "jurisdiction": "#2e8b57", "concern": "#c0392b", "unknown": "#b8bec6",
                "outcome:prohibited": "#8e1b10", "outcome:restricted": "#c0392b",
                "outcome:security_assessment_required": "#b9770e",
                "outcome:contract_or_certification_required": "#b9770e",
                "outcome:conflict": "#b9770e", "outcome:exempt": "#2e8b57",
                "outcome:allowed": "#2e8b57"}


def render_html(report: RunReport) -> str:
    summary = summarise(report)
    charts = _chart_data(report, summary)
    plotly_js = _plotly_js()
    page_js = _asset("report.js")
    destinations = sorted(report.flows.destinations if report.flows else [],
                          key=lambda d: (-d.bytes_out, -d.flows, d.dst_ip or "", d.name or ""))
    return _environment().get_template("report.html.j2").render(
        report=report, summary=summary, charts=charts, css=_asset("report.css"),
        plotly_js=plotly_js, page_js=page_js,
        script_hashes=[_csp_hash(plotly_js), _csp_hash(page_js)],
        destinations=destinations[:MAX_DESTINATION_ROWS],
        destinations_left_out=max(0, len(destinations) - MAX_DESTINATION_ROWS),
        unobserved_node=UNOBSERVED_NODE, version=__version__)


def _chart_data(report: RunReport, summary: Summary) -> dict[str, Any]:
    return {
        "sankey": _drawn(sankey(report)),
        "transfers": _drawn(transfers_sankey(report)),
        "jurisdictions": {
            "codes": _plotly_texts(j.code for j in summary.jurisdictions),
            "bytes": [j.bytes_out for j in summary.jurisdictions],
            "labels": [human_bytes(j.bytes_out) for j in summary.jurisdictions],
            "colours": [NODE_COLOURS[_jurisdiction_kind(j.code, j.of_concern)]
                        for j in summary.jurisdictions],
            "recipients": _plotly_texts(", ".join(j.recipients) for j in summary.jurisdictions),
        },
    }


def _drawn(flow: Sankey) -> dict[str, Any]:
    drawn = asdict(flow)
    drawn.update(labels=_plotly_texts(flow.labels), link_labels=_plotly_texts(flow.link_labels),
                 colours=[NODE_COLOURS[kind] for kind in flow.kinds])
    return drawn


def _plotly_texts(texts: Iterable[str]) -> list[str]:
    """Plotly reads ``<b>``, ``<br>``, ``<a href>`` in chart text as markup and shows entities
    as characters: escaped, a name such as ``<a href=…>`` is drawn as written, not as a link."""
    return [text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            for text in texts]


def _jurisdiction_kind(code: str, of_concern: bool) -> str:
    if of_concern:
        return "concern"
    return "unknown" if code == UNKNOWN_JURISDICTION else "jurisdiction"


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("databorder.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)
    environment.filters.update(bytes=human_bytes, count=count, share=share)
    return environment


@cache
def _asset(name: str) -> str:
    return resources.files("databorder.report").joinpath("assets", name).read_text("utf-8")


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    script: str = get_plotlyjs()
    if "</script" in script.lower():  # would end the inline block early
        raise RuntimeError("plotly.js contains '</script'; it cannot be inlined")
    return script


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"
