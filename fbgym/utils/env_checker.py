"""check_feedback_env: the FeedbackEnv contract, checked on any env id — built in or a plugin's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
from gymnasium.utils.env_checker import check_env

from fbgym.core.env import FeedbackEnv
from fbgym.core.types import Channel, Feedback
from fbgym.core.view import undisclosed_meta
from fbgym.errors import FbgymError

AGENT_INFO = frozenset({"success", "turn", "channel", "problem_id", "feedback"})
"""What ``step``'s info may hold: the agent's view (``reset`` adds ``problem``)."""

BAD_ACTIONS: tuple[object, ...] = (
    "",
    "   ",
    "x" * 1_000_000,
    "12\ud800",
    "ans\x00wer\x07",
    42,
    None,
    b"bytes",
    ["a"],
)
"""Actions every env must take as failed attempts with feedback, never as exceptions."""


class EnvContractError(FbgymError, AssertionError):
    """An env breaks the FeedbackEnv contract; the message says where and what to change."""


@dataclass
class ContractReport:
    """What :func:`check_feedback_env` played, per channel."""

    env_id: str
    channels: tuple[str, ...]
    episodes: int = 0
    steps: int = 0
    checks: list[str] = field(default_factory=list)


def check_feedback_env(
    env_id: str,
    *,
    channels: Sequence[str] | None = None,
    seeds: Sequence[int] = (0, 1, 2),
    kwargs: dict[str, Any] | None = None,
    across_processes: bool = True,
) -> ContractReport:
    """Check that ``env_id`` keeps the FeedbackEnv contract in each channel it registers.

    - Gymnasium's ``check_env`` passes (spaces, reset and step signatures, seeding).
    - Same seed and actions give identical transcripts, in this process and in a fresh one.
    - The task's reference action succeeds on turn one; random text fails, with feedback.
    - Bad actions (empty, huge, non-text, control characters) are failed attempts with
      feedback that names the problem, never exceptions.
    - The agent's view says no more than the channel: ``info`` holds only the agent's keys,
      feedback carries no judge's notes (and no meta at all in ``unary``), meta states only
      what the text says, reward is 1 or 0 outside ``scalar``, the problem's public
      statement holds no answer and its id does not spell out the problem's index.

    Raises :class:`EnvContractError` at the first breach; returns what was checked.
    """
    from fbgym.registration import registry

    info = registry.get(env_id)
    chosen = tuple(channels or info.channels)
    report = ContractReport(env_id, chosen)
    kwargs = dict(kwargs or {})
    for channel in chosen:
        _check_channel(report, channel, _maker(env_id, channel, kwargs), seeds)
    if across_processes:
        _run(report, "identical across processes", _across_processes, env_id, kwargs)
    return report


def _check_channel(
    report: ContractReport, channel: str, make: Callable[..., gym.Env], seeds: Sequence[int]
) -> None:
    _run(report, f"{channel}: gymnasium check_env", _gymnasium, make)
    for seed in seeds:
        _run(report, f"{channel}: oracle, seed {seed}", _oracle, make, seed)
        _run(report, f"{channel}: garbage, seed {seed}", _garbage, make, seed)
    _run(report, f"{channel}: bad actions", _bad_actions, make)
    _run(report, f"{channel}: determinism", _determinism, make, seeds)
    _run(report, f"{channel}: privileged on request", _privileged, make)
    report.episodes += 3 * len(seeds) + 4


def _maker(env_id: str, channel: str, kwargs: dict[str, Any]) -> Callable[..., gym.Env]:
    return lambda **more: gym.make(env_id, feedback=channel, **{**kwargs, **more})


def _run(report: ContractReport, name: str, check: Callable[..., None], *args: Any) -> None:
    try:
        check(*args)
    except EnvContractError as exc:
        raise EnvContractError(f"{report.env_id} · {name}: {exc}") from None
    except Exception as exc:  # an env that crashes breaks the contract too
        raise EnvContractError(
            f"{report.env_id} · {name}: raised {type(exc).__name__}: {exc}"
        ) from exc
    report.checks.append(name)


def _fail(message: str) -> None:
    raise EnvContractError(message)


def _feedback_env(env: gym.Env) -> FeedbackEnv:
    base = env.unwrapped
    if not isinstance(base, FeedbackEnv):
        _fail(f"{type(base).__name__} is not a fbgym.FeedbackEnv")
    return base


def _gymnasium(make: Callable[[], gym.Env]) -> None:
    try:
        check_env(make().unwrapped, skip_render_check=True)
    except AssertionError as exc:
        _fail(f"gymnasium's check_env: {exc}")


def _view(base: FeedbackEnv, channel: str, info: dict[str, Any], reward: Any = None) -> None:
    """That one step's info and reward say no more than the channel."""
    extra = sorted(set(info) - AGENT_INFO)
    if extra:
        _fail(
            f"info holds {extra} beyond the agent's view {sorted(AGENT_INFO)}: put the "
            "grader's verdict on the judge's side (env.history), not in info"
        )
    public_id = str(info["problem_id"])
    if public_id == base.problem.id or base.problem.id in public_id:
        _fail(f"info['problem_id'] {public_id!r} spells out the problem; use the public id")
    feedback = info["feedback"]
    if not isinstance(feedback, Feedback):
        _fail(f"info['feedback'] must be a fbgym.Feedback, got {type(feedback).__name__}")
    if feedback.notes:
        _fail(f"the agent sees the judge's notes {sorted(feedback.notes)}")
    if feedback.channel.value != channel:
        _fail(f"feedback of channel {feedback.channel.value!r} in a {channel!r} env")
    if channel == Channel.UNARY.value and feedback.meta:
        _fail(f"unary feedback carries meta {sorted(feedback.meta)}; it may say only 'not yet'")
    hidden = undisclosed_meta(feedback)
    if hidden:
        _fail(
            f"feedback meta {hidden} says more than its text {feedback.text!r}: meta is the "
            "text's content as data; move the rest to Feedback.notes"
        )
    if reward is not None and channel != Channel.SCALAR.value and reward not in (0.0, 1.0):
        _fail(f"reward {reward!r} in the {channel} channel; only 1 (success) or 0 may be given")


