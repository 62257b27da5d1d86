"""Sealed evaluation: the board plays an agent on problems drawn from a secret seed.

An open result is a run its submitter played on a public suite: replay proves the scores
follow from the recorded actions, but the problems were public, so an agent could have
known their answers in advance (the generators are public and deterministic). A sealed
result is one the board played itself, with :func:`evaluate_sealed`: every env of the suite
gets a dataset seed drawn at random for this evaluation, the agent plays in a process of its
own that cannot read the judge's memory, and nothing of the run is written before it ends.
Only then is the seed written into the run, which is verified by replay like any other and
stored labelled ``sealed``; anyone can replay it afterwards
(``fbgym leaderboard rebuild-index --verify``).
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path

from fbgym.agents.base import Agent
from fbgym.leaderboard.checks import LEADERBOARD_SEED
from fbgym.leaderboard.submit import AgentLabel, submit_run
from fbgym.runner.evaluate import evaluate
from fbgym.runner.suites import Suite, get_suite

SEED_BITS = 62
"""Sealed dataset seeds are drawn uniformly from [0, 2**62): far too many to enumerate."""


def draw_seed() -> int:
    """A fresh secret dataset seed, from the operating system's randomness."""
    return secrets.randbits(SEED_BITS)


def evaluate_sealed(
    agent: Agent | str,
    suite: str | Suite,
    *,
    submitter: str,
    results: str | Path = "results",
    label: AgentLabel | None = None,
    executor: str = "process",
    workers: int | None = None,
    step_timeout: float | None = None,
    batch_size: int = 16,
    progress: bool = False,
) -> Path:
    """Play ``agent`` on ``suite`` under a secret dataset seed, verify the run, store it.

    Returns the stored folder under ``results``. The seed is drawn here, after the agent has
    been packed, and reaches the run directory only when the last episode has ended.
    ``agent`` may be the URL of a served agent (``fbgym serve-agent``), which plays where
    it is served.
    """
    if isinstance(agent, str):
        from fbgym.remote.agent import RemoteAgent

        agent = RemoteAgent(agent)
    defined = get_suite(suite) if isinstance(suite, str) else suite
    work = Path(tempfile.mkdtemp(prefix="fbgym-sealed-"))
    name = getattr(agent, "name", type(agent).__name__)
    run_dir = work / f"{defined.name}-{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    evaluate(
        agent,
        defined,
        seed=LEADERBOARD_SEED,
        run_dir=run_dir,
        executor=executor,
        workers=workers,
        step_timeout=step_timeout,
        batch_size=batch_size,
        progress=progress,
        sealed_seed=draw_seed(),
    )
    return submit_run(
        run_dir,
        submitter=submitter,
        results=results,
        label=label or AgentLabel(),
        sealed=True,
        progress=progress,
    )
