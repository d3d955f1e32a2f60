"""The ``databorder`` command line: one small function per command, no logic."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from databorder import __version__
from databorder.detect.columns import SAMPLE_ROWS
from databorder.detect.counting import DEFAULT_EXACT_LIMIT
from databorder.engine.local import QuietObserver, ScanOptions, scan_targets
from databorder.errors import DataborderError
from databorder.inventory import write_json
from databorder.process import disable_huge_pages
from databorder.report.terminal import print_inventory
from databorder.sources.base import TableSource

if TYPE_CHECKING:
    from databorder.store.recording import Recording

EXIT_INPUT_ERRORS = 1
EXIT_INTERNAL_ERROR = 3
PIPED_WIDTH = 160


class ProgressObserver:
    """Draws one progress bar per table: bytes read against the size, and rows."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: TaskID | None = None
        self._rows = 0

    def table_started(self, table: TableSource) -> None:
        self._rows = 0
        self._task = self._progress.add_task(table.label, total=table.size_bytes, rows=0)

    def advance(self, consumed_bytes: int, rows: int) -> None:
        if self._task is not None:
            self._rows += rows
            self._progress.update(self._task, advance=consumed_bytes, rows=self._rows)

    def table_finished(self, table: TableSource) -> None:
        if self._task is not None:
            task = self._progress.tasks[self._task]
            self._progress.update(self._task, total=task.completed)


@click.group()
@click.version_option(__version__, prog_name="databorder")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """databorder: which personal data leaves for which recipient, and is that allowed?"""
    ctx.obj = {"debug": debug}


STORE_OPTION = click.option(
    "--store", "store_url", envvar="DATABORDER_STORE", metavar="URL",
    help="The run store: a SQLAlchemy URL or an SQLite path (default: $DATABORDER_STORE, else "
         ".databorder/store.sqlite in the working directory).")
NO_STORE_OPTION = click.option(
    "--no-store", "no_store", is_flag=True, help="Do not keep this run in the store.")


@cli.command()
@click.argument("targets", nargs=-1, required=True)
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the full inventory as JSON to this file.")
@click.option("--table", "tables", multiple=True,
              help="Only these database tables (name or glob); repeat for more.")
@click.option("--sample-rows", type=click.IntRange(min=10), default=SAMPLE_ROWS,
              show_default=True, help="Rows sampled to classify each table's columns.")
@click.option("--exact-limit", type=click.IntRange(min=1), default=DEFAULT_EXACT_LIMIT,
              show_default=True, help="Distinct values counted exactly before a sketch is used.")
@click.option("--no-progress", is_flag=True, help="Do not draw progress bars.")
@STORE_OPTION
@NO_STORE_OPTION
def scan(targets: tuple[str, ...], json_path: Path | None, tables: tuple[str, ...],
         sample_rows: int, exact_limit: int, no_progress: bool, store_url: str | None,
         no_store: bool) -> None:
    """Inventory sensitive data in files, folders and databases (paths or SQLAlchemy URLs)."""
    console = _stdout()
    options = ScanOptions(sample_rows=sample_rows, exact_limit=exact_limit, tables=tables)
    recording = _start_recording(store_url, "scan", {
        "targets": list(targets), "tables": list(tables), "sample_rows": sample_rows,
        "exact_limit": exact_limit, "json": str(json_path) if json_path else None},
        keep=not no_store)
    if no_progress or not console.is_terminal:
        inventory = scan_targets(targets, options, QuietObserver())
    else:
        with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                      TransferSpeedColumn(), TextColumn("{task.fields[rows]:,} rows"),
                      TimeElapsedColumn(), console=console, transient=False) as progress:
            inventory = scan_targets(targets, options, ProgressObserver(progress))
    print_inventory(inventory, console)
    failed = bool(inventory.errors)
    for problem in inventory.errors:
        click.echo(f"error: {problem.reason}", err=True)
    if json_path is not None:
        written = _write("inventory", lambda: write_json(inventory, json_path), json_path,
                         console)
        failed = failed or not written
    if recording is not None:
        console.print(recording.finish(inventory=inventory.to_json()))
    if failed:
        sys.exit(EXIT_INPUT_ERRORS)


IP_DB_OPTION = click.option(
    "--ip-db", "ip_db_paths", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
    help="A MaxMind-format .mmdb (GeoLite2-ASN and/or GeoLite2-Country/City; up to two) to use "
         "instead of the bundled IP data.")


