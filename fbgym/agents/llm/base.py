"""LLMAgent: chat conversations kept per episode, prompts per family, and batched ``act``."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fbgym.agents.base import BaseAgent, Observation
from fbgym.agents.llm.prompts import Message, PromptTemplate, conversation_key, prompt_for
from fbgym.core.seeding import derive_seed
from fbgym.errors import ConfigError


@dataclass
class Attempt:
    """One action of an episode and what came back."""

    action: str
    feedback: str | None = None
    """The user message rendered from the feedback; ``None`` until the next observation."""
    success: bool | None = None
    graded: bool | None = None


@dataclass
class Episode:
    """What an LLM agent remembers of one episode in progress."""

    key: tuple[str, ...]
    stream: str
    """The stream of episodes it belongs to (``info["stream"]``), for memory kept per stream."""
    family: str
    channel: str
    template: PromptTemplate
    opening: str
    """The first user message: instruction and observation."""
    observation: str
    """The latest observation text, to tell when it changes."""
    attempts: list[Attempt] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """The agent's own notes on this episode (e.g. reflections on its failed attempts)."""

    @property
    def turn(self) -> int:
        """How many actions were taken so far."""
        return len(self.attempts)

    @property
    def solved(self) -> bool:
        """Whether an attempt succeeded."""
        return any(a.success for a in self.attempts)


