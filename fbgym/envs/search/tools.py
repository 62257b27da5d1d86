"""The search family's commands as tools: ``search``, ``ask``, ``answer`` and ``stop``.

Each call reads as the text command :mod:`fbgym.envs.search.actions` parses; one per turn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fbgym.core.tools import Tool, ToolSet, words

_DOC_ID = {"type": "string", "pattern": r"^[A-Za-z0-9_.:-]{1,64}$"}
_TEXT = {"type": "string", "minLength": 1, "maxLength": 2000, "pattern": r"\S"}


def _search(arguments: Mapping[str, Any]) -> str:
    exclude = " ".join(f"-{doc}" for doc in arguments.get("exclude", ()))
    return words(f"search: {arguments['query']} {exclude}")


def _answer(arguments: Mapping[str, Any]) -> str:
    return "answer: " + ", ".join(arguments["doc_ids"])


SEARCH_TOOLS = ToolSet(
    "search",
    (
        Tool(
            "search",
            "Search the collection; the results replace what you see.",
            {
                "type": "object",
                "properties": {
                    "query": {**_TEXT, "description": "The query words."},
                    "exclude": {
                        "type": "array",
                        "items": _DOC_ID,
                        "maxItems": 100,
                        "description": "Document ids to leave out of the results.",
                    },
                },
                "required": ["query"],
                "additionalProperties": False,
            },
            _search,
        ),
        Tool(
            "ask",
            "Ask the user a clarifying question about what they are looking for.",
            {
                "type": "object",
                "properties": {"question": {**_TEXT, "description": "The question."}},
                "required": ["question"],
                "additionalProperties": False,
            },
            lambda arguments: words(f"ask: {arguments['question']}"),
        ),
        Tool(
            "answer",
            "Give the documents that answer the user's need, best first.",
            {
                "type": "object",
                "properties": {
                    "doc_ids": {
                        "type": "array",
                        "items": _DOC_ID,
                        "minItems": 1,
                        "maxItems": 100,
                        "description": "Document ids, best first.",
                    }
                },
                "required": ["doc_ids"],
                "additionalProperties": False,
            },
            _answer,
        ),
        Tool(
            "stop",
            "End the conversation.",
            {"type": "object", "properties": {}, "additionalProperties": False},
            lambda arguments: "stop",
        ),
    ),
)
"""The search commands, the ``search`` family's tools (``Family.tools``)."""
