"""Squid ``combined`` access.log (``logformat combined``, Apache-like).

Fields: ``client ident user [time] "METHOD URL HTTP/v" status bytes "referer" "user agent"
code:hierarchy`` (Squid's ``%>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st "%{Referer}>h"
"%{User-Agent}>h" %Ss:%Sh``).

- The format logs **no server address**: the destination is the host of the request URL or
  ``CONNECT`` target only. A host name becomes ``name`` (``name_source = proxy_url``) with a
  null ``dst_ip`` — a name-only destination, attributed by its name
  (``ip_scope = unknown``); an IP-literal host (brackets removed from IPv6) becomes ``dst_ip``.
- Rows whose hierarchy code is ``HIER_NONE`` (cache hits, denials, failed look-ups) never left
  the proxy: they are not egress and are not read as flows.
- ``bytes`` is the reply size sent to the client: ``bytes_in``; ``bytes_out`` is not logged.
- The user agent may hold unescaped ``"``: the line is matched from both ends.
- ``[time]`` (``23/Nov/2026:01:15:11 +0000``) is converted to UTC.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from databorder.errors import ReadError
from databorder.sources.base import ProgressFn
from databorder.sources.compression import compression_of

from .lines import decode, numbered_lines
from .squid import ProxyLogReader, ProxyRecord, host_port

_ROW = re.compile(
    r'^(?P<client>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Za-z_-]+) (?P<url>\S+)'
    r'(?: [^"]*)?" (?P<status>\d{3}) (?P<bytes>\d+|-) ".*" (?P<code>[A-Z_]+):(?P<hier>[A-Z_]+)$')
_TIME_FORMAT = "%d/%b/%Y:%H:%M:%S %z"


def _address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


class SquidCombinedReader(ProxyLogReader):
    """Squid's ``combined`` access.log: destinations named by the URL host only."""

    name: ClassVar[str] = "squid-combined"
    suffixes: ClassVar[tuple[str, ...]] = (".log",)
    sniff_order: ClassVar[int] = 31
    row: ClassVar[re.Pattern[str]] = _ROW
    time_format: ClassVar[str | None] = _TIME_FORMAT

    def _records(self, source: str, path: Path,
                 progress: ProgressFn | None) -> Iterator[ProxyRecord]:
        for number, line in numbered_lines(path, compression_of(path), progress):
            text = decode(line).rstrip("\r")
            if not text.strip():
                continue
            match = _ROW.match(text)
            if match is None:
                raise ReadError(source, "not a Squid combined access.log line", line=number)
            if match["hier"] == "HIER_NONE":
                continue
            host, port = host_port(match["method"], match["url"])
            address = _address(host) if host else None
            yield number, (match["time"], match["client"], address, port, match["bytes"],
                           None if address else host)
