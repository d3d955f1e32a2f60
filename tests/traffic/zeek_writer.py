"""Writes small Zeek TSV logs in Zeek's own header layout, for tests."""

from __future__ import annotations

from pathlib import Path

CONN_FIELDS = [
    "ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service",
    "duration", "orig_bytes", "resp_bytes", "conn_state",
]
CONN_TYPES = [
    "time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count",
    "count", "string",
]
DNS_FIELDS = [
    "ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "query", "answers",
]
DNS_TYPES = ["time", "string", "addr", "port", "addr", "port", "enum", "string", "vector[string]"]
SSL_FIELDS = [
    "ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "version", "server_name",
]
SSL_TYPES = ["time", "string", "addr", "port", "addr", "port", "string", "string"]


def zeek_header(path: str, fields: list[str], types: list[str]) -> str:
    return (
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
        f"#path\t{path}\n#open\t2024-01-01-00-00-00\n#fields\t" + "\t".join(fields) +
        "\n#types\t" + "\t".join(types) + "\n"
    )


def write_zeek(file: Path, path: str, fields: list[str], types: list[str],
               rows: list[list[str]], close: bool = True) -> Path:
    text = zeek_header(path, fields, types) + "".join("\t".join(r) + "\n" for r in rows)
    if close:
        text += "#close\t2024-01-01-01-00-00\n"
    file.write_text(text)
    return file
