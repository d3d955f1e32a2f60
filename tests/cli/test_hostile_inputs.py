"""``databorder scan`` on broken, odd and unfriendly inputs.

Unreadable inputs: one ``error:`` line each on stderr naming the file (and line), exit 1, and the
rest of the run still scanned. Files no reader takes: skipped with a note, exit 0. Odd but valid
files: scanned, exit 0. The JSON inventory is replaced atomically or not at all.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from click.testing import CliRunner, Result

import databorder.cli
from databorder.cli import cli
from databorder.sources.text import MAX_LINE_BYTES

RunScan = Callable[..., subprocess.CompletedProcess[str]]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
GOOD_EMAILS = 20


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def invoke(*args: str | Path) -> Result:
    """``databorder scan ARGS`` in this process through Click's runner."""
    return CliRunner().invoke(cli, ["scan", "--no-progress", *map(str, args)])


def fields_of(inventory: dict[str, Any], source: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["field"], f["category"]): f for f in inventory["fields"]
            if f["source"] == str(source)}


def sources_of(inventory: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["source"]: s for s in inventory["sources"]}


def write_good_csv(folder: Path) -> Path:
    path = folder / "good.csv"
    path.write_text("email\n" + "".join(f"good{i}@example.org\n" for i in range(GOOD_EMAILS)),
                    encoding="utf-8")
    return path


def assert_good_scanned(inventory: dict[str, Any], good: Path) -> None:
    field = fields_of(inventory, good)[("email", "email")]
    assert (field["rows"], field["distinct"]) == (GOOD_EMAILS, GOOD_EMAILS)


def csv_text(rows: int) -> str:
    """A CSV whose compressed form is ~100 KB, so a fault late in it lies past the 64 KiB head."""
    rng = random.Random(rows)
    return "name,email\n" + "".join(
        f"P{rng.getrandbits(40)},user{rng.getrandbits(40)}@example.com\n" for _ in range(rows))


def flip_bytes(data: bytes, at: float, count: int = 64) -> bytes:
    start = int(len(data) * at)
    damaged = bytearray(data)
    for i in range(start, start + count):
        damaged[i] ^= 0x5A
    return bytes(damaged)


# --- unreadable inputs: exit 1, one line each, the rest still scanned ------------------------