@cli.command()
@click.argument("logs", nargs=-1, required=True)
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every group and destination as JSON to this file.")
@click.option("--knowledge", "knowledge_path", type=click.Path(dir_okay=False, path_type=Path),
              help="A YAML file of entities that adds to or overrides the bundled ones.")
@IP_DB_OPTION
@click.option("--no-progress", is_flag=True, help="Do not draw a progress bar.")
@STORE_OPTION
@NO_STORE_OPTION
def flows(logs: tuple[str, ...], json_path: Path | None, knowledge_path: Path | None,
          ip_db_paths: tuple[Path, ...], no_progress: bool, store_url: str | None,
          no_store: bool) -> None:
    """Who receives our egress: destinations by ultimate parent and jurisdiction."""
    console = _stdout()
    recording = _start_recording(store_url, "flows", {
        "logs": list(logs), "knowledge": str(knowledge_path) if knowledge_path else None,
        "ip_db": [str(p) for p in ip_db_paths], "json": str(json_path) if json_path else None},
        keep=not no_store)
    # imported here: attribution data and its libraries load only for the commands using them
    from databorder.attribute.entities import KnowledgeBase
    from databorder.attribute.ip import IpDatabase
    from databorder.destinations import write_json as write_flows
    from databorder.engine.flows import run_flows, total_size
    from databorder.report.flows_terminal import print_flows

    knowledge = KnowledgeBase.bundled(knowledge_path)
    ip_db = IpDatabase.from_mmdb(*ip_db_paths) if ip_db_paths else None
    if no_progress or not console.is_terminal:
        result = run_flows(logs, knowledge, ip_db=ip_db)
    else:
        with Progress(TextColumn("reading logs"), BarColumn(), DownloadColumn(),
                      TransferSpeedColumn(), TimeElapsedColumn(), console=console) as progress:
            task = progress.add_task("logs", total=total_size(logs) or None)
            result = run_flows(logs, knowledge, lambda n: progress.update(task, advance=n),
                               ip_db=ip_db)
    print_flows(result, console)
    failed = bool(result.problems)
    for problem in result.problems:
        click.echo(f"error: {problem}", err=True)
    if json_path is not None:
        failed |= not _write("flows", lambda: write_flows(result, json_path), json_path, console)
    if recording is not None:
        from databorder.destinations import to_json as flows_json

        console.print(recording.finish(flows=flows_json(result)))
    if failed:
        sys.exit(EXIT_INPUT_ERRORS)


@cli.command()
@click.argument("target")
@click.option("--knowledge", "knowledge_path", type=click.Path(dir_okay=False, path_type=Path),
              help="A YAML file of entities that adds to or overrides the bundled ones.")
@IP_DB_OPTION
def whois(target: str, knowledge_path: Path | None, ip_db_paths: tuple[Path, ...]) -> None:
    """The attribution chain of an IP address, a host name or an organisation name."""
    from databorder.attribute.entities import KnowledgeBase
    from databorder.attribute.ip import IpDatabase
    from databorder.attribute.whois import whois as lookup_whois
    from databorder.report.flows_terminal import print_whois

    ip_db = IpDatabase.from_mmdb(*ip_db_paths) if ip_db_paths else None
    answer = lookup_whois(target, KnowledgeBase.bundled(knowledge_path), ip_db)
    print_whois(answer, _stdout())


@cli.command()
@click.option("--store", "store", envvar="DATABORDER_STORE",
              help="Store URL or SQLite path (default .databorder/store.sqlite).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; any but loopback needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--token", envvar="DATABORDER_TOKEN",
              help="Access token every request must carry (Bearer header, or ?token= once "
                   "in a browser); 'generate' prints a new one.")
def serve(store: str | None, host: str, port: int, token: str | None) -> None:
    """The web dashboard and JSON API over the store."""
    from databorder.web.security import check_bind, new_token

    if token == "generate":
        token = new_token()
        click.echo(f"access token: {token}", err=True)
    check_bind(host, token)
    import uvicorn

    from databorder.errors import UsageError
    from databorder.store.recording import open_if_kept
    from databorder.web.app import create_app

    opened = open_if_kept(store)
    if opened is None:
        raise UsageError("no store here: name one with --store URL or $DATABORDER_STORE, or "
                         "run databorder audit first")
    app = create_app(opened, token)
    shown = f"[{host}]" if ":" in host else host
    _stdout().print(f"serving the dashboard at http://{shown}:{port}/ (Ctrl-C stops)")
    # no access log: a browser's first request carries the token in its query string
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@cli.command()
@click.argument("target", type=click.Path(path_type=Path))
@STORE_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the report and run.json (default: the configuration's "
                   "output.dir, else ./databorder-report).")
