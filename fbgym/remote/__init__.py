"""Serving over the network: envs to remote trainers and agents to the runner, and their clients.

``fbgym serve`` puts registered envs behind HTTP and WebSocket (:mod:`fbgym.remote.server`);
:func:`make` plays one from anywhere as a ``gymnasium.Env``. ``fbgym serve-agent`` puts an
agent behind a WebSocket (:mod:`fbgym.remote.agent_server`); :class:`RemoteAgent` is how
``fbgym.evaluate`` and ``fbgym leaderboard evaluate`` play it. The servers need
``pip install "fbgym[serve]"``; the clients need only ``websockets``. Names load on first
use, so ``import fbgym.remote`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_NAMES = {
    "AsyncRemoteEnv": "fbgym.remote.client",
    "RemoteEnv": "fbgym.remote.client",
    "async_make": "fbgym.remote.client",
    "make": "fbgym.remote.client",
    "RemoteError": "fbgym.remote.protocol",
    "RemoteAgent": "fbgym.remote.agent",
    "RemotePlayer": "fbgym.remote.agent",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    if name not in _NAMES:
        raise AttributeError(f"module 'fbgym.remote' has no attribute {name!r}")
    return getattr(importlib.import_module(_NAMES[name]), name)
