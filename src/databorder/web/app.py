"""The dashboard and JSON API over the store (``databorder serve``).

A thin shell, as the CLI is: every answer comes from the store's run documents, and the pages
reuse the report renderers. The OpenAPI document is at ``/openapi.json``, the interactive one
at ``/docs`` is off (it would load scripts from a CDN).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPBearer

from databorder import __version__
from databorder.errors import DataborderError, UsageError
from databorder.store import Store
from databorder.web import pages
from databorder.web.models import (
    CategoryOut,
    DestinationOut,
    FieldOut,
    FindingOut,
    Problem,
    RecipientOut,
    RunDetail,
    RunOut,
)
from databorder.web.security import TOKEN_COOKIE, TOKEN_QUERY, bearer, token_matches

RunId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="a run id from /api/runs")]
REPORT_FORMATS = ("html", "json", "sarif", "csv", "md")
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem}}
_MEDIA = {"html": "text/html", "json": "application/json", "sarif": "application/sarif+json",
          "csv": "text/csv", "md": "text/markdown"}


def create_app(store: Store, token: str | None = None) -> FastAPI:
    """The application over ``store``; with ``token``, every request must carry it."""
    app = FastAPI(
        title="databorder", version=__version__, docs_url=None, redoc_url=None,
        description="Runs, fields, recipients and findings kept in the databorder store.",
        # declared so that clients (and schemathesis) know how to authenticate
        dependencies=[] if token is None else [_bearer_scheme()],
        responses={} if token is None else {401: {"model": Problem,
                                                  "description": "missing or wrong token"}},
    )
    if token is not None:
        _require_token(app, token)

    def document(run_id: int) -> dict[str, Any]:
        try:
            return store.run_document(run_id)
        except UsageError:  # the store's "no run N"
            raise HTTPException(404, f"no run {run_id}") from None

    @app.get("/api/runs", response_model=list[RunOut], summary="Every run, newest first")
    def list_runs() -> list[dict[str, Any]]:
        return [run.to_json() for run in reversed(store.runs())]

    @app.get("/api/runs/{run_id}", response_model=RunDetail, responses=_NOT_FOUND,
             summary="One run: its categories and counts")
    def run_detail(run_id: RunId) -> dict[str, Any]:
        found = document(run_id)
        return {
            "run": store.run(run_id).to_json(),
            "categories": _categories(found),
            "fields": len(_fields(found)),
            "recipients": len(_recipients(found)),
            "findings": len(_findings(found)),
            "countries_of_concern": sorted({
                g["controlled_from"] for g in _recipients(found)
                if g.get("country_of_concern") and g.get("controlled_from")}),
        }

    @app.get("/api/runs/{run_id}/fields", response_model=list[FieldOut], responses=_NOT_FOUND,
             summary="Fields with sensitive data (masked samples only)")
    def run_fields(run_id: RunId) -> list[dict[str, Any]]:
        return _fields(document(run_id))

    @app.get("/api/runs/{run_id}/recipients", response_model=list[RecipientOut],
             responses=_NOT_FOUND, summary="Egress by ultimate parent and controlling country")
    def run_recipients(run_id: RunId) -> list[dict[str, Any]]:
        return _recipients(document(run_id))

    @app.get("/api/runs/{run_id}/destinations", response_model=list[DestinationOut],
             responses=_NOT_FOUND, summary="Every destination with its attribution chain")
    def run_destinations(run_id: RunId) -> list[dict[str, Any]]:
        return list((document(run_id).get("flows") or {}).get("destinations") or [])

    @app.get("/api/runs/{run_id}/findings", response_model=list[FindingOut],
             responses=_NOT_FOUND, summary="Findings of the rules, with citations")
    def run_findings(run_id: RunId) -> list[dict[str, Any]]:
        return _findings(document(run_id))

    @app.get("/api/diff", responses={404: {"model": Problem}},
             summary="What is new or gone between run a and run b")
    def diff(a: Annotated[int, Query(ge=1, le=2**63 - 1)],
             b: Annotated[int, Query(ge=1, le=2**63 - 1)]) -> dict[str, Any]:
        from databorder.store import diff_runs

        document(a), document(b)
        return diff_runs(store, a, b).to_json()

    @app.get("/api/runs/{run_id}/report", responses=_NOT_FOUND,
             summary="The run's report in one of the report formats",
             response_class=Response)
    def report(run_id: RunId,
               format: Annotated[str, Query(pattern="^(html|json|sarif|csv|md)$")] = "html",
               ) -> Response:
        from databorder.report import render

        return Response(render(document(run_id), format), media_type=_MEDIA[format])

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        return pages.runs_page([run.to_json() for run in reversed(store.runs())])

    @app.get("/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
    def run_page(run_id: RunId) -> str:
        from databorder.report import render

        return pages.with_navigation(render(document(run_id), "html"))

    @app.get("/diff", response_class=HTMLResponse, include_in_schema=False)
    def diff_page(a: Annotated[int, Query(ge=1, le=2**63 - 1)],
                  b: Annotated[int, Query(ge=1, le=2**63 - 1)]) -> str:
        from databorder.store import diff_runs

        document(a), document(b)
        return pages.diff_page(a, b, diff_runs(store, a, b).to_json())

    @app.exception_handler(DataborderError)
    async def databorder_error(request: Request, error: DataborderError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=400)

    return app


def _bearer_scheme() -> Any:
    from fastapi import Depends

    return Depends(HTTPBearer(auto_error=False, description="the token given to serve"))


def _require_token(app: FastAPI, token: str) -> None:
    @app.middleware("http")
    async def check(request: Request,
                    call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        offered = (bearer(request.headers.get("authorization"))
                   or request.cookies.get(TOKEN_COOKIE)
                   or request.query_params.get(TOKEN_QUERY))
        if not token_matches(token, offered):
            return JSONResponse({"detail": "missing or wrong access token"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        response = await call_next(request)
        if request.query_params.get(TOKEN_QUERY):
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response


def _categories(document: dict[str, Any]) -> list[dict[str, Any]]:
    inventory = document.get("inventory") or {}
    return [{"category": name, **totals}
            for name, totals in (inventory.get("categories") or {}).items()]


def _fields(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list((document.get("inventory") or {}).get("fields") or [])


def _recipients(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list((document.get("flows") or {}).get("groups") or [])


def _findings(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list((document.get("findings") or {}).get("findings") or [])


__all__ = ["REPORT_FORMATS", "CategoryOut", "create_app"]
