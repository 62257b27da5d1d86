"""Clients of served envs: a ``gymnasium.Env`` and an asyncio twin, each one WebSocket session.

The judge stays on the server; the client gets the agent's view, decoded exactly as the
player process decodes it, so a remote episode's transcript is byte for byte a local one's
for the same env, kwargs, seed and actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import gymnasium as gym
from gymnasium import spaces

from fbgym.core.text import MAX_ACTION_CHARS, MAX_OBSERVATION_CHARS, WideText
from fbgym.errors import ConfigError
from fbgym.remote.protocol import RemoteError, decode_reset, decode_step, dumps, loads, pack_action

DEFAULT_TIMEOUT = 300.0
"""Seconds to wait for a reply (a code env's step runs programs in a sandbox)."""


def websocket_url(url: str, path: str = "/ws") -> str:
    """``url`` as a WebSocket address: ``http`` → ``ws``, ``https`` → ``wss``, ``path`` added.

    >>> websocket_url("http://127.0.0.1:8000")
    'ws://127.0.0.1:8000/ws'
    >>> websocket_url("wss://envs.example.org/ws")
    'wss://envs.example.org/ws'
    """
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ConfigError(f"expected an http://, https://, ws:// or wss:// URL, got {url!r}")
    route = parts.path if parts.path.endswith(path) else parts.path.rstrip("/") + path
    return urlunsplit((scheme, parts.netloc, route, parts.query, ""))


def _message(kind: str, data: Mapping[str, Any]) -> str:
    return dumps({"type": kind, "data": dict(data)})


def _answer(text: str | bytes) -> Any:
    reply = loads(text)
    if reply.get("type") == "error":
        error = reply.get("data") or {}
        raise RemoteError(
            str(error.get("message", error)), error.get("status"), error.get("code", "")
        )
    return reply["data"]


def _closed(url: str, exc: Exception) -> RemoteError:
    reason = getattr(getattr(exc, "rcvd", None), "reason", "") or str(exc)
    return RemoteError(f"the session at {url} ended: {reason}")


def enter_connection(connection: Any) -> Any:
    """A synchronous connection, entered as its context (how websockets wants it held)."""
    return connection.__enter__()


def _spaces() -> tuple[spaces.Dict, WideText]:
    text = WideText(MAX_OBSERVATION_CHARS)
    observation = spaces.Dict({"instruction": text, "observation": text, "feedback": text})
    return observation, WideText(MAX_ACTION_CHARS)


class _Session:
    """What both clients keep: the env they asked for and whether it is made yet."""

    def __init__(self, url: str, env_id: str, kwargs: Mapping[str, Any]):
        self.url = websocket_url(url)
        self.env_id = env_id
        self.kwargs = dict(kwargs)
        self.made = False

    def reset_data(self, seed: int | None, options: Mapping[str, Any] | None) -> dict[str, Any]:
        data: dict[str, Any] = {"seed": seed, "options": None if options is None else dict(options)}
        if not self.made:
            data.update(env_id=self.env_id, kwargs=self.kwargs)
        return data


class RemoteEnv(gym.Env[dict[str, str], str]):
    """An fbgym env served at ``url`` (see ``fbgym serve``), played over one WebSocket.

    Spaces, ``reset`` and ``step`` are a local :class:`fbgym.FeedbackEnv`'s; ``info`` carries
    the same agent's view (``feedback`` typed). The judge's side — ``history``, outcomes —
    stays on the server. :meth:`state` says where the session stands. A refused request or a
    lost connection raises :class:`~fbgym.remote.protocol.RemoteError`.
    """

    metadata = {"render_modes": []}

    def __init__(self, url: str, env_id: str, *, timeout: float = DEFAULT_TIMEOUT, **kwargs: Any):
        from websockets.sync.client import connect

        self._session = _Session(url, env_id, kwargs)
        self.timeout = timeout
        self.observation_space, self.action_space = _spaces()
        try:
            self._ws = enter_connection(
                connect(self._session.url, max_size=None, open_timeout=timeout)
            )
        except (OSError, TimeoutError) as exc:
            raise RemoteError(f"cannot reach {self._session.url}: {exc}") from None
        except Exception as exc:  # the handshake failed: not an fbgym server
            raise RemoteError(f"{self._session.url} refused the session: {exc}") from None

    @property
    def env_id(self) -> str:
        """The served env's id."""
        return self._session.env_id

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, str], dict[str, Any]]:
        """Start an episode on the server (the first reset makes the session's env)."""
        super().reset(seed=seed)
        data = self._call("reset", self._session.reset_data(seed, options))
        self._session.made = True
        return decode_reset(data)

    def step(self, action: str) -> tuple[dict[str, str], float, bool, bool, dict[str, Any]]:
        """Play ``action`` on the server."""
        return decode_step(self._call("step", {"action": pack_action(action)}))

    def state(self) -> dict[str, Any]:
        """The session as the server sees it: env, kwargs, turn, whether the episode is over."""
        return self._call("state", {})

    def close(self) -> None:
        """End the session (the server closes its env)."""
        ws, self._ws = getattr(self, "_ws", None), None
        if ws is not None:
            try:
                ws.send(_message("close", {}))
            except Exception:  # already gone: nothing to end
                pass
            ws.__exit__(None, None, None)

    def _call(self, kind: str, data: Mapping[str, Any]) -> Any:
        from websockets.exceptions import ConnectionClosed

        if self._ws is None:
            raise RemoteError(f"the session at {self._session.url} is closed")
        try:
            self._ws.send(_message(kind, data))
            return _answer(self._ws.recv(timeout=self.timeout))
        except TimeoutError:
            raise RemoteError(f"no reply from {self._session.url} in {self.timeout:g} s") from None
        except ConnectionClosed as exc:
            raise _closed(self._session.url, exc) from None