@click.option("--format", "formats", multiple=True, metavar="FORMAT",
              help="Report format (html, sarif, md, csv, json ...); repeat for more "
                   "(default html).")
def audit(target: Path, store_url: str | None, out_dir: Path | None,
          formats: tuple[str, ...]) -> None:
    """The whole job on a folder, a file or a databorder.yaml: scan, flows, rules, stored run,
    report."""
    from databorder.audit import DEFAULT_OUT, plan, run_audit
    from databorder.report.audit_terminal import print_audit_summary
    from databorder.store import Store

    console = _stdout()
    audit_plan = plan(target, exclude=[out_dir or DEFAULT_OUT])
    out = out_dir or audit_plan.out or DEFAULT_OUT
    with Store.open(store_url or audit_plan.store) as store:
        result = run_audit(audit_plan, store, out, formats or audit_plan.formats or ("html",),
                           notify=lambda line: console.print(line, style="dim"))
        console.print(f"run {result.run_id} kept in {store.url}")
    for problem in result.problems:
        click.echo(f"error: {problem}", err=True)
    for path in result.written:
        console.print(f"written: {path}")
    print_audit_summary(result.document, result.written, console)
    if result.problems:
        sys.exit(EXIT_INPUT_ERRORS)


@cli.command()
@STORE_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
def runs(store_url: str | None, as_json: bool) -> None:
    """The runs kept in the store: id, command, status (incomplete too), times and counts."""
    import json

    from databorder.store.recording import open_if_kept
    from databorder.store.terminal import print_runs

    store = open_if_kept(store_url)
    found = store.runs() if store is not None else []
    if as_json:
        click.echo(json.dumps([run.to_json() for run in found], indent=2, ensure_ascii=False))
    else:
        print_runs(found, _stdout(), store.url if store else None)
    if store is not None:
        store.close()


@cli.command()
@click.argument("run_a")
@click.argument("run_b")
@STORE_OPTION
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the differences as JSON to this file.")
def diff(run_a: str, run_b: str, store_url: str | None, json_path: Path | None) -> None:
    """What is new or gone between two runs (ids, 'latest' or 'latest~N')."""
    from databorder.atomic import write_json_atomically
    from databorder.errors import UsageError
    from databorder.store import diff_runs
    from databorder.store.recording import open_if_kept
    from databorder.store.terminal import print_diff

    console = _stdout()
    store = open_if_kept(store_url)
    if store is None:
        raise UsageError("no store here: name one with --store URL or $DATABORDER_STORE")
    with store:
        result = diff_runs(store, store.resolve(run_a), store.resolve(run_b))
    print_diff(result, console)
    if json_path is not None and not _write(
            "differences", lambda: write_json_atomically(result.to_json(), json_path),
            json_path, console):
        sys.exit(EXIT_INPUT_ERRORS)


@cli.command()
@click.argument("run_ref", metavar="RUN")
@click.option("--format", "fmt", default="html", show_default=True, metavar="FORMAT",
              help="html, json, sarif, csv (fields), csv-destinations, csv-findings or md.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file (atomically); default: standard output.")
@STORE_OPTION
def report(run_ref: str, fmt: str, out_path: Path | None, store_url: str | None) -> None:
    """A stored run as a report: RUN is an id, 'latest' or 'latest~N'."""
    from databorder.errors import UsageError
    from databorder.report.render import render, write_report
    from databorder.store.recording import open_if_kept

    if out_path is None and fmt == "html" and sys.stdout.isatty():
        raise UsageError("the HTML report is one page of about 5 MB: write it with --out FILE "
                         "(or redirect standard output)")
    store = open_if_kept(store_url)
    if store is None:
        raise UsageError("no store here: name one with --store URL or $DATABORDER_STORE")
    with store:
        document = store.run_document(store.resolve(run_ref))
    if out_path is None:
        click.echo(render(document, fmt), nl=False)
    elif not _write(f"{fmt} report", lambda: write_report(document, fmt, out_path), out_path,
                    _stdout()):
        sys.exit(EXIT_INPUT_ERRORS)


@cli.command()
@click.option("--inventory", "inventory_path", type=click.Path(dir_okay=False, path_type=Path),
              help="A scan inventory JSON (databorder.inventory/1).")
@click.option("--flows", "flows_path", type=click.Path(dir_okay=False, path_type=Path),
              help="A flows result JSON (databorder.flows/1).")