def _reset_view(base: FeedbackEnv, info: dict[str, Any]) -> None:
    extra = sorted(set(info) - AGENT_INFO - {"problem"})
    if extra:
        _fail(f"reset's info holds {extra} beyond the agent's view")
    problem = info.get("problem")
    if not isinstance(problem, dict) or "family" not in problem:
        _fail("reset's info['problem'] must be a dict with the problem's family")
    answer = str(base.problem.answer)
    shown = json.dumps(problem, default=str)
    if len(answer) > 2 and answer in {str(v) for v in problem.values()}:
        _fail(f"reset's info['problem'] holds the answer {answer!r}")
    if base.problem.id in shown:
        _fail(f"reset's info['problem'] spells out the problem id {base.problem.id!r}")


def _oracle(make: Callable[[], gym.Env], seed: int) -> None:
    env = make()
    _, info = env.reset(seed=seed)
    base = _feedback_env(env)
    _reset_view(base, info)
    action = base.task.reference_action(base.problem)
    _, reward, terminated, truncated, info = env.step(action)
    _view(base, base.channel, info, reward)
    if not (info["success"] and terminated and not truncated and info["turn"] == 1):
        _fail(
            f"the task's reference action does not succeed on turn 1 (seed {seed}); "
            f"feedback: {info['feedback'].text!r}"
        )


def _garbage(make: Callable[[], gym.Env], seed: int) -> None:
    env = make()
    env.reset(seed=seed)
    base = _feedback_env(env)
    env.action_space.seed(seed)
    for _ in range(3):
        action = env.action_space.sample()[:200]
        _, reward, terminated, truncated, info = env.step(action)
        _view(base, base.channel, info, reward)
        if info["success"]:
            _fail(f"random text {action!r} succeeded (seed {seed})")
        if terminated or truncated:
            break


