"""Binding and the access token: the dashboard is never open to a network by accident."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_helpers import TOKEN

from databorder.errors import UsageError
from databorder.web.security import TOKEN_COOKIE, bearer, check_bind, is_loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.1", "::1", "[::1]", "localhost"])
def test_loopback_needs_no_token(host: str) -> None:
    assert is_loopback(host)
    check_bind(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "dashboard.example"])
def test_other_addresses_need_a_token(host: str) -> None:
    with pytest.raises(UsageError, match="without an access token"):
        check_bind(host, None)
    check_bind(host, TOKEN)


def test_short_token_is_refused() -> None:
    with pytest.raises(UsageError, match="at least 16 characters"):
        check_bind("0.0.0.0", "secret")


def test_bearer_parsing() -> None:
    assert bearer("Bearer abc") == "abc"
    assert bearer("bearer  abc ") == "abc"
    assert bearer("Basic abc") is None
    assert bearer("Bearer ") is None
    assert bearer(None) is None


@pytest.mark.parametrize("path", ["/", "/api/runs", "/api/runs/1/fields", "/openapi.json",
                                  "/runs/1", "/api/diff?a=1&b=2"])
def test_every_request_needs_the_token(guarded_client: TestClient, path: str) -> None:
    assert guarded_client.get(path).status_code == 401
    wrong = guarded_client.get(path, headers={"Authorization": "Bearer " + "x" * len(TOKEN)})
    assert wrong.status_code == 401
    right = guarded_client.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200


def test_browser_gets_a_cookie_from_the_token_link(guarded_client: TestClient) -> None:
    first = guarded_client.get("/", params={"token": TOKEN})
    assert first.status_code == 200
    assert guarded_client.cookies.get(TOKEN_COOKIE) == TOKEN
    assert guarded_client.get("/api/runs").status_code == 200
    guarded_client.cookies.clear()
    assert guarded_client.get("/api/runs").status_code == 401
