"""Write the bundled synthetic egress logs: ``src/databorder/samples/egress/{conn,dns,ssl}.log``.

One day of a fictional retailer's egress in Zeek's TSV layout: app servers (10.20.0.0/24) call
AI APIs and clouds, WiFi-analytics collectors (10.30.0.0/24) upload to an analytics vendor on
Alibaba Cloud's US region, laptops browse. Addresses are real public addresses of the networks
named below (so the bundled IP data attributes them), but the records are invented: no packet
was captured. Deterministic: the same seed writes the same bytes.

    .venv/bin/python scripts/make_sample_egress.py
"""

from __future__ import annotations

import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "databorder" / "samples" / "egress"
DAY_START = 1_764_547_200  # 2025-12-01T00:00:00Z
RESOLVER = "10.20.0.2"

# (name or None, address, port, who calls it, flows, typical bytes out, typical bytes in)
DESTINATIONS: list[tuple[str | None, str, int, str, int, int, int]] = [
    ("dashscope-intl.aliyuncs.com", "47.88.1.10", 443, "app", 60, 48_000, 9_000),
    ("ingest.wifi-insights.example", "47.88.1.23", 443, "wifi", 96, 220_000, 1_200),
    ("api.openai.com", "104.18.32.7", 443, "app", 80, 36_000, 12_000),
    ("api.deepseek.com", "104.18.27.91", 443, "app", 18, 30_000, 10_000),
    ("s3.us-east-1.amazonaws.com", "52.94.236.248", 443, "app", 70, 150_000, 2_000),
    ("www.googleapis.com", "142.250.72.14", 443, "laptop", 40, 4_000, 60_000),
    ("login.microsoftonline.com", "20.42.65.90", 443, "laptop", 30, 3_000, 9_000),
    (None, "43.135.100.20", 443, "app", 12, 20_000, 3_000),  # Tencent Cloud, no name seen
    ("mc.yandex.ru", "77.88.55.60", 443, "laptop", 6, 2_500, 800),
    (None, "198.51.100.7", 8443, "app", 4, 1_000, 500),  # documentation range: reserved
]
HOSTS = {"app": [f"10.20.0.{i}" for i in range(11, 17)],
         "wifi": [f"10.30.0.{i}" for i in range(5, 9)],
         "laptop": [f"10.40.1.{i}" for i in range(20, 44)]}


def header(path: str, fields: list[str], types: list[str]) -> str:
    return ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
            f"#path\t{path}\n#open\t2025-12-01-00-00-00\n#fields\t" + "\t".join(fields)
            + "\n#types\t" + "\t".join(types) + "\n")


def main() -> None:
    rng = random.Random(20251201)
    conn: list[tuple[float, list[str]]] = []
    dns: list[tuple[float, list[str]]] = []
    ssl: list[tuple[float, list[str]]] = []
    uid = 0
    for name, address, port, role, flows, out_bytes, in_bytes in DESTINATIONS:
        for _ in range(flows):
            uid += 1
            host = rng.choice(HOSTS[role])
            ts = DAY_START + rng.uniform(60, 86_000)
            if name is not None and rng.random() < 0.7:
                dns.append((ts - 0.05, [f"{ts - 0.05:.6f}", f"D{uid:05d}", host,
                                        str(rng.randint(30_000, 60_000)), RESOLVER, "53", "udp",
                                        name, f"{name}.edge.example,{address}"]))
            elif name is not None:
                ssl.append((ts + 0.02, [f"{ts + 0.02:.6f}", f"C{uid:05d}", host,
                                        str(rng.randint(30_000, 60_000)), address, str(port),
                                        "TLSv13", name]))
            sent = max(200, int(rng.gauss(out_bytes, out_bytes / 4)))
            received = max(100, int(rng.gauss(in_bytes, in_bytes / 4)))
            conn.append((ts, [f"{ts:.6f}", f"C{uid:05d}", host, str(rng.randint(30_000, 60_000)),
                              address, str(port), "tcp", "ssl", f"{rng.uniform(0.05, 4):.6f}",
                              str(sent), str(received), "SF"]))
    OUT.mkdir(parents=True, exist_ok=True)
    logs = {
        "conn": (conn, ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p",
                        "proto", "service", "duration", "orig_bytes", "resp_bytes",
                        "conn_state"],
                 ["time", "string", "addr", "port", "addr", "port", "enum", "string",
                  "interval", "count", "count", "string"]),
        "dns": (dns, ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto",
                      "query", "answers"],
                ["time", "string", "addr", "port", "addr", "port", "enum", "string",
                 "vector[string]"]),
        "ssl": (ssl, ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p",
                      "version", "server_name"],
                ["time", "string", "addr", "port", "addr", "port", "string", "string"]),
    }
    for path, (rows, fields, types) in logs.items():
        body = "".join("\t".join(row) + "\n" for _, row in sorted(rows))
        (OUT / f"{path}.log").write_text(header(path, fields, types) + body
                                         + "#close\t2025-12-02-00-00-00\n", encoding="utf-8")


if __name__ == "__main__":
    main()