def _bad_actions(make: Callable[[], gym.Env]) -> None:
    env = make()
    base = _feedback_env(env)
    base.max_turns = len(BAD_ACTIONS) + 1
    env.reset(seed=1)
    for action in BAD_ACTIONS:
        obs, reward, terminated, truncated, info = env.step(action)
        _view(base, base.channel, info, reward)
        turn = base.history[-1]
        shown = repr(action)[:40]
        if info["success"] or terminated or turn.outcome.valid:
            _fail(f"the bad action {shown} was not taken as a failed attempt")
        if turn.outcome.message not in obs["feedback"]:
            _fail(f"the feedback on the bad action {shown} does not say what was wrong")
        if not env.observation_space.contains(obs):
            _fail(f"the observation after the bad action {shown} is outside the space")


def _transcript(make: Callable[[], gym.Env], seed: int, actions: Iterable[object]) -> str:
    env = make()
    obs, info = env.reset(seed=seed)
    out: list[Any] = [obs, {k: v for k, v in info.items() if k != "feedback"}]
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action)
        turn = _feedback_env(env).history[-1]
        out.append([obs, reward, terminated, truncated, turn.feedback.to_dict()])
        out.append(turn.outcome.to_dict())
        if terminated or truncated:
            break
    return json.dumps(out, sort_keys=True, default=str)


def _actions(make: Callable[[], gym.Env]) -> list[object]:
    space = make().action_space
    space.seed(7)
    return [space.sample()[:200] for _ in range(2)] + ["The answer is 3", ""]


def _determinism(make: Callable[[], gym.Env], seeds: Sequence[int]) -> None:
    actions = _actions(make)
    for seed in seeds:
        if _transcript(make, seed, actions) != _transcript(make, seed, actions):
            _fail(
                f"seed {seed}: the same seed and actions gave different transcripts; draw "
                "every random choice from a generator seeded by the episode"
            )
    texts: dict[str, str] = {}
    for seed in seeds:
        env = make()
        env.reset(seed=seed)
        for action in actions:
            *_, terminated, truncated, info = env.step(action)
            feedback: Feedback = info["feedback"]
            meta = json.dumps(dict(feedback.meta), sort_keys=True, default=str)
            if texts.setdefault(feedback.text, meta) != meta:
                _fail(
                    f"the feedback text {feedback.text!r} came with two different metas "
                    f"({texts[feedback.text]} and {meta}): meta must follow from the text"
                )
            if terminated or truncated:
                break


def _privileged(make: Callable[..., gym.Env]) -> None:
    plain = make().reset(seed=2)[1]["problem"]
    env = make(privileged=True)
    full = env.reset(seed=2)[1]["problem"]
    hidden = set(_feedback_env(env).problem.privileged)
    if hidden & set(plain):
        _fail(f"privileged structure {sorted(hidden & set(plain))} is shown without privileged")
    if not hidden <= set(full):
        _fail("privileged=True does not add the problem's privileged structure to the info")


_CHILD = """
import json, sys
import fbgym
from fbgym.utils.env_checker import _actions, _maker, _transcript
env_id, kwargs, channels = json.loads(sys.argv[1])
out = []
for channel in channels:
    make = _maker(env_id, channel, kwargs)
    out.append(_transcript(make, 5, _actions(make)))
print(json.dumps(out))
"""


def _across_processes(env_id: str, kwargs: dict[str, Any]) -> None:
    from fbgym.registration import registry

    channels = list(registry.get(env_id).channels)
    argument = json.dumps([env_id, kwargs, channels])
    runs = []
    for hash_seed in ("1", "2"):
        environ = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, argument],
            capture_output=True,
            text=True,
            env=environ,
        )
        if done.returncode != 0:
            _fail(f"a fresh process could not play it: {done.stderr.strip()[-500:]}")
        runs.append(done.stdout)
    here = json.dumps(
        [
            _transcript(make, 5, _actions(make))
            for make in (_maker(env_id, c, kwargs) for c in channels)
        ]
    )
    if not runs[0] == runs[1] == here + "\n":
        _fail(
            "transcripts differ between processes: something depends on hash order, the "
            "process or global random state"
        )
