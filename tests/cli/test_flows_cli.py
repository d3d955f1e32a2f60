"""``databorder flows`` and ``databorder whois`` end to end, on real-format logs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "traffic-samples"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "traffic"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "databorder", *args], capture_output=True,
                          text=True, timeout=300, check=False)


def _conn_log(path: Path, rows: list[tuple[str, str, int, int]]) -> None:
    header = ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
              "#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto"
              "\torig_bytes\tresp_bytes\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum"
              "\tcount\tcount\n")
    body = "".join(f"{1700000000 + i}.000000\tC{i}\t{src}\t{50000 + i}\t{dst}\t443\ttcp"
                   f"\t{out}\t{back}\n" for i, (src, dst, out, back) in enumerate(rows))
    path.write_text(header + body, encoding="utf-8")


def test_subsidiary_abroad_is_attributed_to_its_parent(tmp_path: Path) -> None:
    log = tmp_path / "conn.log"
    _conn_log(log, [("10.0.0.5", "47.88.1.1", 5_000, 100), ("10.0.0.6", "47.88.1.1", 7_000, 100),
                    ("10.0.0.5", "8.8.8.8", 300, 300), ("10.0.0.5", "10.9.9.9", 1, 1)])
    out = tmp_path / "flows.json"
    done = run("flows", str(log), "--json", str(out))
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["schema"] == "databorder.flows/1"
    groups = {g["recipient"]: g for g in result["groups"]}
    alibaba = groups["Alibaba Group Holding Limited"]
    assert alibaba["controlled_from"] == "CN"
    assert alibaba["country_of_concern"] is True
    assert (alibaba["flows"], alibaba["bytes_out"], alibaba["internal_hosts"]) == (2, 12_000, 2)
    destination = next(d for d in result["destinations"] if d["dst_ip"] == "47.88.1.1")
    assert destination["ip_country"] == "US"
    assert destination["entity"] == "alibaba-cloud"
    assert groups["Alphabet Inc."]["country_of_concern"] is False
    assert "(private or reserved address space)" in groups
    assert result["totals"]["flows"] == 4
    assert "CN" in done.stdout and "country of concern" in done.stdout


def test_names_from_the_capture_decide_and_are_reported(tmp_path: Path) -> None:
    done = run("flows", str(FIXTURES / "lnav_bro_conn.log"), str(FIXTURES / "lnav_bro_http.log"),
               "--json", str(tmp_path / "f.json"))
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    groups = {g["recipient"]: g for g in result["groups"]}
    assert "www.google-analytics.com" in groups["Alphabet Inc."]["top_names"]
    assert sum(g["flows"] for g in result["groups"]) == 92
    share = result["unattributed_share"]
    assert 0 < share["flows"] < 1
    assert "unattributed" in done.stdout


def test_bad_log_is_named_and_the_rest_still_read(tmp_path: Path) -> None:
    good = tmp_path / "conn.log"
    _conn_log(good, [("10.0.0.5", "8.8.8.8", 300, 300)])
    bad = tmp_path / "broken.log.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage-not-gzip")
    out = tmp_path / "f.json"
    done = run("flows", str(good), str(bad), "--json", str(out))
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "broken.log.gz" in errors[0]
    assert json.loads(out.read_text(encoding="utf-8"))["totals"]["flows"] == 1


@pytest.mark.parametrize("target,expected", [
    ("47.88.1.1", ["Alibaba Cloud", "Alibaba Group Holding Limited", "controlled from CN",
                   "country of concern", "address in US"]),
    ("dashscope.aliyuncs.com", ["aliyuncs.com", "decided by: domain", "Alibaba Group"]),
    ("阿里云", ["Alibaba Cloud Computing", "Alibaba Group Holding Limited"]),
    ("8.8.8.8", ["Alphabet", "controlled from US"]),
])
def test_whois_prints_the_chain_with_sources(target: str, expected: list[str]) -> None:
    done = run("whois", target)
    assert done.returncode == 0, done.stderr
    for text in expected:
        assert text in done.stdout
    assert "source:" in done.stdout


def test_whois_of_a_private_address_claims_no_owner() -> None:
    done = run("whois", "10.1.2.3")
    assert done.returncode == 0
    assert "private address" in done.stdout
    assert "ultimate parent" not in done.stdout


def test_shared_vpc_sample_reads_without_error(tmp_path: Path) -> None:
    done = run("flows", str(SAMPLES / "vpc"), "--json", str(tmp_path / "f.json"))
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert result["totals"]["flows"] > 0