@click.option("--transfers", "transfers_path",
              type=click.Path(dir_okay=False, path_type=Path),
              help="A transfer file (YAML, databorder.transfers/1; docs/transfer-file.md).")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Judge by the law in force on this date (default today); a transfer's own "
                   "date takes precedence.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the findings as JSON (databorder.findings/1) to this file.")
@STORE_OPTION
@NO_STORE_OPTION
def assess(inventory_path: Path | None, flows_path: Path | None, transfers_path: Path | None,
           on: datetime | None, json_path: Path | None, store_url: str | None,
           no_store: bool) -> None:
    """Judge transfers against the regimes' rules: outcome, actions, citations."""
    from databorder.assess import assess as judge
    from databorder.assess import findings_document, load_facts
    from databorder.assess.terminal import print_findings
    from databorder.atomic import write_json_atomically
    started = datetime.now(UTC)
    as_of = on.date() if on else started.date()
    facts = load_facts(inventory_path, flows_path, transfers_path)
    recording = _start_recording(store_url, "assess", {
        "inventory": _optional_path(inventory_path), "flows": _optional_path(flows_path),
        "transfers": _optional_path(transfers_path), "on": as_of.isoformat(),
        "json": _optional_path(json_path)}, keep=not no_store)
    findings = judge(facts, as_of)
    console = _stdout()
    print_findings(findings, console)
    document = findings_document(findings, started, datetime.now(UTC), as_of)
    if recording is not None:
        console.print(recording.finish(findings=dict(document)))
    if json_path is not None and not _write(
            "findings", lambda: write_json_atomically(document, json_path), json_path, console):
        sys.exit(EXIT_INPUT_ERRORS)


@cli.group()
def rules() -> None:
    """The regime rules assess applies, with their citations."""


@rules.command("list")
@click.option("--regime", help="Only this regime (e.g. US-DOJ-DSP, US-PADFA, CN-PIPL, EU-GDPR).")
def rules_list(regime: str | None) -> None:
    """Every rule: code, regime, name, outcome, date in force and citation."""
    from databorder.assess.pack import bundled_packs
    from databorder.assess.terminal import print_rule_list
    from databorder.errors import UsageError

    packs = [p for p in bundled_packs() if regime is None or p.regime.id == regime.upper()]
    if not packs:
        known = ", ".join(p.regime.id for p in bundled_packs())
        raise UsageError(f"unknown regime {regime!r} (known: {known})")
    print_rule_list(packs, _stdout())


@rules.command("show")
@click.argument("code")
def rules_show(code: str) -> None:
    """One rule in full: trigger summary, actions with deadlines, every citation."""
    from databorder.assess.pack import all_rules
    from databorder.assess.terminal import print_rule
    from databorder.errors import UsageError

    found = [(p, r) for p, r in all_rules() if r.code == code.upper()]
    if not found:
        raise UsageError(f"unknown rule {code!r} (see `databorder rules list`)")
    print_rule(*found[0], _stdout())


def _optional_path(path: Path | None) -> str | None:
    return str(path) if path is not None else None


def _start_recording(url: str | None, command: str, arguments: dict[str, Any],
                     keep: bool) -> Recording | None:
    """The run begun in the store, or None with ``--no-store`` (which then never loads the
    store's libraries)."""
    if not keep:
        return None
    from databorder.store.recording import start_recording

    return start_recording(url, command, arguments)


def _stdout() -> Console:
    console = Console(emoji=False, highlight=False)
    if not console.is_terminal:
        console = Console(emoji=False, highlight=False, width=PIPED_WIDTH)
    return console


def _write(what: str, write: Callable[[], None], path: Path, console: Console) -> bool:
    try:
        write()
    except OSError as error:
        click.echo(f"error: cannot write {what} to {path}: {error.strerror or error}", err=True)
        return False
    console.print(f"{what} written to {path}")
    return True


def main() -> None:
    debug = "--debug" in sys.argv[1:]
    disable_huge_pages()
    try:
        cli(standalone_mode=True)
    except DataborderError as error:
        if debug:
            raise
        click.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
    except Exception as error:  # a bug: say where, but never the message, which may hold data
        if debug:
            raise
        frame = traceback.extract_tb(error.__traceback__)[-1]
        click.echo(f"error: internal error ({type(error).__name__} at "
                   f"{Path(frame.filename).name}:{frame.lineno}); run with --debug for the "
                   "traceback", err=True)
        sys.exit(EXIT_INTERNAL_ERROR)
