"""The wire format of served envs: the agent's view as JSON, the same the player process speaks.

A reset answers ``{"observation", "info"}`` and a step ``{"observation", "reward",
"terminated", "truncated", "info"}``, with ``info["feedback"]`` as
:meth:`fbgym.Feedback.to_dict` gives it (:func:`fbgym.runner.player.encode_view`). An action
travels as :func:`fbgym.runner.player.encode_action` packs it — ``{"text": ...}``, or
``{"type": name}`` for a non-text action, which the env then refuses as it would locally —
or as a bare string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fbgym.errors import FbgymError
from fbgym.runner.player import decode_action, decode_view, encode_action, encode_view

DEFAULT_KWARGS = ("feedback", "pairwise", "max_turns", "user")
"""Env kwargs a client may set unless the server allows others: the channel and the knobs
that neither read the server's files, nor show more than the agent's view (``privileged``),
nor change its costs beyond one more turn."""

MAX_TYPE_NAME = 100


class RemoteError(FbgymError):
    """A served env or agent refused a request or could not be reached; the message says why."""

    def __init__(self, message: str, status: int | None = None, code: str = ""):
        super().__init__(message)
        self.status = status
        self.code = code


class BadRequest(FbgymError):
    """A client's request is malformed; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400, code: str = "BAD_REQUEST"):
        super().__init__(message)
        self.status = status
        self.code = code


def dumps(data: Any) -> str:
    """``data`` as compact JSON (ASCII, so lone surrogates in actions survive the trip)."""
    return json.dumps(data, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    """Parse a request's JSON, or :class:`BadRequest` saying why it is not JSON."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the request is not valid JSON: {exc}", code="INVALID_JSON") from None


def reset_reply(observation: Mapping[str, str], info: Mapping[str, Any]) -> dict[str, Any]:
    """What a reset sends back: the agent's view."""
    return encode_view(dict(observation), dict(info))


def step_reply(
    observation: Mapping[str, str],
    reward: float,
    terminated: bool,
    truncated: bool,
    info: Mapping[str, Any],
) -> dict[str, Any]:
    """What a step sends back: the agent's view, the reward and how the episode stands."""
    view = encode_view(dict(observation), dict(info))
    return {
        "observation": view["observation"],
        "reward": float(reward),
        "terminated": bool(terminated),
        "truncated": bool(truncated),
        "info": view["info"],
    }


def decode_reset(data: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """The observation and info of :func:`reset_reply`'s answer, the feedback typed again."""
    return decode_view(data)


def decode_step(data: Mapping[str, Any]) -> tuple[dict[str, str], float, bool, bool, dict]:
    """The five values of ``env.step`` from :func:`step_reply`'s answer."""
    observation, info = decode_view(data)
    return observation, data["reward"], data["terminated"], data["truncated"], info


def pack_action(action: object) -> dict[str, Any]:
    """An action as it travels (see :func:`fbgym.runner.player.encode_action`)."""
    return encode_action(action)


def unpack_action(data: Any) -> object:
    """The action a request carries: a string, or ``{"text": ...}``/``{"type": ...}``."""
    if isinstance(data, str):
        return data
    if isinstance(data, Mapping) and set(data) == {"text"} and isinstance(data["text"], str):
        return data["text"]
    if isinstance(data, Mapping) and set(data) == {"type"}:
        name = data["type"]
        if isinstance(name, str) and name.isidentifier() and len(name) <= MAX_TYPE_NAME:
            return decode_action({"type": name})
    raise BadRequest(
        "'action' must be a string, {'text': <string>} or {'type': <type name>} for a "
        f"non-text action; got {_preview(data)}",
        status=422,
        code="VALIDATION_ERROR",
    )


def field(data: Mapping[str, Any], name: str, kind: type, default: Any = None) -> Any:
    """``data[name]`` if it is a ``kind`` (absent or null: ``default``), else a 422."""
    value = data.get(name)
    if value is None:
        return default
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return value
    raise BadRequest(
        f"{name!r} must be {_JSON_NAMES.get(kind, kind.__name__)}, got {_preview(value)}",
        status=422,
        code="VALIDATION_ERROR",
    )


_JSON_NAMES = {str: "a string", int: "an integer", dict: "an object", bool: "true or false"}


def _preview(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
