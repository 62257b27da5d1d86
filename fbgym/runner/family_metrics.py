"""Family metrics per episode: whatever ``metrics`` function a family declares."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fbgym.registration import registry

Turns = Sequence[dict[str, Any]]
FamilyMetric = Callable[[Turns, int], dict[str, float | None]]
"""``metric(transcript, max_turns) -> {name: value}`` for one episode; ``None``: undefined."""


def episode_metrics(family: str, transcript: Turns, max_turns: int) -> dict[str, float | None]:
    """The metrics ``family`` declares (``Family.metrics``) for one episode; none if it has none."""
    metric: FamilyMetric | None = registry.declared(family, "metrics")
    return metric(transcript, max_turns) if metric else {}
