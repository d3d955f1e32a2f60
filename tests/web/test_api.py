"""The JSON API answers from the stored runs, and only masked values ever leave it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_runs_newest_first(client: TestClient) -> None:
    runs = client.get("/api/runs").json()
    assert [r["id"] for r in runs] == [2, 1]
    assert [r["status"] for r in runs] == ["complete", "complete"]
    assert runs[1]["documents"] == ["flows", "inventory"]
    assert runs[1]["counts"]["destination_groups"] > 0


def test_run_detail_counts_match_the_lists(client: TestClient) -> None:
    detail = client.get("/api/runs/1").json()
    fields = client.get("/api/runs/1/fields").json()
    recipients = client.get("/api/runs/1/recipients").json()
    assert detail["fields"] == len(fields) > 0
    assert detail["recipients"] == len(recipients) > 0
    assert detail["findings"] == 0
    categories = {c["category"] for c in detail["categories"]}
    assert {f["category"] for f in fields} == categories
    assert {"payment_card", "mac_address", "wifi_ssid"} <= categories


def test_recipients_are_grouped_by_controller(client: TestClient) -> None:
    recipients = client.get("/api/runs/1/recipients").json()
    by_name = {r["recipient"]: r for r in recipients}
    assert by_name["Alphabet Inc."]["controlled_from"] == "US"
    assert by_name["Amazon.com, Inc."]["country_of_concern"] is False
    assert "(unattributed)" in by_name
    assert sum(r["flows"] for r in recipients) == 92  # the conn.log's records
    assert all(r["bytes_out"] is None or r["bytes_out"] >= 0 for r in recipients)


def test_destinations_carry_their_attribution(client: TestClient) -> None:
    destinations = client.get("/api/runs/1/destinations").json()
    recipients = client.get("/api/runs/1/recipients").json()
    assert sum(d["flows"] for d in destinations) == sum(r["flows"] for r in recipients)
    google = [d for d in destinations if d["parent_name"] == "Alphabet Inc."]
    assert google and all(d["controlled_from"] == "US" and d["evidence"] for d in google)
    assert client.get("/api/runs/2/destinations").json() == [], "run 2 read no logs"


def test_fields_show_masked_samples_only(client: TestClient) -> None:
    fields = client.get("/api/runs/2/fields").json()
    cards = [f for f in fields if f["category"] == "payment_card"]
    assert cards
    for sample in (s for f in cards for s in f["masked_samples"]):
        assert "*" in sample
        assert not re.search(r"\d{7}", sample.replace(" ", "")), sample


def test_unknown_run_is_404(client: TestClient) -> None:
    for path in ("/api/runs/99", "/api/runs/99/fields", "/api/runs/99/recipients",
                 "/api/runs/99/findings", "/runs/99"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "no run 99"}


def test_out_of_range_run_id_is_rejected_not_a_crash(client: TestClient) -> None:
    assert client.get(f"/api/runs/{2**64}").status_code == 422
    assert client.get("/api/runs/0").status_code == 422
    assert client.get("/api/runs/abc").status_code == 422


def test_diff_between_runs(client: TestClient) -> None:
    diff = client.get("/api/diff", params={"a": 1, "b": 2}).json()
    assert diff["a"]["id"] == 1 and diff["b"]["id"] == 2
    assert diff["recipients"]["gone"], "run 2 read no logs, so run 1's recipients are gone"
    assert not diff["recipients"]["new"]
    new_fields = {(f["source"].rsplit("/", 1)[-1], f["field"]) for f in diff["fields"]["new"]}
    assert any(source == "customers.parquet" for source, _ in new_fields)


def test_diff_of_unknown_run_is_404(client: TestClient) -> None:
    assert client.get("/api/diff", params={"a": 1, "b": 42}).status_code == 404


def test_report_formats(client: TestClient) -> None:
    html = client.get("/api/runs/1/report")
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    sarif = client.get("/api/runs/1/report", params={"format": "sarif"})
    assert sarif.json()["version"] == "2.1.0"
    assert client.get("/api/runs/1/report", params={"format": "exe"}).status_code == 422


def test_openapi_document_lists_the_api(client: TestClient) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {"/api/runs", "/api/runs/{run_id}", "/api/runs/{run_id}/fields",
            "/api/runs/{run_id}/recipients", "/api/runs/{run_id}/destinations",
            "/api/runs/{run_id}/findings", "/api/diff",
            "/api/runs/{run_id}/report"} <= paths
    assert client.get("/docs").status_code == 404, "the CDN-based docs page stays off"
