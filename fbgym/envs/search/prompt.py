"""How a chat model is asked to help a user search, and how its reply becomes one command."""

from __future__ import annotations

import re

from fbgym.core.prompt import PLACEHOLDER, PromptTemplate
from fbgym.simulators.model_critic import CriticPrompt

_SEARCH_COMMAND = re.compile(r"^\W*(search|ask|answer|stop)\b\s*:?\s*(.*)$", re.IGNORECASE)
_LABELLED = re.compile(r"\b(search|ask|answer)\s*:\s*(.*)$", re.IGNORECASE)


def _command(verb: str, rest: str) -> str | None:
    """``'verb: argument'``, or None when the argument is a ``<slot>`` from the instruction."""
    verb, rest = verb.lower(), rest.strip().strip("`\"'").strip()
    if PLACEHOLDER.search(rest):
        return None
    return verb if verb == "stop" or not rest else f"{verb}: {rest}"


def extract_search_command(reply: str) -> str:
    r"""The first search command in the reply, normalised to ``'verb: argument'``.

    A command opens a line (``Search: rivers``, ``- ask: which year?``, ``stop``) or is
    labelled with a colon anywhere in it (``I will do this. Search: rivers``); prose that
    only mentions a verb (``I'd search for rivers``) and commands copied from the
    instruction with their ``<slots>`` are not commands. Without one, the reply's first line.

    >>> extract_search_command("Let me look.\nSearch: golshu bagou rivers")
    'search: golshu bagou rivers'
    >>> extract_search_command("I'd search for rivers. Search: 'bagou rivers'")
    'search: bagou rivers'
    >>> extract_search_command("stop")
    'stop'
    """
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    for line in lines:
        for match in (_SEARCH_COMMAND.match(line), _LABELLED.search(line)):
            command = match and _command(match[1], match[2])
            if command:
                return command
    return lines[0] if lines else ""


TEMPLATE = PromptTemplate(
    family="search",
    system=(
        "You help a user find documents. Reply with exactly one command and nothing "
        "else: 'search: <query>', 'ask: <question>', 'answer: <doc ids, best first>' or "
        "'stop'. Do not repeat the request. Example reply: search: history of river trade"
    ),
    extract=extract_search_command,
    feedback_label="The user",
    observation_label="What you see now",
)

CRITIC = CriticPrompt(
    "You are a user looking for documents. React to the results in one or two "
    "sentences, saying what is relevant and what is missing.",
    "Your need: {problem}\nWhat you are after: {reference}\nThe results were "
    "{verdict}; details: {diagnosis}\nSaid so far:\n{earlier}\nYour reply:",
)
"""What a model-backed user is asked about a search turn."""
