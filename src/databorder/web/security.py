"""Who may reach the dashboard: the bind policy and the access token.

The store holds an organisation's inventory of personal data, so ``databorder serve`` binds to
the loopback interface by default and refuses any other address unless an access token is set.
With a token, every request must carry it: as ``Authorization: Bearer <token>`` (API clients)
or as the ``databorder_token`` cookie, which a browser gets by opening any page once with
``?token=<token>``. Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets

from databorder.errors import UsageError

TOKEN_COOKIE = "databorder_token"
TOKEN_QUERY = "token"
MIN_TOKEN_LENGTH = 16
"""Shorter tokens are refused: a guessable token is no protection on a shared network."""


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name could resolve anywhere


def check_bind(host: str, token: str | None) -> None:
    """Raise :class:`UsageError` unless serving on ``host`` with ``token`` is safe."""
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise UsageError(f"the access token must have at least {MIN_TOKEN_LENGTH} characters")
    if token is None and not is_loopback(host):
        raise UsageError(
            f"refusing to serve on {host} without an access token: set --token or "
            "DATABORDER_TOKEN, or bind to 127.0.0.1")


def token_matches(expected: str, offered: str | None) -> bool:
    return offered is not None and hmac.compare_digest(expected.encode(), offered.encode())


def new_token() -> str:
    """A fresh token for a user who asks for one (``serve --token generate``)."""
    return secrets.token_urlsafe(24)


def bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header, else None."""
    if authorization is None:
        return None
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None
