"""OpenAIAgent: an LLM agent over any OpenAI-compatible chat-completions server, with retries."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fbgym.agents.llm.base import Episode, LLMAgent
from fbgym.agents.llm.prompts import Message, PromptTemplate
from fbgym.errors import ConfigError, FbgymError
from fbgym.wrappers.tools import ToolSet, tools_for

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
"""HTTP statuses worth another try: timeouts, rate limits and server errors."""


class ChatCompletionError(FbgymError):
    """A chat-completions request failed for good (after its retries, or not retryable)."""


class ChatCompletionsClient:
    """A minimal, dependency-free client for ``POST {base_url}/chat/completions``.

    Retries connection errors, timeouts and the statuses in :data:`RETRY_STATUS` up to
    ``max_retries`` times, waiting ``backoff * 2**attempt`` seconds (or the server's
    ``Retry-After``, capped at ``max_backoff``) between tries.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 3,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        headers: Mapping[str, str] | None = None,
    ):
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"base_url must start with http:// or https://, got {base_url!r}")
        if timeout <= 0 or max_retries < 0 or backoff < 0:
            raise ConfigError(
                "timeout must be > 0, max_retries and backoff >= 0; got "
                f"{timeout}, {max_retries}, {backoff}"
            )
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.headers = {"Content-Type": "application/json", **dict(headers or {})}
        if api_key:
            self.headers["Authorization"] = f"Bearer {api_key}"

    def complete(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The server's JSON response to one chat-completions request."""
        data = json.dumps(body).encode("utf-8")
        last = ""
        for attempt in range(self.max_retries + 1):
            request = urllib.request.Request(self.url, data=data, headers=self.headers)
            wait = self.backoff * 2**attempt
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as exc:
                detail = exc.read().decode("utf-8", "replace")[:500]
                last = f"HTTP {exc.code} from {self.url}: {detail}"
                if exc.code not in RETRY_STATUS:
                    raise ChatCompletionError(last) from None
                retry_after = exc.headers.get("Retry-After") if exc.headers else None
                if retry_after and retry_after.replace(".", "", 1).isdigit():
                    wait = float(retry_after)
            except TimeoutError as exc:
                last = f"no answer from {self.url} within {self.timeout} s ({exc})"
            except urllib.error.URLError as exc:
                last = f"cannot reach {self.url}: {exc.reason}"
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                last = f"{self.url} did not answer with JSON: {exc}"
            if attempt < self.max_retries:
                time.sleep(min(wait, self.max_backoff))
        raise ChatCompletionError(f"{last} (after {self.max_retries + 1} tries)")


class OpenAIAgent(LLMAgent):
    r"""An LLM agent over an OpenAI-compatible server: vLLM, Ollama, llama.cpp, a hosted API.

    ``base_url`` is the API root (e.g. ``http://localhost:8000/v1``); ``api_key`` defaults
    to the ``OPENAI_API_KEY`` environment variable (local servers need none). Greedy by
    default (``temperature=0``); each request carries a seed derived from the agent's
    ``seed`` and the episode, for servers that honour it. :meth:`act_batch` sends up to
    ``concurrency`` requests at once, so the server can batch them. ``extra_body`` is merged
    into every request (e.g. ``{"stop": ["\n\n"]}``). ``prompts``, ``max_history``,
    ``condition`` and ``seed`` are :class:`LLMAgent`'s.

    ``tools=True`` offers the model its family's commands as tools (for families that have
    them, see :mod:`fbgym.wrappers.tools`) when it is asked for an action; a reply's tool
    calls become the text command, and a plain text reply is read as before.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        temperature: float = 0.0,
        top_p: float = 1.0,
        max_tokens: int = 256,
        timeout: float = 60.0,
        max_retries: int = 3,
        backoff: float = 1.0,
        concurrency: int = 8,
        extra_body: Mapping[str, Any] | None = None,
        prompts: Mapping[str, PromptTemplate] | None = None,
        max_history: int = 8,
        condition: str | None = None,
        seed: int = 0,
        name: str | None = None,
        tools: bool = False,
    ):
        super().__init__(prompts=prompts, max_history=max_history, condition=condition, seed=seed)
        if not model:
            raise ConfigError("model must name the served model, e.g. 'Qwen/Qwen2.5-0.5B'")
        if temperature < 0 or not 0 < top_p <= 1 or max_tokens < 1 or concurrency < 1:
            raise ConfigError(
                "expected temperature >= 0, top_p in (0, 1], max_tokens >= 1 and "
                f"concurrency >= 1; got {temperature}, {top_p}, {max_tokens}, {concurrency}"
            )
        self.client = ChatCompletionsClient(
            base_url,
            api_key=api_key if api_key is not None else os.environ.get("OPENAI_API_KEY"),
            timeout=timeout,
            max_retries=max_retries,
            backoff=backoff,
        )
        self.base_url = base_url
        self.model = model
        self.temperature = float(temperature)
        self.top_p = float(top_p)
        self.max_tokens = int(max_tokens)
        self.concurrency = int(concurrency)
        self.extra_body = dict(extra_body or {})
        self.name = name or f"openai-{model.replace('/', '-')}"
        self.tools = bool(tools)
        self._toolsets: list[ToolSet | None] = []

    def config(self) -> dict[str, Any]:
        """The served model and the decoding settings (never the key)."""
        return {
            **super().config(),
            "model": self.model,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "extra_body": self.extra_body,
            "tools": self.tools,
        }

    def request_body(
        self, messages: Sequence[Message], seed: int, toolset: ToolSet | None = None
    ) -> dict[str, Any]:
        """The JSON body asking for one reply to ``messages`` (offering ``toolset``'s tools)."""
        body = {
            "model": self.model,
            "messages": list(messages),
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "seed": seed % 2**31,
        }
        if toolset is not None:
            body.update(tools=toolset.schemas(), tool_choice="auto")
        return {**body, **self.extra_body}

    def prepare(self, episodes: Sequence[Episode]) -> None:
        """Before actions are generated: the tools each episode's family offers, if any."""
        super().prepare(episodes)
        if self.tools:
            self._toolsets = [tools_for(e.family) for e in episodes]

    def _reply(self, messages: Sequence[Message], seed: int, toolset: ToolSet | None = None) -> str:
        response = self.client.complete(self.request_body(messages, seed, toolset))
        try:
            message = response["choices"][0]["message"]
            content, calls = message.get("content"), message.get("tool_calls")
        except (KeyError, IndexError, TypeError, AttributeError):
            raise ChatCompletionError(
                f"expected a chat completion with choices[0].message, got {str(response)[:300]}"
            ) from None
        if calls and toolset is not None:
            return toolset.action(calls)
        return content or ""

    def generate(self, conversations: Sequence[list[Message]], seeds: Sequence[int]) -> list[str]:
        """One reply per conversation, ``concurrency`` requests at a time.

        Tools are offered only for the actions :meth:`prepare` announced (not, say, for a
        reflection a wrapping agent asks for).
        """
        toolsets, self._toolsets = self._toolsets, []
        if len(toolsets) != len(conversations):
            toolsets = [None] * len(conversations)
        if len(conversations) <= 1 or self.concurrency == 1:
            return [self._reply(*args) for args in zip(conversations, seeds, toolsets)]
        with ThreadPoolExecutor(min(self.concurrency, len(conversations))) as pool:
            return list(pool.map(self._reply, conversations, seeds, toolsets))
