"""Sessions of served envs: one env per client, a cap on how many, and idle ones closed.

The judge — env, grader, simulated user, sandbox — lives here, on the server; a session
answers only with the agent's view (:mod:`fbgym.remote.protocol`). Env calls run in worker
threads, one at a time per session, so a slow step (a sandboxed program) never holds up
the other sessions.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym

from fbgym.errors import ConfigError, FbgymError, UnknownIdError
from fbgym.registration import registry
from fbgym.remote import protocol
from fbgym.remote.protocol import BadRequest


@dataclass(frozen=True)
class ServeConfig:
    """What a server serves and how much it takes.

    ``envs`` are the served ids (empty: every registered one); a client may set only the
    env kwargs in ``allowed_kwargs``; at most ``max_sessions`` sessions are open at once; one
    left without a request for ``idle_timeout`` seconds is closed; a request (or WebSocket
    message) over ``max_request_bytes`` is refused.
    """

    envs: tuple[str, ...] = ()
    allowed_kwargs: frozenset[str] = frozenset(protocol.DEFAULT_KWARGS)
    max_sessions: int = 1024
    idle_timeout: float = 300.0
    max_request_bytes: int = 16 * 2**20

    def __post_init__(self) -> None:
        if self.max_sessions < 1:
            raise ConfigError(f"max_sessions must be at least 1, got {self.max_sessions}")
        if not self.idle_timeout > 0:
            raise ConfigError(f"idle_timeout must be positive seconds, got {self.idle_timeout}")
        if self.max_request_bytes < 1024:
            raise ConfigError(
                f"max_request_bytes must be at least 1024, got {self.max_request_bytes}"
            )
        for env_id in self.envs:
            registry.get(env_id)  # an unknown id fails here, with suggestions
        object.__setattr__(self, "envs", tuple(self.envs))
        object.__setattr__(self, "allowed_kwargs", frozenset(self.allowed_kwargs))

    def served(self) -> list[str]:
        """The ids this server plays."""
        return list(self.envs) or [e.id for e in registry.envs()]


@dataclass
class Session:
    """One client's env, made at its first reset, and where its episode stands."""

    id: str
    env_id: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)
    env: gym.Env | None = None
    connected: bool = False
    """Held by a WebSocket connection, which closes it itself when the client goes quiet."""
    last_active: float = field(default_factory=time.monotonic)
    turn: int = 0
    done: bool = True
    problem_id: str = ""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def state(self) -> dict[str, Any]:
        """What the client may know of its session: its env, and its episode as it saw it."""
        return {
            "session_id": self.id,
            "env_id": self.env_id,
            "kwargs": self.kwargs,
            "turn": self.turn,
            "done": self.done,
            "problem_id": self.problem_id,
        }


