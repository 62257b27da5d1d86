"""The versioned JSON Schemas of a submission: the run's meta, its episodes, and the manifest.

A submission directory under ``results/`` holds ``submission.json`` (the manifest, schema
``MANIFEST``), and the run as it was written by the runner: ``meta.json`` (schema ``META``) and
``episodes.jsonl`` (one ``EPISODE`` per line). Bump :data:`SCHEMA_VERSION` whenever a schema
changes in a way an older reader would misread; :func:`schema_document` is the published form.

Every object the runner writes is closed (``additionalProperties: false``): a field this
version does not know is a ``schema`` rejection, not something carried along unread. Only the
parts whose contents belong to someone else are open — an agent's ``config``, an env's
``kwargs`` (checked against the suite by :mod:`fbgym.leaderboard.settings`), and the
``diagnosis`` and ``meta`` of outcomes and feedback, which replay compares with the env's own.
When the runner starts writing a new field, add it here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from fbgym.core.types import Channel, FeedbackKind
from fbgym.errors import SubmissionRejected

SCHEMA_ID = "fbgym-leaderboard-submission"
SCHEMA_VERSION = 2
AGENT_PROCESSES = ("separate", "in-process")
"""How a run played its agent: in a process of its own, or beside the envs (debugging)."""
EVALUATIONS = ("open", "sealed")
"""``open``: the submitter played a public suite; ``sealed``: the board played it on problems
drawn from a secret seed revealed only after the run."""

SAFE_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
"""Submitter and agent names: they become directory names, so no separators and no dot-first."""

MAX_INTEGER = 2**63 - 1
"""The largest integer (a seed, say) accepted: what the SQLite index can hold."""

_STR = {"type": "string"}
_OPT_STR = {"type": ["string", "null"]}
_HEX = {"type": "string", "pattern": "^[0-9a-f]+$"}
_COUNT = {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER}
_OPT_COUNT = {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_INTEGER}

_DEFS: dict[str, Any] = {
    "feedback": {
        "type": "object",
        "required": ["channel", "text", "parts", "ranking", "value", "end", "meta", "notes"],
        "properties": {
            "channel": {"enum": [c.value for c in Channel]},
            "text": _STR,
            "parts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "text"],
                    "properties": {"kind": {"enum": [k.value for k in FeedbackKind]}, "text": _STR},
                    "additionalProperties": False,
                },
            },
            "ranking": {
                "type": ["array", "null"],
                "items": {"type": "array", "items": {"type": "integer", "minimum": 1}},
            },
            "value": {"type": ["number", "null"]},
            "end": {"type": "boolean"},
            "meta": {"type": "object"},
            "notes": {"type": "object"},
        },
        "additionalProperties": False,
    },
    "outcome": {
        "type": "object",
        "required": ["success", "score", "utility", "valid", "graded", "message", "observation"],
        "properties": {
            "success": {"type": "boolean"},
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "utility": {"type": ["number", "null"]},
            "valid": {"type": "boolean"},
            "graded": {"type": "boolean"},
            "message": _STR,
            "observation": _OPT_STR,
            "diagnosis": {"type": "object"},
        },
        "additionalProperties": False,
    },
    "turn": {
        "type": "object",
        "required": ["action", "reward", "outcome", "feedback"],
        "properties": {
            "action": _OPT_STR,
            "action_type": {"type": "string", "minLength": 1, "maxLength": 200},
            "action_repr": _STR,
            "reward": {"type": "number"},
            "outcome": {"$ref": "#/$defs/outcome"},
            "feedback": {"$ref": "#/$defs/feedback"},
        },
        "if": {"properties": {"action": {"type": "null"}}},
        "then": {"required": ["action_type"]},
        "additionalProperties": False,
    },
    "episode": {
        "type": "object",
        "required": [
            "key",
            "env_id",
            "family",
            "channel",
            "kwargs",
            "seed",
            "problem_id",
            "success",
            "turns",
            "turns_to_success",
            "score",
            "ended_by_user",
            "error",
            "transcript",
        ],  # fmt: skip
        "properties": {
            "key": _STR,
            "env_id": _STR,
            "family": _STR,
            "channel": {"enum": [c.value for c in Channel]},
            "kwargs": {"type": "object"},
            "seed": _COUNT,
            "problem_id": _STR,
            "success": {"type": "boolean"},
            "turns": _COUNT,
            "turns_to_success": _OPT_COUNT,
            "attempts": _COUNT,
            "attempts_to_success": _OPT_COUNT,
            "max_turns": _OPT_COUNT,
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "ended_by_user": {"type": "boolean"},
            "error": _OPT_STR,
            "elapsed_s": {"type": "number"},
            "agent": _STR,
            "stream": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_INTEGER},
            "position": _COUNT,
            "metrics": {"type": "object"},
            "transcript": {"type": "array", "items": {"$ref": "#/$defs/turn"}},
        },
        "additionalProperties": False,
    },
    "agent_card": {
        "type": "object",
        "required": ["name", "class", "config", "privileged"],
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "class": _STR,
            "config": {"type": "object"},
            "config_hash": _STR,
            "privileged": {"type": "boolean"},
        },
        "additionalProperties": False,
    },
    "meta": {
        "type": "object",
        "required": [
            "fbgym_version",
            "gymnasium_version",
            "agent",
            "agent_process",
            "suite",
            "seed",
            "episodes",
            "envs",
        ],  # fmt: skip
        "properties": {
            "fbgym_version": _STR,
            "gymnasium_version": _STR,
            "python": _STR,
            "created": _OPT_STR,
            "agent": {"$ref": "#/$defs/agent_card"},
            "agent_process": {"enum": list(AGENT_PROCESSES)},
            "agent_isolation": {"type": "object"},
            "evaluation": {"enum": list(EVALUATIONS)},
            "sealed_seed": _COUNT,
            "suite": {"type": ["string", "null"], "pattern": r"^[\w.-]+@\d+$"},
            "seed": _COUNT,
            "stream_length": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
            "episodes": {"type": "array", "items": _STR},
            "envs": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "required": ["family", "kwargs"],
                    "properties": {"family": _STR, "kwargs": {"type": "object"}},
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    },
    "manifest": {
        "type": "object",
        "required": [
            "schema",
            "schema_version",
            "id",
            "submitter",
            "submitted_at",
            "agent",
            "suite",
            "seed",
            "environment",
            "envs",
            "status",
            "episodes",
            "digest",
            "files",
            "agent_process",
            "evaluation",
        ],  # fmt: skip
        "properties": {
            "schema": {"const": SCHEMA_ID},
            "schema_version": {"const": SCHEMA_VERSION},
            "id": {**_HEX, "minLength": 12, "maxLength": 12},
            "agent_process": {"enum": list(AGENT_PROCESSES)},
            "evaluation": {"enum": list(EVALUATIONS)},
            "submitter": {"type": "string", "pattern": SAFE_NAME},
            "submitted_at": {"type": "string", "format": "date-time"},
            "agent": {
                "type": "object",
                "required": ["name", "version", "model", "revision", "class", "config_hash"],
                "properties": {
                    "name": {"type": "string", "pattern": SAFE_NAME},
                    "version": _OPT_STR,
                    "model": _OPT_STR,
                    "revision": _OPT_STR,
                    "class": _STR,
                    "config_hash": _STR,
                    "privileged": {"type": "boolean"},
                },
                "additionalProperties": False,
            },
            "suite": {
                "type": ["object", "null"],
                "required": ["name", "version"],
                "properties": {"name": _STR, "version": {"type": "integer", "minimum": 0}},
                "additionalProperties": False,
            },
            "seed": _COUNT,
            "environment": {
                "type": "object",
                "required": ["fbgym_version", "gymnasium_version", "verified_with"],
                "properties": {
                    "fbgym_version": _STR,
                    "gymnasium_version": _STR,
                    "python": _OPT_STR,
                    "verified_with": _STR,
                },
            },
            "envs": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {
                    "type": "object",
                    "required": ["family", "kwargs", "version", "max_turns"],
                    "properties": {
                        "family": _STR,
                        "kwargs": {"type": "object"},
                        "version": {"type": "integer", "minimum": 0},
                        "max_turns": {"type": "integer", "minimum": 1},
                    },
                },
            },
            "status": {"enum": ["verified", "unverified"]},
            "unverified_episodes": {"type": "integer", "minimum": 0},
            "episodes": {"type": "integer", "minimum": 1},
            "digest": {**_HEX, "minLength": 64, "maxLength": 64},
            "files": {
                "type": "object",
                "required": ["meta.json", "episodes.jsonl"],
                "additionalProperties": {**_HEX, "minLength": 64, "maxLength": 64},
            },
        },
        "additionalProperties": False,
    },
}

KINDS = ("meta", "episode", "manifest")


def schema_document() -> dict[str, Any]:
    """All schemas as one JSON Schema document (``$defs``), as published in ``results/``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_ID}/v{SCHEMA_VERSION}",
        "title": "fbgym leaderboard submission",
        "$defs": _DEFS,
    }


@cache
def _validator(kind: str) -> Draft202012Validator:
    if kind not in KINDS:
        raise ValueError(f"unknown schema {kind!r}; expected one of {KINDS}")
    schema = {**schema_document(), "$ref": f"#/$defs/{kind}"}
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out.lstrip(".") or "(top level)"


def validate(kind: str, document: Any, where: str) -> None:
    """Check ``document`` against schema ``kind``; raise a ``schema`` rejection naming the field.

    >>> validate("meta", {"seed": -1}, "meta.json")
    Traceback (most recent call last):
    ...
    fbgym.errors.SubmissionRejected: schema: meta.json: ...
    """
    error = best_match(_validator(kind).iter_errors(document))
    if error is not None:
        raise SubmissionRejected(
            "schema", f"{where}: {_path(error.absolute_path)}: {error.message}"
        )
