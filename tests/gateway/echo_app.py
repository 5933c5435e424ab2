"""A tiny upstream for the proxy tests, served by uvicorn in a subprocess: echoes what it received,
streams large bodies both ways, sleeps on request, and sends hop-by-hop headers the proxy must drop."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

NAME = os.environ.get("ECHO_NAME", "echo")
_BLOCK = bytes(range(256)) * 256  # 64 KiB of a known pattern


async def healthz(request: Request) -> Response:
    """Liveness, as every real service answers it."""
    return JSONResponse({"status": "ok"})


async def echo(request: Request) -> Response:
    """Everything the proxy forwarded, so tests can compare."""
    body = await request.body()
    return JSONResponse(
        {
            "instance": NAME,
            "method": request.method,
            "raw_path": request.scope["raw_path"].decode(),
            "query": request.scope["query_string"].decode(),
            "headers": [[k.decode(), v.decode()] for k, v in request.scope["headers"]],
            "body": body.decode("latin-1"),
        },
        headers={"X-Request-ID": "upstream-own-id", "ETag": '"v1"'},
    )


async def upload(request: Request) -> Response:
    """Reads the body as a stream and reports its size and hash."""
    digest = hashlib.sha256()
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        digest.update(chunk)
    return JSONResponse({"size": size, "sha256": digest.hexdigest()})


async def download(request: Request) -> Response:
    """``size`` bytes of the pattern, chunked (no Content-Length)."""
    size = int(request.query_params["size"])

    async def gen() -> AsyncIterator[bytes]:
        left = size
        while left > 0:
            piece = _BLOCK[: min(left, len(_BLOCK))]
            left -= len(piece)
            yield piece

    return StreamingResponse(gen(), media_type="application/octet-stream")


async def slow(request: Request) -> Response:
    """Answers after ``s`` seconds."""
    await asyncio.sleep(float(request.query_params.get("s", "1")))
    return PlainTextResponse("late")


async def hop(request: Request) -> Response:
    """Sends connection-specific headers that must not reach the client."""
    return PlainTextResponse(
        "hop",
        headers={
            "Connection": "X-Secret-Hop",
            "X-Secret-Hop": "1",
            "Keep-Alive": "timeout=5",
            "X-Kept": "yes",
        },
    )


app = Starlette(
    routes=[
        Route("/healthz", healthz),
        Route("/upload", upload, methods=["POST", "PUT"]),
        Route("/download", download),
        Route("/slow", slow),
        Route("/hop", hop),
        Route("/{rest:path}", echo, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
    ]
)
