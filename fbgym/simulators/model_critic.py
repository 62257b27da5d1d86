"""Model-backed critics: any chat model — local transformers or an OpenAI-compatible endpoint.

A :class:`ModelCritic` writes feedback with a chat model through one small interface,
:class:`ChatModel` (``chat(messages, seed=..., temperature=..., max_tokens=...) -> str``).
Two are built in: :class:`TransformersChat` (a causal LM and its chat template; torch and
transformers are imported only when it is built) and :class:`OpenAIChat` (any server that
speaks the OpenAI chat-completions protocol, over the standard library's ``urllib``).

Prompts come from each family's :class:`CriticPrompt` (``Family.critic_prompt``); the
sampling seed is drawn from the episode's ``rng``; replies are cached on disk under a hash
of (model, messages, seed, settings), so a replayed episode reads the same words without
calling the model. The feedback carries ``notes["replayable"] = False``: a model's words
are not reproducible everywhere, so the leaderboard must not rely on them.

Use it through the simulated-user extension point::

    from fbgym.simulators import SimulatedUser, register_user
    from fbgym.simulators.model_critic import ModelCritic, OpenAIChat

    chat = OpenAIChat("http://127.0.0.1:8000/v1", "qwen2.5-0.5b-instruct")
    critic = ModelCritic(chat, cache_dir=".fbgym-cache")
    register_user("qwen-critic", lambda sim: SimulatedUser(critic, sim.channel))
    env = gymnasium.make("fbgym/Math-v0", user="qwen-critic")
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from fbgym.core.text import clean_text
from fbgym.core.types import FeedbackKind, FeedbackPart, Outcome, Problem, Turn
from fbgym.errors import ConfigError, FbgymError
from fbgym.registration import registry
from fbgym.simulators.base import Critic, Critique

Message = dict[str, str]
MAX_FEEDBACK_CHARS = 2000


class ModelError(FbgymError):
    """A chat model could not be reached or answered in an unexpected form."""


@runtime_checkable
class ChatModel(Protocol):
    """A chat model: a list of ``{"role", "content"}`` messages in, the reply's text out."""

    name: str
    """Identifies the model (and its weights) in cache keys."""

    def chat(
        self, messages: Sequence[Message], *, seed: int, temperature: float, max_tokens: int
    ) -> str:
        """The model's reply; the same arguments should give the same text."""
        ...


@dataclass(frozen=True)
class CriticPrompt:
    """A model-backed critic's prompt: a system message and a user message with ``{fields}``.

    Fields: ``instruction``, ``problem``, ``reference`` (the answer), ``solution`` (worked
    steps), ``verdict`` (the grader's), ``diagnosis`` (its details, JSON) and ``earlier``
    (the feedback given so far).
    """

    system: str
    user: str

    def render(self, problem: Problem, history: Sequence[Turn], outcome: Outcome) -> list[Message]:
        """The chat messages for feedback on ``outcome``."""
        if outcome.success:
            verdict = "correct"
        elif not outcome.valid:
            verdict = f"not accepted: {outcome.message}"
        else:
            verdict = f"incorrect (score {outcome.score:.2f})"
        earlier = [f"Turn {t.index}: {t.feedback.text}" for t in history if t.feedback.text]
        fields = {
            "instruction": problem.instruction,
            "problem": problem.observation,
            "reference": problem.answer,
            "solution": "\n".join(problem.solution) or "(none given)",
            "verdict": verdict,
            "diagnosis": json.dumps(dict(outcome.diagnosis), sort_keys=True, default=str),
            "earlier": "\n".join(earlier) or "(none)",
        }
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user.format(**fields)},
        ]


TEACHER = (
    "You are a teacher giving short feedback on a student's attempt. You know the reference "
    "solution. Say what is wrong and what to check next in one or two sentences. Never "
    "state the reference answer."
)
"""The system message of the built-in critic prompts (a family may adapt it)."""

DEFAULT_CRITIC_PROMPT = CriticPrompt(
    TEACHER,
    "Task: {instruction}\n{problem}\nReference: {reference}\nThe attempt was {verdict}; "
    "grader's details: {diagnosis}\nFeedback so far:\n{earlier}\nYour feedback:",
)
"""For families that declare no ``critic_prompt`` of their own."""


def critic_prompt_for(family: str) -> CriticPrompt:
    """The critic prompt ``family`` declares (``Family.critic_prompt``), else the default."""
    prompt = registry.declared(family, "critic_prompt")
    return DEFAULT_CRITIC_PROMPT if prompt is None else prompt


