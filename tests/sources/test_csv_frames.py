"""``CsvSource.frames``: Polars' parser for plain files, Arrow's wherever Polars cannot be exact.

Every case compares the frames with the Arrow batches of the same file, cell for cell.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest
from source_helpers import only_source

from databorder.errors import ReadError
from databorder.sources.csv import CsvSource


def csv_source(path: Path) -> CsvSource:
    source = only_source(path)
    assert isinstance(source, CsvSource)
    return source


def frame_rows(source: CsvSource, rows: int = 65_536) -> list[dict[str, str | None]]:
    return [row for frame in source.frames(rows=rows) for row in frame.to_dicts()]


def batch_rows(source: CsvSource) -> list[dict[str, str | None]]:
    return [row for batch in source.batches() for row in batch.to_pylist()]


CASES = {
    "quoted.csv": 'id,name,note\n1,"Ana\nMarquez","say ""hi"""\n2,"",x\n3,Bo,"a,b"\n',
    "crlf.csv": "id,email,city\r\n1,a@example.com,Köln\r\n2,,Paris\r\n",
    "bom.csv": "\ufeffid,email,city\n1,a@example.com,Lyon\n",
    "semicolon.csv": "id;email;city\n1;a@example.com;Wien\n2;b@example.com;Graz\n",
    "pipe.psv": "id|email|city\n1|a@example.com|Bern\n",
    "tabs.tsv": "id\temail\tcity\n1\ta@example.com\tZug\n2\t\tBasel\n",
    "headless.csv": "0042,alice@example.com,02134\n0043,bob@example.com,00501\n",
    "duplicate_names.csv": "email,email,city\na@example.com,b@example.com,Oslo\n",
    "unicode.csv": "名字,电话,城市\n张伟,+86 138 0013 8000,北京\n",
    "spaces.csv": "id,email,city\n1,  a@example.com  , Rome \n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_frames_hold_the_cells_arrow_reads(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(CASES[name], encoding="utf-8")
    source = csv_source(path)
    assert frame_rows(source) == batch_rows(source)


def test_frames_come_in_the_size_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("id,email,city\n" + "".join(f"{i},u{i}@example.com,Nice\n"
                                                 for i in range(1000)))
    source = csv_source(path)
    heights = [frame.height for frame in source.frames(rows=300)]
    assert heights == [300, 300, 300, 100]
    assert frame_rows(source, rows=300) == batch_rows(source)


def test_a_blank_line_is_skipped_as_arrow_skips_it(tmp_path: Path) -> None:
    """Polars reads a blank line as a row of empty fields: its frame is left to Arrow."""
    path = tmp_path / "blank.csv"
    path.write_text("id,email,city\n1,a@example.com,Metz\n\n2,b@example.com,Nancy\n")
    source = csv_source(path)
    assert frame_rows(source) == batch_rows(source)
    assert len(frame_rows(source)) == 2


def test_an_empty_last_field_is_kept_as_null(tmp_path: Path) -> None:
    path = tmp_path / "empty_last.csv"
    path.write_text("id,email,city\n1,a@example.com,\n2,b@example.com,Dijon\n")
    source = csv_source(path)
    assert frame_rows(source) == batch_rows(source)
    assert frame_rows(source)[0]["city"] is None


def test_a_short_row_after_the_first_frames_is_reported_at_its_line(tmp_path: Path) -> None:
    """Frames Polars gave stand; Arrow reads on from the first row not given, and fails
    where Arrow alone fails."""
    path = tmp_path / "short.csv"
    lines = [f"{i},u{i}@example.com,Caen\n" for i in range(500)]
    lines[420] = "420,u420@example.com\n"
    path.write_text("id,email,city\n" + "".join(lines))
    source = csv_source(path)
    given: list[pl.DataFrame] = []
    with pytest.raises(ReadError) as info:
        for frame in source.frames(rows=100):
            given.append(frame)
    assert str(info.value).endswith(":422: expected 3 fields, found 2")
    assert sum(frame.height for frame in given) == 400
    assert [r["id"] for f in given for r in f.to_dicts()] == [str(i) for i in range(400)]


def test_a_long_row_is_reported_as_arrow_reports_it(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("id,email,city\n1,a@example.com,Pau\n2,b@example.com,Pau,extra\n")
    source = csv_source(path)
    with pytest.raises(ReadError, match=r":3: expected 3 fields, found 4"):
        frame_rows(source)


def test_cells_that_are_not_utf8_are_decoded_as_arrow_decodes_them(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,name,city\n1,Jos\xe9,Le\xf3n\n2,Ana,Vigo\n".encode("latin-1"))
    source = csv_source(path)
    assert frame_rows(source) == batch_rows(source)
    assert frame_rows(source)[0]["name"] == "José"


def test_a_compressed_file_is_read_by_arrow(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress(b"id,email,city\n1,a@example.com,Brest\n"))
    source = csv_source(path)
    assert frame_rows(source) == batch_rows(source) == [
        {"id": "1", "email": "a@example.com", "city": "Brest"}]


def test_progress_adds_up_to_the_file_size(tmp_path: Path) -> None:
    path = tmp_path / "progress.csv"
    path.write_text("id,email,city\n" + "".join(f"{i},u{i}@example.com,Albi\n"
                                                 for i in range(5000)))
    source = csv_source(path)
    steps: list[int] = []
    for _ in source.frames(progress=steps.append, rows=1000):
        pass
    assert all(step > 0 for step in steps)
    assert len(steps) > 2
    assert sum(steps) == path.stat().st_size


def test_only_the_columns_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "columns.csv"
    path.write_text("id,email,city\n1,a@example.com,Agen\n")
    frames = list(csv_source(path).frames(["email"]))
    assert [frame.columns for frame in frames] == [["email"]]