class AsyncRemoteEnv:
    """:class:`RemoteEnv` for asyncio: ``await env.reset()``, ``await env.step(action)``.

    Hundreds can be in flight from one process (one connection each)::

        async with AsyncRemoteEnv(url, "fbgym/Math-v0", feedback="verbal") as env:
            obs, info = await env.reset(seed=0)
    """

    def __init__(self, url: str, env_id: str, *, timeout: float = DEFAULT_TIMEOUT, **kwargs: Any):
        self._session = _Session(url, env_id, kwargs)
        self.timeout = timeout
        self.observation_space, self.action_space = _spaces()
        self._ws: Any = None

    async def connect(self) -> AsyncRemoteEnv:
        """Open the session's connection."""
        from websockets.asyncio.client import connect

        try:
            self._ws = await connect(self._session.url, max_size=None, open_timeout=self.timeout)
        except (OSError, TimeoutError) as exc:
            raise RemoteError(f"cannot reach {self._session.url}: {exc}") from None
        return self

    async def __aenter__(self) -> AsyncRemoteEnv:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, str], dict[str, Any]]:
        """Start an episode on the server."""
        data = await self._call("reset", self._session.reset_data(seed, options))
        self._session.made = True
        return decode_reset(data)

    async def step(self, action: str) -> tuple[dict[str, str], float, bool, bool, dict[str, Any]]:
        """Play ``action`` on the server."""
        return decode_step(await self._call("step", {"action": pack_action(action)}))

    async def state(self) -> dict[str, Any]:
        """The session as the server sees it."""
        return await self._call("state", {})

    async def close(self) -> None:
        """End the session."""
        ws, self._ws = self._ws, None
        if ws is not None:
            try:
                await ws.send(_message("close", {}))
            except Exception:  # already gone: nothing to end
                pass
            await ws.close()

    async def _call(self, kind: str, data: Mapping[str, Any]) -> Any:
        import asyncio

        from websockets.exceptions import ConnectionClosed

        if self._ws is None:
            await self.connect()
        try:
            await self._ws.send(_message(kind, data))
            return _answer(await asyncio.wait_for(self._ws.recv(), self.timeout))
        except asyncio.TimeoutError:
            raise RemoteError(f"no reply from {self._session.url} in {self.timeout:g} s") from None
        except ConnectionClosed as exc:
            raise _closed(self._session.url, exc) from None


def make(url: str, env_id: str, **kwargs: Any) -> RemoteEnv:
    """``env_id`` served at ``url``, made with ``kwargs``: a ``gymnasium.Env``.

    ``timeout=`` (seconds per reply) is the client's; every other keyword goes to the
    server's ``gymnasium.make`` (it may allow only some: ``feedback``, ``pairwise``, ...).
    """
    return RemoteEnv(url, env_id, **kwargs)


async def async_make(url: str, env_id: str, **kwargs: Any) -> AsyncRemoteEnv:
    """:func:`make` for asyncio: a connected :class:`AsyncRemoteEnv`."""
    return await AsyncRemoteEnv(url, env_id, **kwargs).connect()
