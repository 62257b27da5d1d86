"""Training data from a run's transcripts: SFT, DPO, KTO, Chain-of-Hindsight and prompt datasets.

Each episode of a run folder is replayed through its env, wrapped in
:class:`~fbgym.wrappers.ChatEnv`, to recover the conversation the agent saw (the rendering
agents play with); a replay that disagrees with the record is an error. Every row keeps
the episode's ``env_id``, ``channel``, ``seed``, env ``kwargs`` (JSON) and ``turn``, and the
simulated user's noise flags (``noise_flags``: the knobs that changed that feedback, from
the judge's notes, e.g. ``flipped`` for a ranking turned around), so a trainer can filter
out noisy labels.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fbgym.errors import DataFormatError, FbgymError

if TYPE_CHECKING:
    from datasets import Dataset

FORMATS = ("sft", "dpo", "kto", "coh", "prompts")
NOISE_FLAGS = ("flipped", "wrong_hint", "sycophantic", "anchored", "dropped", "delayed")
"""The judge's notes that mark feedback the simulated user distorted."""

Message = dict[str, str]


@dataclass(frozen=True)
class Step:
    """One replayed action: the conversation before it, and what it got."""

    turn: int
    context: list[Message]
    action: str
    success: bool
    graded: bool
    feedback: str
    """The user message the feedback was rendered into."""
    ranking: list[list[int]] | None
    noise_flags: list[str]


@dataclass(frozen=True)
class Episode:
    """A replayed episode: its identity, its opening messages and its steps."""

    base: dict[str, Any]
    opening: list[Message]
    steps: list[Step]

    @property
    def messages(self) -> list[Message]:
        """The whole conversation: the opening, each action and the feedback it drew."""
        if not self.steps:
            return list(self.opening)
        last = self.steps[-1]
        return [*last.context, _assistant(last.action), {"role": "user", "content": last.feedback}]


def _assistant(action: str) -> Message:
    return {"role": "assistant", "content": action}


def noise_flags(notes: Mapping[str, Any] | None) -> list[str]:
    """The noise flags set in a feedback's judge notes, in :data:`NOISE_FLAGS` order.

    >>> noise_flags({"flipped": True, "level": "future"})
    ['flipped']
    """
    return [flag for flag in NOISE_FLAGS if (notes or {}).get(flag)]


def replay(record: Mapping[str, Any]) -> Episode:
    """A run record's episode replayed through its env, rendered as chat messages."""
    from fbgym.integrations.episodes import encode_kwargs
    from fbgym.registration import make
    from fbgym.wrappers import ChatEnv

    kwargs = dict(record.get("kwargs") or {})
    env = ChatEnv(make(record["env_id"], feedback=record["channel"], **kwargs))
    messages, info = env.reset(seed=int(record["seed"]))
    base = {
        "env_id": record["env_id"],
        "channel": record["channel"],
        "seed": int(record["seed"]),
        "kwargs": encode_kwargs(kwargs),
        "problem_id": info["problem_id"],
        "agent": str(record.get("agent", "")),
    }
    opening, steps = list(messages), []
    for index, turn in enumerate(record.get("transcript") or [], 1):
        action = turn.get("action")
        if not isinstance(action, str):
            break
        context = messages
        messages, _, terminated, truncated, _ = env.step(action)
        outcome = env.unwrapped.history[-1].outcome
        if bool(outcome.success) != bool(turn["outcome"]["success"]):
            raise DataFormatError(
                f"episode {record.get('key')!r} turn {index}: replay gave success="
                f"{outcome.success}, the record says {turn['outcome']['success']}; was it "
                "recorded with another fbgym version?"
            )
        feedback = turn.get("feedback") or {}
        ranking = feedback.get("ranking")
        steps.append(
            Step(
                turn=index,
                context=context,
                action=action,
                success=bool(outcome.success),
                graded=bool(outcome.graded),
                feedback=messages[-1]["content"],
                ranking=[list(group) for group in ranking] if ranking else None,
                noise_flags=noise_flags(feedback.get("notes")),
            )
        )
        if terminated or truncated:
            break
    env.close()
    return Episode(base, opening, steps)


def _sft(episode: Episode) -> Iterator[dict[str, Any]]:
    """Successful attempts in the context they were made in."""
    for step in episode.steps:
        if step.success:
            yield {
                **episode.base,
                "turn": step.turn,
                "prompt": step.context,
                "completion": [_assistant(step.action)],
                "noise_flags": step.noise_flags,
            }


