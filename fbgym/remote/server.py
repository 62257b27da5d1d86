"""The env server: registered envs over HTTP and WebSocket, one session per client (FastAPI).

Routes — ``GET /health``, ``GET /envs``, ``GET /schema?env_id=``; ``POST /reset`` (opens a
session when the body names no ``session_id``), ``POST /step``, ``GET /state``, ``POST
/close``; and ``/ws``, a WebSocket whose connection is its session, speaking
``{"type": "reset" | "step" | "state" | "close", "data": {...}}`` and answered with
``{"type": "observation" | "state" | "error", "data": {...}}``. A bad request gets a 4xx (an
``error`` message on the socket) that says what was wrong; the server keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response

from fbgym.core.text import MAX_ACTION_CHARS, MAX_OBSERVATION_CHARS
from fbgym.registration import registry
from fbgym.remote.protocol import BadRequest, dumps, field, loads
from fbgym.remote.sessions import ServeConfig, Session, Sessions
from fbgym.version import __version__

WS_TOO_BIG, WS_TRY_LATER, WS_GOING_AWAY = 1009, 1013, 1001


def create_app(config: ServeConfig | None = None) -> FastAPI:
    """The FastAPI app serving ``config``'s envs (every registered id by default)."""
    config = config or ServeConfig()
    sessions = Sessions(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        reaper = asyncio.create_task(_reap(sessions))
        try:
            yield
        finally:
            reaper.cancel()
            await sessions.close_all()

    app = FastAPI(title="fbgym envs", version=__version__, lifespan=lifespan)
    app.state.sessions = sessions

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> Response:
        return _json({"detail": str(exc), "code": exc.code}, exc.status)

    @app.exception_handler(Exception)
    async def failure(request: Request, exc: Exception) -> Response:
        return _json({"detail": _failed(exc), "code": "EXECUTION_ERROR"}, 500)

    @app.get("/health")
    async def health() -> Response:
        return _json(
            {"status": "healthy", "sessions": len(sessions), "max_sessions": config.max_sessions}
        )

    @app.get("/envs")
    async def envs() -> Response:
        return _json([_describe(env_id) for env_id in config.served()])

    @app.get("/schema")
    async def schema(env_id: str) -> Response:
        if env_id not in config.served():
            raise BadRequest(f"{env_id!r} is not served here; GET /envs lists them", 404)
        return _json(
            {
                **_describe(env_id),
                "kwargs": sorted(config.allowed_kwargs),
                "action": {"type": "string", "maxLength": MAX_ACTION_CHARS},
                "observation": _OBSERVATION_SCHEMA,
                "tools": _tools(registry.get(env_id).family),
            }
        )

    @app.post("/reset")
    async def reset(request: Request) -> Response:
        body = await _body(request, config.max_request_bytes)
        if body.get("session_id") is None:
            session = sessions.open()
            try:
                reply = await sessions.reset(session, body)
            except BaseException:
                await sessions.close(session)
                raise
        else:
            session = sessions.get(body["session_id"])
            reply = await sessions.reset(session, body)
        return _json({"session_id": session.id, **reply})

    @app.post("/step")
    async def step(request: Request) -> Response:
        body = await _body(request, config.max_request_bytes)
        session = sessions.get(field(body, "session_id", str))
        return _json({"session_id": session.id, **await sessions.step(session, body)})

    @app.get("/state")
    async def state(session_id: str) -> Response:
        return _json(sessions.get(session_id).state())

    @app.post("/close")
    async def close(request: Request) -> Response:
        body = await _body(request, config.max_request_bytes)
        await sessions.close(sessions.get(field(body, "session_id", str)))
        return _json({"closed": body["session_id"]})

    @app.websocket("/ws")
    async def websocket(ws: WebSocket) -> None:
        await ws.accept()
        try:
            session = sessions.open(connected=True)
        except BadRequest as exc:
            await ws.send_text(dumps(_error(exc)))
            await ws.close(WS_TRY_LATER, reason="the server is full")
            return
        try:
            await _converse(ws, session, sessions)
        except WebSocketDisconnect:
            pass
        finally:
            await sessions.close(session)

    return app


async def _converse(ws: WebSocket, session: Session, sessions: Sessions) -> None:
    """Answer one client's messages until it closes, goes quiet, or sends too much."""
    config = sessions.config
    while True:
        try:
            message = await asyncio.wait_for(ws.receive(), config.idle_timeout)
        except asyncio.TimeoutError:
            reason = f"closed after {config.idle_timeout:g} s without a message"
            await ws.close(WS_GOING_AWAY, reason=reason)
            return
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text") if message.get("text") is not None else message.get("bytes")
        if text is not None and len(text) > config.max_request_bytes:
            await ws.close(
                WS_TOO_BIG, reason=f"a message may hold {config.max_request_bytes} bytes"
            )
            return
        reply = await _reply(text or b"", session, sessions)
        if reply is None:  # the client says goodbye
            await ws.close()
            return
        await ws.send_text(dumps(reply))


async def _reply(text: str | bytes, session: Session, sessions: Sessions) -> dict[str, Any] | None:
    """The answer to one message (``None`` for ``close``); a bad one is answered with an error."""
    try:
        request = _object(loads(text))
        kind, data = request.get("type"), _object(request.get("data") or {})
        if kind == "close":
            return None
        return await _answer(kind, data, session, sessions)
    except BadRequest as exc:
        return _error(exc)
    except Exception as exc:  # the env failed: the client is told, the server goes on
        return _error(BadRequest(_failed(exc), 500, "EXECUTION_ERROR"))


async def _answer(
    kind: Any, data: Mapping[str, Any], session: Session, sessions: Sessions
) -> dict[str, Any]:
    if kind == "reset":
        return {"type": "observation", "data": await sessions.reset(session, data)}
    if kind == "step":
        return {"type": "observation", "data": await sessions.step(session, data)}
    if kind == "state":
        return {"type": "state", "data": session.state()}
    raise BadRequest(
        f"unknown message type {str(kind)[:40]!r}; send reset, step, state or close",
        code="UNKNOWN_TYPE",
    )


def _failed(exc: Exception) -> str:
    return f"the env failed: {type(exc).__name__}: {exc}"[:2000]


def _error(exc: BadRequest) -> dict[str, Any]:
    return {"type": "error", "data": {"message": str(exc), "code": exc.code, "status": exc.status}}


async def _reap(sessions: Sessions) -> None:
    interval = min(sessions.config.idle_timeout / 4, 5.0)
    while True:
        await asyncio.sleep(interval)
        await sessions.reap()


async def _body(request: Request, limit: int) -> dict[str, Any]:
    """The request's JSON object, read no further than ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return _object(loads(b"".join(chunks)))


def _too_large(limit: int) -> BadRequest:
    return BadRequest(f"the request is over {limit} bytes", 413, "TOO_LARGE")


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(
            f"expected a JSON object, got {type(value).__name__}", 422, "VALIDATION_ERROR"
        )
    return value


def _json(data: Any, status: int = 200) -> Response:
    return Response(dumps(data), status_code=status, media_type="application/json")


def _describe(env_id: str) -> dict[str, Any]:
    info = registry.get(env_id)
    return {
        "id": info.id,
        "family": info.family,
        "channels": list(info.channels),
        "description": info.description,
    }


def _tools(family: str) -> list[dict[str, Any]] | None:
    from fbgym.wrappers.tools import tools_for

    toolset = tools_for(family)
    return None if toolset is None else toolset.schemas()


_TEXT = {"type": "string", "maxLength": MAX_OBSERVATION_CHARS}
_OBSERVATION_SCHEMA = {
    "type": "object",
    "properties": {"instruction": _TEXT, "observation": _TEXT, "feedback": _TEXT},
    "required": ["instruction", "observation", "feedback"],
}

__all__ = ["ServeConfig", "create_app"]
