"""What Zeek TSV and JSON logs share: field names, which fields make a flow, naming evidence.

Any Zeek log with a connection id (``id.orig_h`` ...) gives flow rows; ``conn.log`` adds byte
counts, ``ssl.log`` the TLS server name (SNI), ``http.log`` the ``Host`` header, ``dns.log``
queries and their answers. Field names are normalised to the default ``.`` scope separator
(``id_resp_h`` -> ``id.resp_h``), so logs written with ``Log::default_scope_sep = "_"`` read
the same.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from .flow import Kind

WANTED = ("ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto",
          "orig_bytes", "resp_bytes", "server_name", "host", "query", "answers")
NAME_FIELDS = ("server_name", "host", "query", "answers")
"""Free-text fields in which Zeek's ``\\xNN`` escapes are undone."""
NAMING_PATHS = {"dns", "ssl", "http"}
TCP_PATHS = {"ssl", "http", "ssh", "ftp", "smtp", "rdp", "smb_files", "smb_mapping", "x509",
             "files", "ntlm", "kerberos", "mysql", "irc", "socks", "sip", "pe"}
_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})")
_IP_ANSWER = r"^(\d{1,3}(\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}(\.\d{1,3}){0,3})$"


def normalise_field(name: str) -> str:
    """``id_orig_h`` -> ``id.orig_h`` (the ``_`` scope separator of some Zeek configs)."""
    if name.startswith("id_") and name.count("_") >= 2:
        return "id." + name[3:]
    return name


def unescape(value: str) -> str:
    """Undo Zeek's ``\\xNN`` escaping (separators and non-printable bytes in values)."""
    if "\\x" not in value:
        return value
    raw = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
    return raw.encode("latin-1", errors="replace").decode("utf-8", errors="replace") \
        if all(ord(c) < 256 for c in raw) else raw


def unescape_names(frame: pl.DataFrame) -> pl.DataFrame:
    """Unescape the name-bearing text columns, only where a row holds an escape."""
    fixes = []
    for column in NAME_FIELDS:
        if column in frame.columns and frame.schema[column] == pl.String and \
                frame[column].str.contains("\\x", literal=True).any():
            fixes.append(pl.col(column).map_elements(unescape, return_dtype=pl.String))
    return frame.with_columns(fixes) if fixes else frame


def path_kind(zeek_path: str | None, file: Path) -> tuple[str, Kind]:
    """The log's path (``conn``, ``dns`` ...) from ``#path``/``_path`` or the file name."""
    name = zeek_path or file.name.split(".")[0].lower()
    if name == "conn":
        return name, "flows"
    if name in NAMING_PATHS:
        return name, "names"
    return name, "events"


def clean_name(expr: pl.Expr) -> pl.Expr:
    """Host names lower-cased, without a trailing dot or a ``:port`` suffix."""
    return (expr.str.strip_chars().str.to_lowercase().str.strip_chars_end(".")
            .str.replace(r":\d+$", ""))


def flow_columns(frame: pl.DataFrame, zeek_path: str) -> pl.DataFrame:
    """Raw flow columns (text) from Zeek fields; ``line`` is carried along."""
    def col(name: str) -> pl.Expr:
        return pl.col(name) if name in frame.columns else pl.lit(None, pl.String)

    default_proto = "tcp" if zeek_path in TCP_PATHS else None
    name = pl.lit(None, pl.String)
    source = pl.lit(None, pl.String)
    if "server_name" in frame.columns:
        name, source = clean_name(col("server_name")), pl.lit("sni")
    elif "host" in frame.columns and zeek_path == "http":
        name, source = clean_name(col("host")), pl.lit("http_host")
    return frame.select(
        col("ts").alias("ts"),
        col("id.orig_h").alias("src_ip"),
        col("id.orig_p").alias("src_port"),
        col("id.resp_h").alias("dst_ip"),
        col("id.resp_p").alias("dst_port"),
        col("proto").fill_null(pl.lit(default_proto, pl.String)).alias("proto"),
        col("orig_bytes").alias("bytes_out"),
        col("resp_bytes").alias("bytes_in"),
        name.alias("name"),
        pl.when(name.is_not_null() & (name != "")).then(source).otherwise(None)
        .cast(pl.String).alias("name_source"),
        col("uid").alias("uid"),
        pl.col("line"),
    )


def name_columns(frame: pl.DataFrame, zeek_path: str) -> pl.DataFrame:
    """Raw naming records: SNI / Host per connection, one row per DNS answer address."""
    flows = flow_columns(frame, zeek_path)
    named = flows.filter(pl.col("name").is_not_null() & (pl.col("name") != "")).select(
        pl.col("ts"), pl.col("src_ip").alias("client_ip"),
        pl.col("src_port").alias("client_port"), pl.col("dst_ip").alias("server_ip"),
        pl.col("dst_port").alias("server_port"), pl.col("uid"), pl.col("name"),
        pl.col("name_source"), pl.col("line"),
    )
    if "query" not in frame.columns or "answers" not in frame.columns:
        return named
    answers = frame.schema["answers"]
    answer_list = pl.col("answers") if isinstance(answers, pl.List) else \
        pl.col("answers").str.split(",")
    dns = (
        frame.filter(pl.col("query").is_not_null() & pl.col("answers").is_not_null())
        .select(pl.col("ts"), pl.col("id.orig_h").alias("client_ip"),
                answer_list.alias("server_ip"), clean_name(pl.col("query")).alias("name"),
                pl.col("line"))
        .explode("server_ip")
        .filter(pl.col("server_ip").str.contains(_IP_ANSWER))
        .with_columns(pl.lit("dns").alias("name_source"))
    )
    return pl.concat([named, dns], how="diagonal")
