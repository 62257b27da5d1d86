"""The agent's view: what crosses from the judge to the agent in each channel, and nothing more."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
from collections.abc import Iterator, Mapping
from typing import Any

from fbgym.core.types import Channel, Feedback, Outcome, Problem

_LABEL = re.compile(r"[a-z]+")


def agent_feedback(feedback: Feedback) -> Feedback:
    """``feedback`` as the agent may see it: no judge's notes, and no meta in ``unary``.

    A unary signal says only *not yet*; anything typed beside its text would say more.
    """
    meta = {} if feedback.channel is Channel.UNARY else dict(feedback.meta)
    return dataclasses.replace(feedback, meta=meta, notes={})


def channel_reward(channel: Channel, outcome: Outcome) -> float:
    """The reward an attempt earns: 1 or 0 on success, and the score only in ``scalar``.

    Actions that are not attempts (a search, a question) earn 0.
    """
    if not outcome.graded:
        return 0.0
    if channel is Channel.SCALAR:
        return float(outcome.score)
    return 1.0 if outcome.success else 0.0


def public_problem_id(problem: Problem, split: str, dataset_seed: int) -> str:
    """The id an agent sees: ``family/`` and a hash keyed by the split and dataset seed.

    It reveals neither the index nor the seed a problem was generated from, and it is stable:
    the same problem of the same split and dataset seed always gets the same id. Where the
    dataset seed is secret (sealed evaluation), so is every mapping from id to problem.

    >>> p = Problem("math/arithmetic/L1/test/0/7", "math", "Solve.", "1 + 1", "2")
    >>> public_problem_id(p, "test", 0)
    'math/3427b27444ee5695'
    """
    key = f"fbgym-problem|{split}|{dataset_seed}".encode()
    digest = hmac.new(key, problem.id.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{problem.family}/{digest[:16]}"


def undisclosed_meta(feedback: Feedback) -> list[str]:
    """The ``meta`` fields whose values the feedback's text does not state.

    Public meta is the text's content as data. Numbers and names (in lists and dicts too)
    must appear in the text; a one-word label (``direction="high"`` for "overshoots") may
    paraphrase it, but must then be a function of the text, which the contract test checks
    across episodes; a flag (``True``/``False``) says what no text does and is always
    undisclosed. ``None`` states nothing and is allowed.

    >>> fb = Feedback(Channel.VERBAL, "12 is too high.", meta={"direction": "high"})
    >>> undisclosed_meta(fb)
    []
    >>> undisclosed_meta(Feedback(Channel.VERBAL, "No.", meta={"wrong_hint": True}))
    ['wrong_hint']
    """
    text = feedback.text.lower()
    return [
        key
        for key, value in feedback.meta.items()
        if any(not _stated(leaf, text) for leaf in _leaves(value))
    ]


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _stated(leaf: Any, text: str) -> bool:
    if leaf is None:
        return True
    if isinstance(leaf, bool):
        return False
    if isinstance(leaf, str) and _LABEL.fullmatch(leaf):
        return True
    if isinstance(leaf, float) and leaf.is_integer():
        leaf = int(leaf)
    return str(leaf).lower() in text
