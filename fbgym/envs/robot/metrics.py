"""Robot metrics per episode, from its transcript: corrections to success, responsiveness."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def robot_metrics(transcript: Sequence[dict[str, Any]], max_turns: int) -> dict[str, float | None]:
    """Corrections to success (capped at the turn budget) and responsiveness.

    Responsiveness is the share of corrections after which the robot got closer to its
    subgoal (LMPC's measure).
    """
    success = next((i for i, t in enumerate(transcript, 1) if t["outcome"]["success"]), None)
    responded = [t["outcome"]["diagnosis"].get("responded") for t in transcript]
    responded = [r for r in responded if r is not None]
    return {
        "corrections": float(success - 1) if success else float(max_turns),
        "responsiveness": sum(responded) / len(responded) if responded else None,
    }