class Sessions:
    """The open sessions of a server."""

    def __init__(self, config: ServeConfig):
        self.config = config
        self._open: dict[str, Session] = {}

    def __len__(self) -> int:
        return len(self._open)

    def open(self, *, connected: bool = False) -> Session:
        """A new session, or :class:`BadRequest` (503) when the server is full."""
        if len(self._open) >= self.config.max_sessions:
            raise BadRequest(
                f"the server is full ({self.config.max_sessions} sessions); close a session "
                "or try again later",
                status=503,
                code="CAPACITY_REACHED",
            )
        session = Session(secrets.token_urlsafe(16), connected=connected)
        self._open[session.id] = session
        return session

    def get(self, session_id: Any) -> Session:
        """The open session ``session_id``, or :class:`BadRequest` (404)."""
        session = self._open.get(session_id) if isinstance(session_id, str) else None
        if session is None:
            raise BadRequest(
                f"no open session {str(session_id)[:40]!r}; sessions close after "
                f"{self.config.idle_timeout:g} s without a request — reset without a "
                "session_id to open a new one",
                status=404,
                code="SESSION_ERROR",
            )
        return session

    async def close(self, session: Session) -> None:
        """Close ``session`` and its env."""
        self._open.pop(session.id, None)
        env, session.env = session.env, None
        if env is not None:
            await asyncio.to_thread(env.close)

    async def close_all(self) -> None:
        """Close every session (the server is stopping)."""
        for session in list(self._open.values()):
            await self.close(session)

    async def reap(self) -> int:
        """Close the sessions idle for longer than the timeout; how many were closed."""
        limit = time.monotonic() - self.config.idle_timeout
        idle = [
            s
            for s in self._open.values()
            if not s.connected and s.last_active < limit and not s.lock.locked()
        ]
        for session in idle:
            await self.close(session)
        return len(idle)

    async def reset(self, session: Session, request: Mapping[str, Any]) -> dict[str, Any]:
        """Start an episode: make the session's env first if it has none."""
        env_id = protocol.field(request, "env_id", str, "")
        kwargs = protocol.field(request, "kwargs", dict, {})
        seed = protocol.field(request, "seed", int)
        options = protocol.field(request, "options", dict)
        async with self._busy(session):
            if session.env is None:
                session.env = await self._make(env_id, kwargs)
                session.env_id, session.kwargs = env_id, kwargs
            elif (env_id and env_id != session.env_id) or (
                "kwargs" in request and kwargs != session.kwargs
            ):
                raise BadRequest(
                    f"this session plays {session.env_id} with {session.kwargs}; open another "
                    "session for another env",
                    status=409,
                    code="SESSION_ERROR",
                )
            try:
                observation, info = await asyncio.to_thread(
                    session.env.reset, seed=seed, options=options
                )
            except (FbgymError, ValueError, TypeError, KeyError, IndexError) as exc:
                raise BadRequest(
                    f"cannot reset with seed={seed!r}, options={options!r}: {exc}"
                ) from None
            session.turn, session.done, session.problem_id = 0, False, info["problem_id"]
            return protocol.reset_reply(observation, info)

    async def step(self, session: Session, request: Mapping[str, Any]) -> dict[str, Any]:
        """Play one action in the session's episode."""
        if "action" not in request:
            raise BadRequest("a step needs an 'action'", status=422, code="VALIDATION_ERROR")
        action = protocol.unpack_action(request["action"])
        async with self._busy(session):
            if session.env is None or session.done:
                raise BadRequest(
                    "no episode in progress; reset first", status=409, code="SESSION_ERROR"
                )
            result = await asyncio.to_thread(session.env.step, action)
            observation, reward, terminated, truncated, info = result
            session.turn, session.done = info["turn"], bool(terminated or truncated)
            return protocol.step_reply(observation, reward, terminated, truncated, info)

    @staticmethod
    @asynccontextmanager
    async def _busy(session: Session) -> AsyncIterator[None]:
        """One call at a time per session; its clock set on the way in and out."""
        async with session.lock:
            session.last_active = time.monotonic()
            try:
                yield
            finally:
                session.last_active = time.monotonic()

    async def _make(self, env_id: str, kwargs: dict[str, Any]) -> gym.Env:
        if not env_id:
            raise BadRequest("the first reset of a session must name an 'env_id'", status=422)
        served = self.config.served()
        if env_id not in served:
            try:
                registry.get(env_id)
            except UnknownIdError as exc:
                raise BadRequest(str(exc), status=404, code="UNKNOWN_ENV") from None
            raise BadRequest(
                f"{env_id} is not served here; served: {', '.join(served)}",
                status=404,
                code="UNKNOWN_ENV",
            )
        refused = sorted(set(kwargs) - self.config.allowed_kwargs)
        if refused:
            raise BadRequest(
                f"env kwargs {refused} may not be set by a client; this server allows "
                f"{sorted(self.config.allowed_kwargs)}",
                code="FORBIDDEN_KWARGS",
            )
        try:
            return await asyncio.to_thread(gym.make, env_id, **kwargs)
        except (FbgymError, ValueError, TypeError, KeyError) as exc:
            raise BadRequest(
                f"cannot make {env_id} with {kwargs}: {exc}", code="FACTORY_ERROR"
            ) from None
