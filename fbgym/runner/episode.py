"""Play one episode: the judge's env against a player, every turn recorded on the judge's side."""

from __future__ import annotations

import hashlib
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import gymnasium as gym

from fbgym.core.seeding import derive_seed
from fbgym.runner.family_metrics import episode_metrics
from fbgym.runner.player import AgentError, AgentTimeout, LocalPlayer, ProcessPlayer

if TYPE_CHECKING:
    from fbgym.agents.base import Agent

    Player = LocalPlayer | ProcessPlayer

T = TypeVar("T")

__all__ = ["AgentTimeout", "EpisodeRun", "EpisodeSpec", "play_episode"]


@dataclass(frozen=True)
class EpisodeSpec:
    """Which episode to play: env id and kwargs (the channel among them) and seed."""

    env_id: str
    channel: str
    seed: int
    kwargs: dict[str, Any] = field(default_factory=dict)

    key: str = field(init=False, repr=False, compare=False)
    """A unique, stable name for this episode within a run."""

    def __post_init__(self) -> None:
        extra = ",".join(f"{k}={self.kwargs[k]!r}" for k in sorted(self.kwargs))
        object.__setattr__(self, "key", f"{self.env_id}|{self.channel}|{extra}|{self.seed}")

    @property
    def env_key(self) -> str:
        """The key of the env this episode is played in (the episode key less the seed)."""
        return self.key.rsplit("|", 1)[0]

    @property
    def agent_seed(self) -> int:
        """The seed the agent is given for the episode: derived from it, revealing nothing."""
        return derive_seed("agent", self.key)

    @property
    def episode_id(self) -> str:
        """An opaque name the agent may use to tell parallel episodes apart."""
        return hashlib.blake2b(self.key.encode("utf-8"), digest_size=8).hexdigest()

    def make_env(self) -> gym.Env:
        """The env this episode is played in."""
        return gym.make(self.env_id, feedback=self.channel, **self.kwargs)


def call_with_timeout(fn: Callable[..., T], timeout: float | None, *args: Any) -> T:
    """``fn(*args)``, raising :class:`AgentTimeout` if it runs longer than ``timeout`` seconds.

    For agents played in the judge's process. In the main thread a timer signal interrupts
    the call; elsewhere the call runs in a daemon thread that is abandoned when it overruns.
    """
    if timeout is None:
        return fn(*args)
    message = f"the agent took longer than the {timeout:g} s step timeout"
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):

        def interrupt(signum: int, frame: object) -> None:
            raise AgentTimeout(message)

        previous = signal.signal(signal.SIGALRM, interrupt)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            return fn(*args)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    result: list[Any] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(fn(*args))
        except BaseException as exc:  # handed back to the caller below
            failure.append(exc)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise AgentTimeout(message)
    if failure:
        raise failure[0]
    return result[0]


def _action_record(action: object) -> dict[str, Any]:
    if isinstance(action, str):
        return {"action": action}
    return {
        "action": None,
        "action_repr": repr(action)[:1000],
        "action_type": type(action).__name__,
    }


def describe_error(exc: BaseException) -> str:
    """``Type: message`` and the innermost frames of the traceback.

    An :class:`AgentError` from a player's process already carries its own description.
    """
    if isinstance(exc, AgentError) and not isinstance(exc, AgentTimeout):
        return str(exc)
    tail = "".join(traceback.format_exception(exc, limit=-3)[1:])
    return f"{type(exc).__name__}: {exc}\n{tail}"


