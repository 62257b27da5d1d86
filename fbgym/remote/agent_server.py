"""The agent server: a local agent behind a WebSocket, speaking the player process's protocol.

``GET /health`` and ``GET /info`` (the agent's card); ``/ws`` takes one JSON request per
message — ``{"op": "new_stream" | "reset" | "act" | "act_batch" | "end_episode" | "info",
...}`` — and answers ``{"ok": result}`` or ``{"error": description}``, as a player process
does. Each connection plays a fresh copy of the agent (packed once, unpacked per
connection, as for player processes), one request at a time.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse

from fbgym.agents.base import Agent
from fbgym.errors import ConfigError
from fbgym.runner.player import AgentPayload, batches, handle_request

OPS = ("new_stream", "reset", "act", "act_batch", "end_episode", "info")


def agent_info(agent: Agent) -> dict[str, Any]:
    """The card a served agent shows: :func:`fbgym.runner.evaluate.agent_card`, and batching."""
    from fbgym.runner.evaluate import agent_card

    return {**agent_card(agent), "batches": batches(agent)}


def create_agent_app(
    agent: Agent,
    *,
    max_connections: int = 256,
    idle_timeout: float = 3600.0,
    max_message_bytes: int = 64 * 2**20,
) -> FastAPI:
    """The FastAPI app serving ``agent``: at most ``max_connections`` players at once."""
    if max_connections < 1 or not idle_timeout > 0:
        raise ConfigError(
            "max_connections must be >= 1 and idle_timeout > 0; got "
            f"{max_connections} and {idle_timeout}"
        )
    payload = AgentPayload.pack(agent)
    card = agent_info(agent)
    app = FastAPI(title=f"fbgym agent {card['name']}")
    app.state.connections = 0

    @app.get("/health")
    async def health() -> JSONResponse:
        return JSONResponse({"status": "healthy", "connections": app.state.connections})

    @app.get("/info")
    async def info() -> JSONResponse:
        return JSONResponse(card)

    @app.websocket("/ws")
    async def play(ws: WebSocket) -> None:
        await ws.accept()
        if app.state.connections >= max_connections:
            await ws.close(1013, reason=f"at most {max_connections} players at once")
            return
        app.state.connections += 1
        try:
            player = await asyncio.to_thread(payload.unpack)
            while True:
                message = await asyncio.wait_for(ws.receive(), idle_timeout)
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text") or message.get("bytes") or b""
                if len(text) > max_message_bytes:
                    await ws.close(1009, reason=f"a message may hold {max_message_bytes} bytes")
                    return
                await ws.send_text(json.dumps(await _reply(player, card, text)))
        except (WebSocketDisconnect, asyncio.TimeoutError):
            pass
        finally:
            app.state.connections -= 1

    return app


async def _reply(player: Agent, card: dict[str, Any], text: str | bytes) -> dict[str, Any]:
    """The answer to one request: the agent's result, or what went wrong."""
    from fbgym.runner.episode import describe_error

    try:
        message = json.loads(text)
        op = message.pop("op") if isinstance(message, dict) else None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return {"error": f"the request is not valid JSON: {exc}"}
    if op not in OPS:
        return {"error": f"unknown request {str(op)[:40]!r}; expected one of {', '.join(OPS)}"}
    if op == "info":
        return {"ok": card}
    try:
        return {"ok": await asyncio.to_thread(handle_request, player, op, message)}
    except Exception as exc:  # the agent's failure (or a malformed request), sent back
        return {"error": describe_error(exc)}
