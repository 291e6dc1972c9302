"""The jury console's HTTP server: the page and a read-only JSON API under /v1, every failure a JSON error with its code."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import Any

from racepolicy.language.errors import InputError, InputTooLargeError, PolicyError, QueryError
from racepolicy.query.policyset import PolicySet
from racepolicy.web.core import JuryCore, error_json
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# Largest request body read (a query is at most 10,000 characters; its JSON envelope is small).
MAX_BODY_BYTES = 64 * 1024
STATIC_FILES = {"/": ("index.html", "text/html; charset=utf-8"), "/app.js": ("app.js", "text/javascript; charset=utf-8"),
                "/app.css": ("app.css", "text/css; charset=utf-8")}
# The page loads nothing from elsewhere and runs no inline script: a policy's text shown on it can never run as code.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=SECURITY_HEADERS)


def _status(exc: PolicyError) -> int:
    if isinstance(exc, InputTooLargeError):
        return 413
    return 400


def _error(exc: PolicyError, status: int | None = None) -> JSONResponse:
    return _json(error_json(exc), status or _status(exc))


async def _read_json(request: Request) -> dict[str, Any]:
    """The request's JSON object, read no further than MAX_BODY_BYTES."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise InputTooLargeError(f"request body is {int(declared):,} bytes, over the limit of {MAX_BODY_BYTES:,}", hint="send one query at a time")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise InputTooLargeError(f"request body is over the limit of {MAX_BODY_BYTES:,} bytes", hint="send one query at a time")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"request body is not JSON: {exc}", hint='send {"query": "penalty littering on UTMB"}') from None
    if not isinstance(data, dict):
        raise InputError("request body must be a JSON object", hint='send {"query": "penalty littering on UTMB"}')
    unknown = sorted(set(data) - {"query", "edition"})
    if unknown:
        raise InputError(f"unknown field(s) in the request: {', '.join(unknown)}", hint="a query request has 'query' and optionally 'edition'")
    return data


def _int(request: Request, name: str) -> int:
    raw = request.query_params.get(name, "")
    if not raw.isdigit() or len(raw) > 9:
        raise InputError(f"'{name}' must be a line number, not '{raw[:40]}'", hint=f"e.g. {name}=12")
    return int(raw)


def _param(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    if value is None:
        raise InputError(f"missing parameter '{name}'", hint=f"add ?{name}=... to the URL")
    return value


def create_app(policies: PolicySet) -> Starlette:
    """The console's app for one loaded set of policies (read-only: nothing a request sends changes them)."""
    core = JuryCore(policies)

    def guarded(work: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            try:
                return _json(await work(request))
            except PolicyError as exc:
                return _error(exc)
        return endpoint

    async def query(request: Request) -> Any:
        data = await _read_json(request)
        return await run_in_threadpool(core.query, data.get("query"), data.get("edition"))

    async def editions(request: Request) -> Any:
        return await run_in_threadpool(core.editions)

    async def describe(request: Request) -> Any:
        words = [w for w in request.path_params.get("rest", "").split("/") if w]
        if len(words) > 2:
            raise QueryError(f"describe takes an edition and one name; got {len(words)} parts", hint="e.g. /v1/describe/utmb-2022/littering")
        return await run_in_threadpool(core.describe, words)

    async def checklists(request: Request) -> Any:
        return await run_in_threadpool(core.checklists, request.path_params["edition"])

    async def diff(request: Request) -> Any:
        markdown = request.query_params.get("format", "json")
        if markdown not in ("json", "markdown"):
            raise InputError(f"unknown format '{markdown[:40]}'", hint="format=json or format=markdown")
        return await run_in_threadpool(core.diff, _param(request, "old"), _param(request, "new"), markdown == "markdown")

    async def complete(request: Request) -> Any:
        return await run_in_threadpool(core.complete, _param(request, "text"), request.query_params.get("edition"))

    async def clause(request: Request) -> Any:
        first = _int(request, "first_line")
        end = _int(request, "end_line") if "end_line" in request.query_params else first
        return await run_in_threadpool(core.clause, _param(request, "edition"), _param(request, "file"), first, end)

    async def static(request: Request) -> Response:
        name, media = STATIC_FILES[request.url.path]
        body = resources.files("racepolicy.web").joinpath("static", name).read_bytes()
        return Response(body, media_type=media, headers=SECURITY_HEADERS)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        if status == 404:
            error: PolicyError = InputError(f"no such endpoint: {request.method} {request.url.path[:200]}",
                                            hint="the API: POST /v1/query, GET /v1/editions, /v1/describe/..., /v1/checklists/...,"
                                                 " /v1/diff, /v1/complete, /v1/clause")
        elif status == 405:
            error = InputError(f"{request.method} is not allowed on {request.url.path[:200]}",
                               hint="the console is read-only: queries are POST /v1/query, the rest GET")
        else:
            error = InputError(f"the request failed ({status})", hint="see the server's log")
        return _error(error, status)

    async def server_error(request: Request, exc: Exception) -> Response:
        # A bug of ours: the client still gets JSON, never a traceback.
        return _error(InputError("internal error: the server could not answer this request", hint="report it with the request that caused it"), 500)

    routes = [
        Route("/v1/query", guarded(query), methods=["POST"]),
        Route("/v1/editions", guarded(editions), methods=["GET"]),
        Route("/v1/describe", guarded(describe), methods=["GET"]),
        Route("/v1/describe/{rest:path}", guarded(describe), methods=["GET"]),
        Route("/v1/checklists/{edition}", guarded(checklists), methods=["GET"]),
        Route("/v1/diff", guarded(diff), methods=["GET"]),
        Route("/v1/complete", guarded(complete), methods=["GET"]),
        Route("/v1/clause", guarded(clause), methods=["GET"]),
        *(Route(path, static, methods=["GET"]) for path in STATIC_FILES),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error})