class ModelCritic(Critic):
    """Verbal feedback written by a chat model, seeded, cached, and marked non-replayable."""

    def __init__(
        self,
        model: ChatModel,
        *,
        cache_dir: str | Path | None = None,
        temperature: float = 0.7,
        max_tokens: int = 128,
        templates: Mapping[str, CriticPrompt] | None = None,
    ):
        if not 0.0 <= temperature <= 2.0:
            raise ConfigError(f"temperature must be in [0, 2], got {temperature!r}")
        if max_tokens < 1:
            raise ConfigError(f"max_tokens must be >= 1, got {max_tokens!r}")
        self.model = model
        self.cache_dir = None if cache_dir is None else Path(cache_dir)
        self.temperature = float(temperature)
        self.max_tokens = int(max_tokens)
        self.templates = dict(templates or {})

    def critique(
        self, problem: Problem, history: Sequence[Turn], outcome: Outcome, rng: random.Random
    ) -> Critique:
        """The model's feedback on one graded attempt."""
        template = self.templates.get(problem.family) or critic_prompt_for(problem.family)
        messages = template.render(problem, history, outcome)
        seed = rng.getrandbits(31)
        key = self.cache_key(messages, seed)
        text = self._cached(key)
        if text is None:
            text = self.model.chat(
                messages, seed=seed, temperature=self.temperature, max_tokens=self.max_tokens
            )
            if not isinstance(text, str):
                raise ModelError(f"{self.model.name} returned {type(text).__name__}, not text")
            self._store(key, messages, seed, text)
        text = clean_text(" ".join(text.split()), MAX_FEEDBACK_CHARS) or "(no comment)"
        kind = (
            FeedbackKind.HINDSIGHT_POSITIVE if outcome.success else FeedbackKind.HINDSIGHT_NEGATIVE
        )
        notes = {"replayable": False, "model": self.model.name, "seed": seed, "cache_key": key}
        return Critique((FeedbackPart(kind, text),), notes=notes)

    def cache_key(self, messages: Sequence[Message], seed: int) -> str:
        """The hash that names a reply in the cache: model, messages, seed and settings."""
        payload = json.dumps(
            [self.model.name, list(messages), seed, self.temperature, self.max_tokens],
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / key[:2] / f"{key}.json"

    def _cached(self, key: str) -> str | None:
        path = self._path(key)
        if path is None or not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))["reply"]
        except (OSError, ValueError, KeyError):
            return None  # a torn or foreign file: ask the model again

    def _store(self, key: str, messages: Sequence[Message], seed: int, text: str) -> None:
        path = self._path(key)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"model": self.model.name, "messages": list(messages), "seed": seed, "reply": text}
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)


class OpenAIChat:
    """A model behind an OpenAI-compatible ``/chat/completions`` endpoint (vLLM, llama.cpp, ...)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 60.0,
    ):
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"base_url must start with http:// or https://, got {base_url!r}")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.name = f"openai:{model}@{base_url.rstrip('/')}"
        self.api_key = api_key if api_key is not None else os.environ.get(api_key_env)
        self.timeout = timeout

    def chat(
        self, messages: Sequence[Message], *, seed: int, temperature: float, max_tokens: int
    ) -> str:
        """POST the messages and return the first choice's content."""
        body = {
            "model": self.model,
            "messages": list(messages),
            "seed": seed,
            "temperature": temperature,
            "max_tokens": max_tokens,
        }
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(
            self.url, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data: Any = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            raise ModelError(f"{self.url} answered HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise ModelError(f"could not get a reply from {self.url}: {exc}") from exc
        try:
            return data["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            raise ModelError(
                f"{self.url} replied without choices[0].message.content: {str(data)[:300]}"
            ) from None


def pretrained_args(source: str | Path) -> dict[str, str]:
    """``from_pretrained`` arguments: a hub id or folder, or a GGUF file's folder and name.

    >>> pretrained_args("HuggingFaceTB/SmolLM2-135M-Instruct")
    {'pretrained_model_name_or_path': 'HuggingFaceTB/SmolLM2-135M-Instruct'}
    """
    path = Path(source)
    if path.suffix.lower() == ".gguf":
        if not path.is_file():
            raise ConfigError(f"no GGUF file at {path}")
        return {"pretrained_model_name_or_path": str(path.parent), "gguf_file": path.name}
    return {"pretrained_model_name_or_path": str(source)}


class TransformersChat:
    """A local causal LM with its tokenizer's chat template (``pip install fbgym[llm]``)."""

    def __init__(self, model: Any, tokenizer: Any, *, name: str | None = None):
        self.model = model
        self.tokenizer = tokenizer
        self.name = (
            name
            or f"transformers:{getattr(model.config, '_name_or_path', '') or type(model).__name__}"
        )

    @classmethod
    def from_pretrained(cls, path: str | Path, **model_kwargs: Any) -> TransformersChat:
        """Load a model and tokenizer from a local directory, a hub id or a ``.gguf`` file.

        A GGUF checkpoint is dequantised by transformers (needs the ``gguf`` package), as
        :class:`~fbgym.agents.llm.hf.HFAgent` loads it; ``model_kwargs`` go to the model's
        ``from_pretrained`` (e.g. ``dtype=torch.float32``).
        """
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise ModelError("TransformersChat needs torch and transformers installed") from exc
        checkpoint = pretrained_args(path)
        tokenizer = AutoTokenizer.from_pretrained(**checkpoint)
        model = AutoModelForCausalLM.from_pretrained(**checkpoint, **model_kwargs)
        model.eval()
        return cls(model, tokenizer, name=f"transformers:{path}")

    def chat(
        self, messages: Sequence[Message], *, seed: int, temperature: float, max_tokens: int
    ) -> str:
        """Generate a reply; sampling is seeded without touching torch's global generator."""
        import torch

        if getattr(self.tokenizer, "chat_template", None):
            prompt = self.tokenizer.apply_chat_template(
                list(messages), tokenize=False, add_generation_prompt=True
            )
        else:
            prompt = "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant:"
        inputs = self.tokenizer(prompt, return_tensors="pt").to(self.model.device)
        pad = self.tokenizer.pad_token_id
        if pad is None:
            pad = self.tokenizer.eos_token_id
        device = self.model.device
        devices = [device.index or 0] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices), torch.no_grad():
            torch.manual_seed(seed)
            output = self.model.generate(
                **inputs,
                do_sample=temperature > 0,
                temperature=temperature if temperature > 0 else None,
                top_p=None,
                top_k=None,
                max_new_tokens=max_tokens,
                pad_token_id=pad,
            )
        new = output[0, inputs["input_ids"].shape[1] :]
        return self.tokenizer.decode(new, skip_special_tokens=True)
