"""Agents served at a URL: the runner's player over a WebSocket, and the agent that names it.

A served agent (``fbgym serve-agent``) speaks the player process's plain-data protocol —
``new_stream``, ``reset``, ``act``, ``act_batch``, ``end_episode``, one JSON message each —
over a WebSocket whose connection holds one fresh copy of the agent, as a player process
does. :class:`RemoteAgent` is what ``fbgym.evaluate`` is given (or a URL, which becomes
one); each judge process opens a :class:`RemotePlayer` of its own.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from fbgym.errors import ConfigError
from fbgym.remote.client import enter_connection, websocket_url
from fbgym.runner.player import AgentError, AgentTimeout, ProcessPlayer

REMOTE_ISOLATION = {"process": "remote"}
"""What a run records of how its agent was kept from the judge: across the network."""


@dataclass(frozen=True)
class Endpoint:
    """Where a served agent is, and how hard to try to reach it.

    A connection that cannot be made is tried ``retries`` more times, ``backoff * 2**i``
    seconds apart; a reply is awaited ``timeout`` seconds when the runner sets no step
    timeout (``None``: as long as it takes, as for a player process).
    """

    url: str
    timeout: float | None = None
    retries: int = 2
    backoff: float = 0.5

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", websocket_url(self.url))
        if self.timeout is not None and not self.timeout > 0:
            raise ConfigError(f"timeout must be positive seconds or None, got {self.timeout}")
        if self.retries < 0 or self.backoff < 0:
            raise ConfigError(
                f"retries and backoff must be >= 0, got {self.retries} and {self.backoff}"
            )

    def open(self) -> RemotePlayer:
        """A player of the agent served here (connected on first use)."""
        return RemotePlayer(self)


class RemotePlayer(ProcessPlayer):
    """A player whose agent is at the other end of a WebSocket, not in a child process.

    As with a player process, a call that overruns its timeout, or a connection that drops,
    fails that call with :class:`~fbgym.runner.player.AgentError` (so the episode, not the
    run); the next call connects afresh, to a fresh copy of the agent.
    """

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        self.isolation = dict(REMOTE_ISOLATION)
        self._ws: Any = None

    def _start(self) -> None:
        from websockets.sync.client import connect

        last = ""
        for attempt in range(self.endpoint.retries + 1):
            if attempt:
                time.sleep(self.endpoint.backoff * 2 ** (attempt - 1))
            try:
                self._ws = enter_connection(
                    connect(self.endpoint.url, max_size=None, open_timeout=30)
                )
                return
            except Exception as exc:  # refused, unreachable, or not a served agent
                last = f"{type(exc).__name__}: {exc}"
        raise AgentError(
            f"cannot reach the agent at {self.endpoint.url} "
            f"({self.endpoint.retries + 1} tries): {last}"
        )

    def _call(self, message: dict[str, Any], timeout: float | None) -> Any:
        from websockets.exceptions import ConnectionClosed

        if self._ws is None:
            self._start()
        wait = timeout if timeout is not None else self.endpoint.timeout
        try:
            self._ws.send(json.dumps(message))
            frame = self._ws.recv(timeout=wait)
        except TimeoutError:
            self.kill()
            raise AgentTimeout(f"the agent took longer than the {wait:g} s step timeout") from None
        except (ConnectionClosed, OSError) as exc:
            self.kill()
            raise AgentError(f"the agent at {self.endpoint.url} went away: {exc}") from None
        reply = json.loads(frame)
        if "error" in reply:
            raise AgentError(reply["error"])
        return reply["ok"]

    def info(self) -> dict[str, Any]:
        """The served agent's card: name, class, config, whether it batches."""
        return self._call({"op": "info"}, None)

    def kill(self) -> None:
        """Drop the connection (the server discards its copy of the agent)."""
        ws, self._ws = self._ws, None
        if ws is not None:
            ws.__exit__(None, None, None)


class RemoteAgent:
    """An agent served at ``url`` (``fbgym serve-agent``), to evaluate like any other.

    Its name, config and whether it is privileged or batches are the served agent's, read
    from the server on construction (which fails, with :class:`AgentError`, if the server
    cannot be reached). ``fbgym.evaluate`` plays it through one connection per judge
    process; ``timeout``, ``retries`` and ``backoff`` are :class:`Endpoint`'s. Its own
    ``act`` and friends play it from this process.
    """

    def __init__(
        self, url: str, *, timeout: float | None = None, retries: int = 2, backoff: float = 0.5
    ):
        self.endpoint = Endpoint(url, timeout, retries, backoff)
        player = self.endpoint.open()
        try:
            self.card: dict[str, Any] = player.info()
        finally:
            player.close()
        self.name = str(self.card.get("name", "remote"))
        self.privileged = bool(self.card.get("privileged", False))
        self.batching = bool(self.card.get("batches", False))
        self._player: RemotePlayer | None = None

    @property
    def remote_url(self) -> str:
        """Where the agent is served."""
        return self.endpoint.url

    def config(self) -> dict[str, Any]:
        """Where it is served, and the served agent's class and config."""
        return {
            "url": self.endpoint.url,
            "class": self.card.get("class"),
            "config": self.card.get("config", {}),
        }

    def config_hash(self) -> str:
        """The served agent's config hash (or a hash of its class and config)."""
        if self.card.get("config_hash"):
            return str(self.card["config_hash"])
        text = json.dumps([self.card.get("class"), self.card.get("config")], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _play(self) -> RemotePlayer:
        if self._player is None:
            self._player = self.endpoint.open()
        return self._player

    def new_stream(self) -> None:
        """Start a stream of episodes afresh."""
        self._play().new_stream()

    def reset(self, instruction: str, *, seed: int | None = None) -> None:
        """Start an episode."""
        self._play().reset(instruction, seed)

    def act(self, observation: dict[str, str], info: dict[str, Any]) -> object:
        """The served agent's next action."""
        return self._play().act(observation, info, None)

    def act_batch(self, observations: list[dict[str, str]], infos: list[dict[str, Any]]) -> list:
        """One action per episode from the served agent's ``act_batch``."""
        return self._play().act_batch(observations, infos, None)

    def end_episode(self, observation: dict[str, str], info: dict[str, Any]) -> None:
        """Tell the served agent how the episode ended."""
        self._play().end_episode(observation, info)

    def close(self) -> None:
        """Drop this process's connection."""
        if self._player is not None:
            self._player.close()
            self._player = None

    def __getstate__(self) -> dict[str, Any]:
        """Everything but the open connection."""
        return {**self.__dict__, "_player": None}
