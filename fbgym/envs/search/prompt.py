"""How a chat model is asked to help a user search, and how its reply becomes one command."""

from __future__ import annotations

import re

from fbgym.core.prompt import PromptTemplate
from fbgym.simulators.model_critic import CriticPrompt

_SEARCH_COMMAND = re.compile(r"^\W*(search|ask|answer|stop)\b\s*:?\s*(.*)$", re.IGNORECASE)


def extract_search_command(reply: str) -> str:
    r"""The first line that is a search command, normalised to ``'verb: argument'``.

    >>> extract_search_command("Let me look.\nSearch: golshu bagou rivers")
    'search: golshu bagou rivers'
    >>> extract_search_command("stop")
    'stop'
    """
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    for line in lines:
        match = _SEARCH_COMMAND.match(line)
        if match:
            verb, rest = match[1].lower(), match[2].strip().strip("`\"'").strip()
            return verb if verb == "stop" or not rest else f"{verb}: {rest}"
    return lines[0] if lines else ""


TEMPLATE = PromptTemplate(
    family="search",
    system=(
        "You help a user find documents. Reply with exactly one command: "
        "'search: <query>', 'ask: <question>', 'answer: <doc ids, best first>' or 'stop'."
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
