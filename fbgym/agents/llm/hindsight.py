"""Chain-of-Hindsight data from a run's transcripts, for feedback-conditioned fine-tuning."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from fbgym.agents.llm.base import Attempt, LLMAgent
from fbgym.agents.llm.prompts import Message, PromptTemplate
from fbgym.errors import DataFormatError

ACCEPTED = "Hindsight: the reply that follows was accepted."
"""The label of a successful action; give it as ``condition=`` to an agent after training."""


def hindsight_label(success: bool, score: float, feedback: str, graded: bool = True) -> str:
    """What hindsight says of an action: accepted, or not and what the user said.

    >>> hindsight_label(False, 0.25, "Too high.")
    'Hindsight: the reply that follows was not accepted (score 0.25); the user said: Too high.'
    """
    if success:
        return ACCEPTED
    if not graded:
        return (
            "Hindsight: the reply that follows was a step, not an answer; "
            f"the user said: {feedback}"
        )
    return (
        f"Hindsight: the reply that follows was not accepted (score {score:.2f}); "
        f"the user said: {feedback}"
    )


@dataclass(frozen=True)
class HindsightExample:
    """One action in context, labelled in hindsight by its outcome and feedback."""

    messages: tuple[Message, ...]
    """The chat messages the agent saw before the action (as :class:`LLMAgent` renders them)."""
    action: str
    success: bool
    score: float
    graded: bool
    feedback: str
    """The feedback text the action received."""
    episode: str
    """The run record's episode key."""

    @property
    def label(self) -> str:
        """The hindsight label of the action."""
        return hindsight_label(self.success, self.score, self.feedback, self.graded)

    def conditioned(self) -> list[Message]:
        """The messages with the hindsight label closing the last user message."""
        messages = [dict(m) for m in self.messages]
        messages[-1]["content"] = f"{messages[-1]['content']}\n\n{self.label}"
        return messages


class _Transcript(LLMAgent):
    """Renders prompts the way an :class:`LLMAgent` would, for recorded actions."""

    name = "transcript"


def hindsight_examples(
    records: Iterable[Mapping[str, Any]],
    *,
    prompts: Mapping[str, PromptTemplate] | None = None,
    max_history: int = 8,
) -> Iterator[HindsightExample]:
    """Every recorded action of ``records`` (a run's ``episodes.jsonl``), in context.

    Each episode is replayed through its env (episodes are pure functions of env, seed and
    actions) to recover the observations the agent saw; a replay whose outcome differs from
    the record raises :class:`DataFormatError`. Records without actions are skipped.
    """
    renderer = _Transcript(prompts=prompts, max_history=max_history)
    for record in records:
        turns = record.get("transcript") or []
        if not turns or not isinstance(turns[0].get("action"), str):
            continue
        env = gym.make(record["env_id"], feedback=record["channel"], **(record.get("kwargs") or {}))
        obs, info = env.reset(seed=record["seed"])
        info = {**info, "episode": record.get("key", record["env_id"])}
        for index, turn in enumerate(turns, 1):
            action = turn.get("action")
            if not isinstance(action, str):
                break
            episode = renderer.track(obs, info)
            messages = tuple(renderer.prompt(episode))
            episode.attempts.append(Attempt(action))
            obs, _, terminated, truncated, step_info = env.step(action)
            outcome = env.unwrapped.history[-1].outcome
            if bool(outcome.success) != bool(turn["outcome"]["success"]):
                raise DataFormatError(
                    f"episode {record.get('key')!r} turn {index}: replay gave success="
                    f"{outcome.success}, the record says {turn['outcome']['success']}; was it "
                    "recorded with another fbgym version?"
                )
            yield HindsightExample(
                messages=messages,
                action=action,
                success=bool(outcome.success),
                score=float(outcome.score),
                graded=bool(outcome.graded),
                feedback=obs["feedback"],
                episode=str(record.get("key", "")),
            )
            info = {**step_info, "episode": info["episode"]}
            if terminated or truncated:
                break
        env.close()


def encode_example(
    tokenizer: Any, messages: Sequence[Message], reply: str
) -> tuple[list[int], list[int]]:
    """Token ids of ``messages`` followed by ``reply``, and labels that score only the reply.

    The prompt goes through the tokenizer's chat template with the generation prompt, as
    :class:`~fbgym.agents.llm.hf.HFAgent` renders it; the reply ends with the EOS token.
    Labels are ``-100`` over the prompt (ignored by the loss).
    """
    prompt = tokenizer.apply_chat_template(
        list(messages), tokenize=False, add_generation_prompt=True
    )
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    reply_ids = tokenizer(reply, add_special_tokens=False)["input_ids"]
    if tokenizer.eos_token_id is not None:
        reply_ids = [*reply_ids, tokenizer.eos_token_id]
    return prompt_ids + reply_ids, [-100] * len(prompt_ids) + reply_ids
