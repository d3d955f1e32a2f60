"""The ``databorder`` command line: one small function per command, no logic."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path

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
from databorder.report.terminal import print_inventory
from databorder.sources.base import TableSource

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
def scan(targets: tuple[str, ...], json_path: Path | None, tables: tuple[str, ...],
         sample_rows: int, exact_limit: int, no_progress: bool) -> None:
    """Inventory sensitive data in files, folders and databases (paths or SQLAlchemy URLs)."""
    console = _stdout()
    options = ScanOptions(sample_rows=sample_rows, exact_limit=exact_limit, tables=tables)
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
def flows(logs: tuple[str, ...], json_path: Path | None, knowledge_path: Path | None,
          ip_db_paths: tuple[Path, ...], no_progress: bool) -> None:
    """Who receives our egress: destinations by ultimate parent and jurisdiction."""
    console = _stdout()
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