def _kto(episode: Episode) -> Iterator[dict[str, Any]]:
    """Every graded attempt in context, labelled by whether it was accepted."""
    for step in episode.steps:
        if step.graded:
            yield {
                **episode.base,
                "turn": step.turn,
                "prompt": step.context,
                "completion": [_assistant(step.action)],
                "label": step.success,
                "noise_flags": step.noise_flags,
            }


def _rank_of(ranking: list[list[int]], attempt: int) -> int | None:
    return next((i for i, group in enumerate(ranking) if attempt in group), None)


def _pair(
    episode: Episode, chosen: Step, rejected: Step, source: str, turn: int, flags: list[str]
) -> dict[str, Any]:
    return {
        **episode.base,
        "turn": turn,
        "prompt": episode.opening,
        "chosen": [_assistant(chosen.action)],
        "rejected": [_assistant(rejected.action)],
        "chosen_turn": chosen.turn,
        "rejected_turn": rejected.turn,
        "source": source,
        "noise_flags": flags,
    }


def _dpo(episode: Episode) -> Iterator[dict[str, Any]]:
    """Preference pairs over the episode's problem.

    ``ranked``: at each turn of a ranked episode, the latest two attempts as the user ranked
    them (ties give no pair). ``accepted``: the accepted attempt over each earlier failed one.
    """
    steps = {step.turn: step for step in episode.steps}
    for step in episode.steps:
        previous = steps.get(step.turn - 1)
        if step.ranking is None or previous is None:
            continue
        now, before = _rank_of(step.ranking, step.turn), _rank_of(step.ranking, previous.turn)
        if now is None or before is None or now == before or step.action == previous.action:
            continue
        chosen, rejected = (step, previous) if now < before else (previous, step)
        yield _pair(episode, chosen, rejected, "ranked", step.turn, step.noise_flags)
    accepted = next((step for step in episode.steps if step.success), None)
    if accepted is None:
        return
    for step in episode.steps[: accepted.turn - 1]:
        if step.graded and step.action != accepted.action:
            flags = [f for f in NOISE_FLAGS if f in step.noise_flags + accepted.noise_flags]
            yield _pair(episode, accepted, step, "accepted", accepted.turn, flags)


def _coh(episode: Episode) -> Iterator[dict[str, Any]]:
    """Chain-of-Hindsight sequences: a verbal episode's attempts, each followed by its critique.

    ``messages`` is the whole conversation (the model learns to improve on feedback),
    ``text`` the same chain as plain text, ending with the accepted attempt if any.
    """
    if episode.base["channel"] != "verbal" or not episode.steps:
        return
    chain = [m["content"] for m in episode.opening if m["role"] == "user"]
    for step in episode.steps:
        label = "An accepted attempt" if step.success else "An attempt"
        chain.append(f"{label}: {step.action}")
        if not step.success:
            chain.append(step.feedback)
    yield {
        **episode.base,
        "turn": len(episode.steps),
        "messages": episode.messages,
        "text": "\n\n".join(chain),
        "success": any(step.success for step in episode.steps),
        "noise_flags": sorted({f for step in episode.steps for f in step.noise_flags}),
    }


def _prompts(episode: Episode) -> Iterator[dict[str, Any]]:
    """The episode's opening, to replay it (as :func:`fbgym.integrations.trl.prompt_dataset`)."""
    yield {**episode.base, "turn": 0, "prompt": episode.opening, "noise_flags": []}


BUILDERS = {"sft": _sft, "dpo": _dpo, "kto": _kto, "coh": _coh, "prompts": _prompts}


def export_rows(records: Iterable[Mapping[str, Any]], fmt: str) -> list[dict[str, Any]]:
    """The rows of format ``fmt`` from run records (the lines of ``episodes.jsonl``)."""
    if fmt not in BUILDERS:
        raise FbgymError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    rows = []
    for record in records:
        if record.get("error") or not record.get("transcript"):
            continue
        rows.extend(BUILDERS[fmt](replay(record)))
    return rows


def export_run(run: str | Path, fmt: str, out: str | Path) -> Dataset:
    """Export run folder ``run`` as ``fmt`` to ``out``: a ``datasets`` folder and ``<fmt>.jsonl``.

    ``datasets.load_from_disk(out)`` loads it back. A run with no rows of that format (no
    successes for ``sft``, no verbal episodes for ``coh``, ...) is an error.
    """
    from datasets import Dataset

    from fbgym.runner.records import RunDir

    run_dir = RunDir(run)
    run_dir.read_meta()  # a folder that is not a run fails here
    rows = export_rows(run_dir.episodes(), fmt)
    if not rows:
        raise FbgymError(f"{run} has no episodes that give {fmt} rows")
    dataset = Dataset.from_list(rows)
    out = Path(out)
    dataset.save_to_disk(str(out))
    with (out / f"{fmt}.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return dataset