class EpisodeRun:
    """One episode in progress: reset on creation, stepped with actions, then recorded.

    The agent is handed :attr:`obs` and :attr:`agent_info` (its view); the record is made
    from the env's history (the judge's side: outcomes, feedback with the judge's notes).
    """

    def __init__(self, spec: EpisodeSpec, env: gym.Env, stream: int | None = None):
        self.spec = spec
        self.stream = stream
        self.env = env
        self.started = time.perf_counter()
        self.obs, self.info = env.reset(seed=spec.seed)
        self.problem = self.info["problem"]
        self.turns: list[dict[str, Any]] = []
        self.error: str | None = None
        self.done = False

    @property
    def agent_info(self) -> dict[str, Any]:
        """The env's info for the agent, naming the episode (opaquely) and its stream.

        ``episode`` tells parallel episodes apart; ``stream`` lets agents with memory keep it
        per stream.
        """
        return {**self.info, "episode": self.spec.episode_id, "stream": self.stream}

    def step(self, action: object) -> None:
        """Play ``action`` and record the turn as the judge saw it."""
        self.obs, reward, terminated, truncated, self.info = self.env.step(action)
        turn = self.env.unwrapped.history[-1]
        self.turns.append(
            {
                **_action_record(action),
                "reward": reward,
                "outcome": turn.outcome.to_dict(),
                "feedback": turn.feedback.to_dict(),
            }
        )
        self.done = terminated or truncated

    def fail(self, exc: BaseException) -> None:
        """End the episode because the agent failed."""
        self.error = describe_error(exc)
        self.done = True

    def record(self) -> dict[str, Any]:
        """The episode's record, as written to ``episodes.jsonl``."""
        turns = self.turns
        graded = [t for t in turns if t["outcome"]["graded"]]
        success_turn = next((i for i, t in enumerate(turns, 1) if t["outcome"]["success"]), None)
        success_attempt = next(
            (i for i, t in enumerate(graded, 1) if t["outcome"]["success"]), None
        )
        family = self.problem.get("family", "")
        max_turns = getattr(self.env.unwrapped, "max_turns", None)
        return {
            "key": self.spec.key,
            "env_id": self.spec.env_id,
            "family": family,
            "channel": self.spec.channel,
            "kwargs": self.spec.kwargs,
            "seed": self.spec.seed,
            "problem_id": self.info["problem_id"],
            "success": success_turn is not None,
            "turns": len(turns),
            "turns_to_success": success_turn,
            "attempts": len(graded),
            "max_turns": max_turns,
            "attempts_to_success": success_attempt,
            "score": max((t["outcome"]["score"] for t in graded), default=0.0),
            "ended_by_user": bool(turns and turns[-1]["feedback"]["end"] and success_turn is None),
            "error": self.error,
            "elapsed_s": round(time.perf_counter() - self.started, 6),
            "metrics": episode_metrics(family, turns, max_turns or 0),
            "transcript": turns,
        }


def play_episode(
    player: Player | Agent,
    spec: EpisodeSpec,
    env: gym.Env | None = None,
    *,
    step_timeout: float | None = None,
    stream: int | None = None,
) -> dict[str, Any]:
    """Play ``spec`` with ``player``'s agent and return the episode's record.

    ``player`` is a :class:`~fbgym.runner.player.ProcessPlayer` or a
    :class:`~fbgym.runner.player.LocalPlayer`; an agent given as it is plays in this process
    (a convenience for examples and debugging: :func:`fbgym.evaluate` plays agents apart
    from the judge). An agent that raises, dies or overruns ``step_timeout`` fails the
    episode, with the error kept.
    """
    if not isinstance(player, (LocalPlayer, ProcessPlayer)):
        player = LocalPlayer(player)
    env = env or spec.make_env()
    run = EpisodeRun(spec, env, stream)
    try:
        player.reset(run.obs["instruction"], spec.agent_seed)
        while not run.done:
            run.step(player.act(run.obs, run.agent_info, step_timeout))
    except Exception as exc:  # the agent's failure is this episode's, not the run's
        run.fail(exc)
    end_episode(player, run)
    return run.record()


def end_episode(player: Player, run: EpisodeRun) -> None:
    """Tell the agent how the episode ended (agents with an ``end_episode`` hook listen)."""
    try:
        player.end_episode(run.obs, run.agent_info)
    except Exception as exc:
        if run.error is None:
            run.fail(exc)