def _make_bad_inputs(folder: Path) -> dict[str, str]:
    """Bad files in ``folder``; returns ``{file name: expected message after the path}``."""
    folder.mkdir()
    rows = ["name,email"] + [f"P{i},user{i}@example.com" for i in range(1, 3000)]
    rows.insert(2500, "Leaky,leak.person@example.com,extra")  # physical line 2501
    (folder / "fields.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines = [json.dumps({"email": f"u{i}@example.com"}) for i in range(10)]
    lines[5] = '{"email": "broken.person@example.com'
    (folder / "events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    packed = gzip.compress(csv_text(20_000).encode())
    (folder / "export.csv.gz").write_bytes(packed[: int(len(packed) * 0.9)])
    packed = zstandard.ZstdCompressor(write_checksum=True).compress(csv_text(20_000).encode())
    (folder / "export.csv.zst").write_bytes(flip_bytes(packed, 0.9))
    table = pa.table({"email": [f"user{i}@example.com" for i in range(2000)]})
    pq.write_table(table, folder / "customers.parquet")
    whole = (folder / "customers.parquet").read_bytes()
    (folder / "customers.parquet").write_bytes(whole[: len(whole) // 2])
    (folder / "noise.csv.zst").write_bytes(random.Random(5).randbytes(5000))
    return {
        "fields.csv": ":2501: expected 2 fields, found 3",
        "events.jsonl": ":6: invalid JSON",
        "export.csv.gz": ": truncated gzip stream",
        "export.csv.zst": ": corrupt zstd stream",
        "customers.parquet": ": not a valid Parquet file",
        "noise.csv.zst": ": named .zst but not a zstd stream",
    }


@pytest.fixture(scope="module")
def bad_run(
    tmp_path_factory: pytest.TempPathFactory, run_scan: RunScan
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], dict[str, str], Path]:
    """One run over a folder of bad files plus a good one, and a missing path."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "inputs"
    expected = {str(folder / name): f"{folder / name}{tail}"
                for name, tail in _make_bad_inputs(folder).items()}
    write_good_csv(folder)
    missing = root / "missing.csv"
    expected[str(missing)] = f"{missing}: no such file or directory"
    out = root / "inventory.json"
    done = run_scan(folder, missing, json_path=out)
    return done, load(out), expected, folder


def test_bad_inputs_exit_1_and_the_rest_is_scanned(
    bad_run: tuple[subprocess.CompletedProcess[str], dict[str, Any], dict[str, str], Path],
) -> None:
    done, inventory, expected, folder = bad_run
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert {e["source"]: e["reason"] for e in inventory["errors"]} == expected
    assert_good_scanned(inventory, folder / "good.csv")
    assert inventory["skipped"] == []
    assert "inventory written to" in done.stdout


@pytest.mark.parametrize("name", ["fields.csv", "events.jsonl", "export.csv.gz",
                                  "export.csv.zst", "customers.parquet", "noise.csv.zst",
                                  "missing.csv"])
def test_each_error_is_one_line_naming_file_and_line(
    name: str,
    bad_run: tuple[subprocess.CompletedProcess[str], dict[str, Any], dict[str, str], Path],
) -> None:
    done, _, expected, folder = bad_run
    source = next(s for s in expected if Path(s).name == name)
    lines = [line for line in done.stderr.splitlines() if source in line]
    assert lines == [f"error: {expected[source]}"]
    # the offending content is never echoed
    assert "leak.person" not in done.stderr and "broken.person" not in done.stderr


@pytest.mark.parametrize("name", ["fields.csv", "events.jsonl", "export.csv.gz",
                                  "export.csv.zst", "customers.parquet", "noise.csv.zst"])
def test_each_bad_input_alone_exits_1(
    name: str,
    bad_run: tuple[subprocess.CompletedProcess[str], dict[str, Any], dict[str, str], Path],
    tmp_path: Path,
) -> None:
    _, _, expected, folder = bad_run
    out = tmp_path / "inventory.json"
    result = invoke(folder / name, folder / "good.csv", "--json", out)
    assert result.exit_code == 1, result.output
    inventory = load(out)
    assert [e["reason"] for e in inventory["errors"]] == [expected[str(folder / name)]]
    assert_good_scanned(inventory, folder / "good.csv")


@pytest.mark.parametrize("kind", ["truncated-gzip", "corrupt-zstd-header", "corrupt-gzip"])
def test_small_damaged_compressed_file_is_an_error(kind: str, tmp_path: Path) -> None:
    text = csv_text(200).encode()
    if kind == "truncated-gzip":
        path, expected = tmp_path / "small.csv.gz", "truncated gzip stream"
        packed = gzip.compress(text)
        path.write_bytes(packed[: len(packed) // 2])
    elif kind == "corrupt-gzip":
        path, expected = tmp_path / "small.csv.gz", "corrupt gzip stream"
        path.write_bytes(flip_bytes(gzip.compress(text), 0.5))
    else:
        path, expected = tmp_path / "small.csv.zst", "corrupt zstd stream"
        path.write_bytes(b"\x28\xb5\x2f\xfd" + bytes(range(200)))
    good = write_good_csv(tmp_path)
    out = tmp_path / "inventory.json"
    result = invoke(path, good, "--json", out)
    inventory = load(out)
    assert_good_scanned(inventory, good)
    assert inventory["skipped"] == []
    assert [e["source"] for e in inventory["errors"]] == [str(path)]
    compression = expected.split()[1]
    assert re.fullmatch(rf"{re.escape(str(path))}: (truncated|corrupt) {compression} stream",
                        inventory["errors"][0]["reason"])
    assert result.exit_code == 1


def test_errors_stay_on_one_line_at_default_width(run_scan: RunScan, tmp_path: Path) -> None:
    folder = tmp_path / ("a-rather-long-folder-name-as-exports-tend-to-have-" * 2)
    folder.mkdir()
    bad = folder / "customer-export-2024-03-01.csv"
    bad.write_text("name,email\nA,a@example.com\nB,b@example.com,extra\n", encoding="utf-8")
    done = run_scan(bad, env={"COLUMNS": ""})
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"error: {bad}:3: expected 2 fields, found 3"]


@pytest.mark.skipif(IS_ROOT, reason="root reads files whatever their mode")
@pytest.mark.parametrize("entry", ["file", "directory"])
def test_unreadable_entry_in_a_folder_is_an_error(entry: str, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    good = write_good_csv(folder)
    locked = folder / ("secret.csv" if entry == "file" else "locked")
    if entry == "file":
        locked.write_text("email\nx@example.com\n", encoding="utf-8")
    else:
        locked.mkdir()
        (locked / "inner.csv").write_text("email\nx@example.com\n", encoding="utf-8")
    locked.chmod(0)
    try:
        out = tmp_path / "inventory.json"
        result = invoke(folder, "--json", out)
    finally:
        locked.chmod(0o700)
    assert result.exit_code == 1
    inventory = load(out)
    assert [e["source"] for e in inventory["errors"]] == [str(locked)]
    assert str(locked) in result.stderr
    assert_good_scanned(inventory, good)


# --- files no reader takes: skipped with a note, exit 0 --------------------------------------

SKIPPABLE = {
    "photo.png": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary file (PNG image)"),
    "bundle.zip": (b"PK\x03\x04" + bytes(range(256)) * 4, "binary file (ZIP archive)"),
    "empty.csv": (b"", "empty file"),
    "blob.dat": (random.Random(3).randbytes(4096), "binary file of unknown format"),
}


@pytest.mark.parametrize("name", sorted(SKIPPABLE))
def test_unscannable_file_is_skipped_with_a_note(name: str, tmp_path: Path) -> None:
    content, reason = SKIPPABLE[name]
    path = tmp_path / name
    path.write_bytes(content)
    good = write_good_csv(tmp_path)
    out = tmp_path / "inventory.json"
    result = invoke(tmp_path, "--json", out)
    assert result.exit_code == 0, result.output
    inventory = load(out)
    assert inventory["skipped"] == [{"source": str(path), "reason": reason}]
    assert inventory["errors"] == []
    assert f"skipped {path}: {reason}" in result.stdout
    assert result.stderr == ""
    assert set(sources_of(inventory)) == {str(good)}
    assert_good_scanned(inventory, good)


# --- odd but valid inputs: scanned, exit 0 ---------------------------------------------------

def test_fifty_megabyte_single_line(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    with path.open("w", encoding="ascii") as out:
        out.write("contact first.person@example.com ")
        block = "lorem ipsum dolor sit amet " * 4000
        for _ in range(50 * 2**20 // len(block) + 1):
            out.write(block)
        out.write("and at the very end last.person@example.net")
        out.write("\nsecond line: other.person@example.org\n")
    long_line = path.stat().st_size - len("\nsecond line: other.person@example.org\n")
    assert long_line > 50 * 2**20
    report = tmp_path / "inventory.json"
    result = invoke(path, "--json", report)
    assert result.exit_code == 0, result.output
    inventory = load(report)
    # the long line is read in pieces of at most 1 MiB, each a row, cut after a space
    pieces = sources_of(inventory)[str(path)]["rows"] - 1
    assert long_line / MAX_LINE_BYTES <= pieces <= long_line / (MAX_LINE_BYTES - 4096) + 1
    emails = fields_of(inventory, path)[("text", "email")]
    assert (emails["distinct"], emails["rows"]) == (3, 3)


def _nested(depth: int, leaf: dict[str, Any]) -> dict[str, Any]:
    value = leaf
    for _ in range(depth):
        value = {"k": value}
    return value


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_json_nested_200_deep(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"deep{suffix}"
    records = [_nested(200, {"email": f"deep{i}@example.com"}) for i in range(3)]
    if suffix == ".json":
        path.write_text(json.dumps(records), encoding="utf-8")
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "inventory.json"
    result = invoke(path, "--json", out)
    assert result.exit_code == 0, result.output
    field = fields_of(load(out), path)[(".".join(["k"] * 200 + ["email"]), "email")]
    assert (field["rows"], field["distinct"]) == (3, 3)


@pytest.mark.parametrize("shape", ["list-of-strings", "list-of-lists"])
def test_json_values_inside_lists_are_found(shape: str, tmp_path: Path) -> None:
    path = tmp_path / "contacts.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(30):
            emails = [f"a{i}@example.com", f"b{i}@example.com"]
            value: list[Any] = emails if shape == "list-of-strings" else [
                [{"email": e}] for e in emails]
            out.write(json.dumps({"id": i, "emails": value}) + "\n")
    report = tmp_path / "inventory.json"
    assert invoke(path, "--json", report).exit_code == 0
    assert load(report)["categories"]["email"]["distinct"] == 60


def test_csv_with_5000_columns(run_scan: RunScan, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    header = ",".join(f"c{i}" for i in range(5000)) + ",email"
    body = "".join(",".join(str((r * j) % 97) for j in range(5000)) + f",wide{r}@example.com\n"
                   for r in range(20))
    path.write_text(header + "\n" + body, encoding="utf-8")
    out = tmp_path / "inventory.json"
    done = run_scan(path, json_path=out, timeout=10)
    assert done.returncode == 0, done.stderr
    assert fields_of(load(out), path)[("email", "email")]["distinct"] == 20


LATIN1_FIRST = ("Émile", "Ångström", "Çelik", "Élodie", "Øystein", "Íñigo")
LATIN1_LAST = ("Müller", "Lefèvre", "Brontë", "Núñez", "Søren", "Gómez")


def _write_latin1_csv(path: Path) -> None:
    rows = [f"{LATIN1_FIRST[i % 6]} {LATIN1_LAST[i // 6 % 6]},user{i}@example.com,Zürich"
            for i in range(36)]
    path.write_bytes(("full_name,email,city\n" + "\n".join(rows) + "\n").encode("latin-1"))


def test_latin1_csv_is_scanned(tmp_path: Path) -> None:
    path = tmp_path / "kunden.csv"
    _write_latin1_csv(path)
    out = tmp_path / "inventory.json"
    result = invoke(path, "--json", out)
    assert result.exit_code == 0, result.output
    inventory = load(out)
    assert sources_of(inventory)[str(path)]["rows"] == 36
    assert fields_of(inventory, path)[("email", "email")]["distinct"] == 36


def test_latin1_csv_names_are_decoded(tmp_path: Path) -> None:
    path = tmp_path / "kunden.csv"
    _write_latin1_csv(path)
    out = tmp_path / "inventory.json"
    assert invoke(path, "--json", out).exit_code == 0
    names = fields_of(load(out), path)[("full_name", "person_name")]
    assert {s[0] for s in names["masked_samples"]} <= {n[0] for n in LATIN1_FIRST}


def test_csv_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    rows = "".join(f"bom{i}@example.com,+49 30 1234567{i}\r\n" for i in range(10))
    path.write_bytes(b"\xef\xbb\xbf" + ("email,phone\r\n" + rows).encode("utf-8"))
    out = tmp_path / "inventory.json"
    result = invoke(path, "--json", out)
    assert result.exit_code == 0, result.output
    fields = fields_of(load(out), path)
    assert set(fields) == {("email", "email"), ("phone", "phone")}
    assert fields[("phone", "phone")]["distinct"] == 10
    assert not any(s.endswith("\r") for s in fields[("phone", "phone")]["masked_samples"])


def test_file_named_with_spaces_and_unicode(run_scan: RunScan, tmp_path: Path) -> None:
    folder = tmp_path / "Kunden Daten ü"
    folder.mkdir()
    path = folder / "客户 数据 [final] 📁.csv"
    path.write_text("email\n" + "".join(f"u{i}@example.com\n" for i in range(10)),
                    encoding="utf-8")
    out = tmp_path / "inventory.json"
    done = run_scan(folder, json_path=out)
    assert done.returncode == 0, done.stderr
    inventory = load(out)
    assert fields_of(inventory, path)[("email", "email")]["distinct"] == 10
    assert inventory["sources"][0]["source"] == str(path)
    assert path.name in done.stdout  # the full path may be folded over two lines


# --- the JSON inventory is replaced atomically ----------------------------------------------

PREVIOUS = '{"schema": "databorder.inventory/1", "note": "the previous run"}\n'


def test_interrupted_scan_leaves_previous_inventory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "inventory.json"
    out.write_text(PREVIOUS, encoding="utf-8")

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(databorder.cli, "scan_targets", interrupted)
    result = invoke(write_good_csv(tmp_path), "--json", out)
    assert result.exit_code != 0
    assert out.read_text(encoding="utf-8") == PREVIOUS


def test_failure_while_writing_leaves_previous_inventory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report" / "inventory.json"
    out.parent.mkdir()
    out.write_text(PREVIOUS, encoding="utf-8")

    def disk_full(obj: Any, handle: Any, **_: Any) -> None:
        handle.write(json.dumps(obj)[:100])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(json, "dump", disk_full)  # as write_json calls it
    result = invoke(write_good_csv(tmp_path), "--json", out)
    assert result.exit_code != 0
    assert out.read_text(encoding="utf-8") == PREVIOUS
    assert sorted(p.name for p in out.parent.iterdir()) == ["inventory.json"]


def test_successful_scan_replaces_previous_inventory(tmp_path: Path) -> None:
    out = tmp_path / "report" / "inventory.json"
    out.parent.mkdir()
    out.write_text(PREVIOUS, encoding="utf-8")
    good = write_good_csv(tmp_path)
    assert invoke(good, "--json", out).exit_code == 0
    assert_good_scanned(load(out), good)
    assert sorted(p.name for p in out.parent.iterdir()) == ["inventory.json"]


def test_unwritable_output_path_is_a_clear_error(run_scan: RunScan, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text(PREVIOUS, encoding="utf-8")
    out = blocker / "inventory.json"
    done = run_scan(write_good_csv(tmp_path), json_path=out)
    assert blocker.read_text(encoding="utf-8") == PREVIOUS
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = done.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith("error: ") and str(out) in errors[0]


@pytest.mark.skipif(IS_ROOT, reason="root writes into read-only folders")
def test_read_only_output_folder_keeps_previous_inventory(
    run_scan: RunScan, tmp_path: Path
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    out = folder / "inventory.json"
    out.write_text(PREVIOUS, encoding="utf-8")
    folder.chmod(0o500)
    try:
        done = run_scan(write_good_csv(tmp_path), json_path=out)
    finally:
        folder.chmod(0o700)
    assert done.returncode != 0
    assert out.read_text(encoding="utf-8") == PREVIOUS
    assert re.search(r"error|Error", done.stderr)
