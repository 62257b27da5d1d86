"""ReflexionAgent: in-context learning from feedback, reflecting within and across episodes."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from typing import Any

from fbgym.agents.llm.base import Episode, LLMAgent
from fbgym.agents.llm.prompts import Message
from fbgym.core.seeding import derive_seed
from fbgym.errors import ConfigError

REFLECT = (
    "Your last attempt was not accepted. In two sentences or fewer, say what most likely "
    "went wrong given the feedback, and what you will do differently next time. Do not "
    "give a new attempt yet."
)
"""Asked of the model after a failed attempt (Reflexion's self-reflection step)."""


def clean_reflection(text: str, limit: int = 400) -> str:
    r"""One line of at most ``limit`` characters, cut at a sentence end where possible.

    >>> clean_reflection("  I added wrong.\n\nNext time I will carry the ten.  ")
    'I added wrong. Next time I will carry the ten.'
    """
    line = re.sub(r"\s+", " ", text).strip()
    if len(line) <= limit:
        return line
    cut = line[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[: end + 1] if end > 0 else cut.rstrip() + "…"


class ReflexionAgent(LLMAgent):
    """Reflexion (Shinn et al., 2023) over any :class:`LLMAgent`'s model.

    Within an episode, after each failed attempt, the model first reflects in words on the
    feedback; its reflections are shown with the next request for an action. Across
    episodes, the latest ``memory_size`` reflections of each family are kept and shown to
    later episodes as lessons (``remember=False`` keeps reflection within episodes). When
    the runner calls :meth:`end_episode`, a failed episode's last feedback is reflected on
    too. Memory lives in :attr:`memory`, kept apart per stream of episodes when the runner
    names it in ``info["stream"]`` (so streams played side by side do not share lessons);
    :meth:`new_stream` empties it.

    ``model`` supplies generation (and its prompt templates); its own conversations are
    not used.
    """

    def __init__(
        self,
        model: LLMAgent,
        *,
        memory_size: int = 3,
        remember: bool = True,
        reflect_prompt: str = REFLECT,
        name: str | None = None,
    ):
        if not isinstance(model, LLMAgent):
            raise ConfigError(f"model must be an LLMAgent (HFAgent, OpenAIAgent), got {model!r}")
        if memory_size < 0:
            raise ConfigError(f"memory_size must be >= 0, got {memory_size}")
        super().__init__(prompts=model.prompts, max_history=model.max_history, seed=model.seed)
        self.model = model
        self.memory_size = int(memory_size)
        self.remember = bool(remember)
        self.reflect_prompt = reflect_prompt
        self.memory: dict[tuple[str, str], deque[tuple[tuple[str, ...], str]]] = {}
        self.name = name or f"reflexion-{model.name}"

    def config(self) -> dict[str, Any]:
        """The model's settings and the reflection settings."""
        return {
            "model": {"class": type(self.model).__name__, **self.model.config()},
            "memory_size": self.memory_size,
            "remember": self.remember,
            "reflect_prompt": self.reflect_prompt,
        }

    def generate(self, conversations: Sequence[list[Message]], seeds: Sequence[int]) -> list[str]:
        """The wrapped model's replies."""
        return self.model.generate(conversations, seeds)

    def lessons(
        self, family: str, stream: str = "", exclude: tuple[str, ...] | None = None
    ) -> list[str]:
        """The remembered reflections of ``family`` in ``stream``, oldest first."""
        return [text for key, text in self.memory.get((stream, family), ()) if key != exclude]

    def new_stream(self) -> None:
        """Start afresh: no open episodes and an empty memory."""
        super().new_stream()
        self.memory.clear()

    def system_extra(self, episode: Episode) -> str:
        """Lessons from earlier episodes of the same family and stream."""
        lessons = (
            self.lessons(episode.family, episode.stream, exclude=episode.key)
            if self.remember
            else []
        )
        if not lessons:
            return ""
        return "Lessons from earlier problems:\n" + "\n".join(f"- {t}" for t in lessons)

    def latest_extra(self, episode: Episode) -> str:
        """The reflections of the episode so far."""
        if not episode.notes:
            return ""
        return "Your reflections so far:\n" + "\n".join(f"- {t}" for t in episode.notes)

    def _needs_reflection(self, episode: Episode) -> bool:
        if not episode.attempts or len(episode.notes) >= episode.turn:
            return False
        last = episode.attempts[-1]
        return last.feedback is not None and not last.success and last.graded is not False

    def reflect(self, episodes: Sequence[Episode]) -> list[str]:
        """Reflect, in one batch, on the last failed attempt of each of ``episodes``."""
        prompts = []
        for episode in episodes:
            messages = self.prompt(episode)
            messages[-1] = {
                "role": "user",
                "content": f"{messages[-1]['content']}\n\n{self.reflect_prompt}",
            }
            prompts.append(messages)
        seeds = [derive_seed("reflect", self.seed, e.key, e.turn) for e in episodes]
        texts = [clean_reflection(t) for t in self.generate(prompts, seeds)]
        for episode, text in zip(episodes, texts):
            if not text:
                text = f"Attempt {episode.turn} failed; try something different."
            episode.notes.append(text)
            if self.remember and self.memory_size:
                bank = self.memory.setdefault(
                    (episode.stream, episode.family), deque(maxlen=self.memory_size)
                )
                bank.append((episode.key, text))
        return texts

    def prepare(self, episodes: Sequence[Episode]) -> None:
        """Reflect on each episode whose last attempt failed, before the next action."""
        pending = [e for e in episodes if self._needs_reflection(e)]
        if pending:
            self.reflect(pending)

    def learn(self, episode: Episode) -> None:
        """Reflect on a failed episode's last feedback, so later episodes can use it."""
        if self.remember and self._needs_reflection(episode):
            self.reflect([episode])