class LLMAgent(BaseAgent):
    """An agent that asks a chat model for each action and keeps the conversation.

    Subclasses implement :meth:`generate` (a batch of conversations in, one reply each
    out). Conversations are keyed by episode — ``info["episode"]`` if the runner sets
    one, else ``(info["problem_id"], info["channel"])`` — so one instance can play many
    episodes at once through :meth:`act_batch`; an ``info["turn"]`` of 0 starts an episode
    afresh, and :meth:`reset` is not needed. A runner that calls :meth:`end_episode` with
    the final observation and info lets subclasses learn from how an episode ended;
    :meth:`new_stream` starts a stream of episodes with no memory.

    ``prompts`` overrides the template of some families; ``max_history`` keeps that many
    latest attempts in the prompt (the opening message always stays); ``condition`` is
    appended to every request for an action (e.g. a Chain-of-Hindsight label the model was
    fine-tuned on, see :mod:`fbgym.agents.llm.hindsight`).
    """

    name = "llm"

    def __init__(
        self,
        *,
        prompts: Mapping[str, PromptTemplate] | None = None,
        max_history: int = 8,
        max_open_episodes: int = 4096,
        condition: str | None = None,
        seed: int = 0,
    ):
        if max_history < 1:
            raise ConfigError(f"max_history must be at least 1, got {max_history}")
        if max_open_episodes < 1:
            raise ConfigError(f"max_open_episodes must be at least 1, got {max_open_episodes}")
        self.prompts = dict(prompts or {})
        self.max_history = int(max_history)
        self.max_open_episodes = int(max_open_episodes)
        self.condition = condition or None
        self.seed = int(seed)
        self._episodes: OrderedDict[tuple[str, ...], Episode] = OrderedDict()

    def config(self) -> dict[str, Any]:
        """Prompt overrides, history length and seed."""
        return {
            "prompts": {f: t.system for f, t in sorted(self.prompts.items())},
            "max_history": self.max_history,
            "condition": self.condition,
            "seed": self.seed,
        }

    # -- the model ---------------------------------------------------------------------

    def generate(self, conversations: Sequence[list[Message]], seeds: Sequence[int]) -> list[str]:
        """One reply per conversation; ``seeds`` makes sampled replies reproducible."""
        raise NotImplementedError

    # -- acting ------------------------------------------------------------------------

    def act(self, observation: Observation, info: dict[str, Any]) -> str:
        """The next action of one episode."""
        return self.act_batch([observation], [info])[0]

    def act_batch(
        self, observations: Sequence[Observation], infos: Sequence[dict[str, Any]]
    ) -> list[str]:
        """The next action of each episode, generated in one batch."""
        if len(observations) != len(infos):
            raise ConfigError(
                f"act_batch needs one info per observation, got {len(observations)} "
                f"observations and {len(infos)} infos"
            )
        episodes = [self.track(o, i) for o, i in zip(observations, infos)]
        keys = [e.key for e in episodes]
        if len(set(keys)) != len(keys):
            raise ConfigError(
                "act_batch got two observations of one episode; set info['episode'] to "
                "tell apart parallel episodes of the same problem and channel"
            )
        self.prepare(episodes)
        replies = self.generate(
            [self.prompt(e) for e in episodes],
            [derive_seed("llm", self.seed, e.key, e.turn) for e in episodes],
        )
        actions = []
        for episode, reply in zip(episodes, replies):
            action = episode.template.extract(reply)
            episode.attempts.append(Attempt(action))
            actions.append(action)
        return actions

    def new_stream(self) -> None:
        """Start a stream of episodes afresh: forget open episodes (and, in subclasses, memory)."""
        self._episodes.clear()

    def end_episode(self, observation: Observation, info: dict[str, Any]) -> None:
        """The episode of ``info`` is over: record its last feedback, learn, and forget it."""
        episode = self.track(observation, info)
        self.learn(episode)
        self._episodes.pop(episode.key, None)

    # -- hooks for methods that learn from feedback -------------------------------------

    def prepare(self, episodes: Sequence[Episode]) -> None:
        """Called before generating actions for ``episodes`` (e.g. to reflect on feedback)."""

    def learn(self, episode: Episode) -> None:
        """Called with a finished episode (when the runner calls :meth:`end_episode`)."""

    def system_extra(self, episode: Episode) -> str:
        """Text appended to the system prompt of ``episode`` (e.g. lessons from memory)."""
        return ""

    def latest_extra(self, episode: Episode) -> str:
        """Text appended to the latest user message of ``episode`` (e.g. its notes)."""
        return ""

    # -- conversations -----------------------------------------------------------------

    def track(self, observation: Observation, info: Mapping[str, Any]) -> Episode:
        """The episode ``info`` belongs to, brought up to date with ``observation``."""
        key = conversation_key(info)
        turn = int(info.get("turn", 0))
        episode = self._episodes.get(key)
        if episode is None or turn == 0 or turn > episode.turn:
            episode = self._open(key, observation, info, turn)
        else:
            del episode.attempts[turn:]  # actions the env never received
            if turn > 0:
                last = episode.attempts[turn - 1]
                if last.feedback is None:
                    last.feedback = episode.template.feedback_message(
                        observation, episode.observation
                    )
                    last.success = bool(info.get("success", False))
            episode.observation = observation.get("observation", "")
        self._episodes.move_to_end(key)
        while len(self._episodes) > self.max_open_episodes:
            self._episodes.popitem(last=False)
        return episode

    def _open(
        self, key: tuple[str, ...], observation: Observation, info: Mapping[str, Any], turn: int
    ) -> Episode:
        problem = info.get("problem") or {}
        family = str(problem.get("family") or str(info.get("problem_id", "")).split("/")[0])
        template = prompt_for(family, self.prompts)
        opening = template.first_message(observation)
        if turn > 0:  # joined mid-episode: the earlier actions are unknown
            opening += "\n\n" + template.feedback_message(observation, observation["observation"])
        episode = Episode(
            key=key,
            stream=str(info.get("stream", "")),
            family=family,
            channel=str(info.get("channel", "")),
            template=template,
            opening=opening,
            observation=observation.get("observation", ""),
        )
        self._episodes[key] = episode
        return episode

    def prompt(self, episode: Episode) -> list[Message]:
        """The chat messages that ask for ``episode``'s next action."""
        system = episode.template.system_message(episode.channel, self.system_extra(episode))
        shown = episode.attempts[-self.max_history :]
        opening = episode.opening
        if len(shown) < len(episode.attempts):
            hidden = len(episode.attempts) - len(shown)
            opening += f"\n\n(Your first {hidden} attempts are not shown.)"
        messages = [{"role": "system", "content": system}, {"role": "user", "content": opening}]
        for attempt in shown:
            messages.append({"role": "assistant", "content": attempt.action})
            messages.append({"role": "user", "content": attempt.feedback or ""})
        for extra in (self.latest_extra(episode), self.condition):
            if extra:
                messages[-1]["content"] += "\n\n" + extra
        return messages

    def episode(self, info: Mapping[str, Any]) -> Episode | None:
        """The open episode ``info`` belongs to, if any."""
        return self._episodes.get(conversation_key(info))
