"""The search family's commands: ``search:``, ``ask:``, ``answer:`` and ``stop``, parsed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from fbgym.errors import FbgymError

_COMMAND = re.compile(r"^\s*(search|ask|answer|stop)\b\s*:?\s*(.*)$", re.I | re.S)
_SEPARATORS = re.compile(r"[\s,;]+")
_WRAPPING = "[](){}<>\"'`*."
USAGE = "'search: <query>', 'ask: <clarifying question>', 'answer: <doc ids, best first>' or 'stop'"


class Verb(str, Enum):
    """What a command does."""

    SEARCH = "search"
    ASK = "ask"
    ANSWER = "answer"
    STOP = "stop"


@dataclass(frozen=True)
class Command:
    """One parsed action."""

    verb: Verb
    text: str = ""
    """The query or the question."""
    docs: tuple[str, ...] = ()
    """``answer``: the documents, best first, repeats removed."""
    exclude: tuple[str, ...] = ()
    """``search``: documents to leave out, written ``-<doc id>`` in the query."""


class CommandError(FbgymError, ValueError):
    """An action that is not a well-formed command; the message says what was wrong."""


def _preview(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def parse_command(action: str) -> Command:
    """The command ``action`` states, or :class:`CommandError` saying what is wrong.

    >>> parse_command("answer: D000012, D000003 D000012")
    Command(verb=<Verb.ANSWER: 'answer'>, text='', docs=('D000012', 'D000003'), exclude=())
    >>> parse_command("search: rasme nachem -D000007").exclude
    ('D000007',)
    >>> parse_command("hello")
    Traceback (most recent call last):
    ...
    fbgym.envs.search.actions.CommandError: expected ... got 'hello'
    """
    match = _COMMAND.match(action)
    if match is None:
        raise CommandError(f"expected {USAGE}; got {_preview(action.strip())}")
    verb = Verb(match.group(1).lower())
    rest = match.group(2).strip()
    if verb is Verb.STOP:
        return Command(verb, rest)
    if verb is Verb.ASK:
        if not rest:
            raise CommandError("the question is empty; write 'ask: <clarifying question>'")
        return Command(verb, rest)
    if verb is Verb.SEARCH:
        words = rest.split()
        exclude = tuple(dict.fromkeys(w[1:] for w in words if w.startswith("-") and len(w) > 1))
        query = " ".join(w for w in words if not w.startswith("-"))
        if not query.strip():
            raise CommandError("the search query is empty; write 'search: <query>'")
        return Command(verb, query, exclude=exclude)
    docs = tuple(
        dict.fromkeys(t for t in (tok.strip(_WRAPPING) for tok in _SEPARATORS.split(rest)) if t)
    )
    if not docs:
        raise CommandError("the answer names no document; write 'answer: <doc ids, best first>'")
    return Command(verb, docs=docs)
