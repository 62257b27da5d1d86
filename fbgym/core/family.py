"""Family: one declaration of a task family — its envs, and what every fbgym tool needs of it.

A family's package declares one :class:`Family` and registers it (built-ins and plugins alike,
through the ``fbgym.envs`` entry point). Everything heavy is a lazy ``"module:attr"``
reference, resolved with :meth:`Family.load` when a tool first needs it, so importing fbgym
imports no family's code.

>>> family = Family(
...     "riddles",
...     env="mylab.riddles:RiddleEnv",
...     versions={"mylab/Riddles-v0": {}},
...     channels=("verbal", "unary"),
...     suites={"riddles": (SuiteEntry("mylab/Riddles-v0", ("verbal", "unary"), 50),)},
... )
>>> family.load("prompt") is None  # no template of its own: LLM agents use the generic one
True
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fbgym.core.types import Channel
from fbgym.errors import ConfigError, RegistrationError

CHANNELS = ("verbal", "unary", "ranked")
"""The channels suites play by default: the three forms of feedback."""

BUILTIN_SUITES: Mapping[str, tuple[int, str]] = {
    "default": (2, "Every family's latest version in the verbal, unary and ranked channels."),
    "hard": (1, "The top levels of every family's latest version: headroom above the baselines."),
    "smoke": (2, "Every family's latest version, 10 seeds per channel: a quick check."),
}
"""fbgym's own suites, ``name: (version, description)``: only fbgym's families add to them, so
``default@2`` plays the same episodes wherever it runs. Bump a version when its episodes change."""

REFERENCES = ("baseline", "prompt", "hints", "metrics", "critic_prompt", "tools")
"""The :class:`Family` fields that name a ``module:attr`` to load on first use."""


@dataclass(frozen=True)
class SuiteEntry:
    """One env id in a suite: its channels, how many seeds, and its kwargs."""

    env_id: str
    channels: tuple[str, ...] = CHANNELS
    episodes: int = 200
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "channels", tuple(Channel.parse(c).value for c in self.channels))
        object.__setattr__(self, "kwargs", dict(self.kwargs))
        if not isinstance(self.episodes, int) or self.episodes < 1:
            raise ConfigError(f"a suite entry needs episodes >= 1, got {self.episodes!r}")


@dataclass(frozen=True)
class Family:
    """A task family: its env class and registered versions, and what tools need to know.

    Only ``name``, ``env`` and ``versions`` are required; a family without a baseline,
    prompt, hint model or metrics still plays in every tool (with a clear message where a
    baseline is asked for, the generic prompt, generic wrong hints and no extra metrics).
    """

    name: str
    env: str
    """``module:Class`` of the env (a :class:`~fbgym.core.env.FeedbackEnv`)."""
    versions: Mapping[str, Mapping[str, Any]]
    """Each registered env id and the kwargs it is made with (``{}``: the class's own)."""
    channels: tuple[str, ...] = (*CHANNELS, "scalar")
    descriptions: Mapping[str, str] = field(default_factory=dict)
    """One line per env id for ``fbgym envs`` (ids without one share the family's first)."""
    baseline: str | None = None
    """``module:attr`` of the baseline policy factory, called per episode as
    ``factory(problem, use_feedback=..., rng=..., memory=...)`` with ``info["problem"]``."""
    prompt: str | None = None
    """``module:attr`` of the :class:`~fbgym.core.prompt.PromptTemplate` LLM agents use."""
    hints: str | None = None
    """``module:attr`` of the :class:`~fbgym.simulators.hints.HintModel` class that makes this
    family's feedback wrong (noise) or more complete (the informativeness ladder)."""
    metrics: str | None = None
    """``module:attr`` of ``metrics(transcript, max_turns) -> {name: value}`` per episode."""
    critic_prompt: str | None = None
    """``module:attr`` of the model-backed critic's prompt for this family."""
    tools: str | None = None
    """``module:attr`` of the :class:`~fbgym.core.tools.ToolSet` its commands are, for
    agents that speak tool calls (families whose actions are commands)."""
    suites: Mapping[str, tuple[SuiteEntry, ...]] = field(default_factory=dict)
    """Entries this family adds to named suites (``default``, ``smoke``, ``hard``, its own)."""
    data_formats: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Data-file formats its envs read (``data_path=``, ``data_format=``), each with the
    fields that identify a record of that format; ``fbgym run --data`` picks by them."""
    data_env: str | None = None
    """The env id that plays data files (default: the last of ``versions``)."""
    cost: float = 1.0
    """An episode's cost relative to a math episode, for honest progress estimates."""

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.name, str):
            raise RegistrationError(f"a family needs a name, got {self.name!r}")
        if not self.versions:
            raise RegistrationError(f"family {self.name!r} registers no env id")
        for name in ("env", *REFERENCES):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or ":" not in value):
                raise RegistrationError(
                    f"family {self.name!r}: {name} must be a 'module:attr' string, got {value!r}"
                )
        object.__setattr__(self, "versions", {k: dict(v) for k, v in self.versions.items()})
        object.__setattr__(self, "channels", tuple(Channel.parse(c).value for c in self.channels))
        object.__setattr__(self, "suites", {k: tuple(v) for k, v in self.suites.items()})
        for suite, entries in self.suites.items():
            unknown = [e.env_id for e in entries if e.env_id not in self.versions]
            if unknown:
                raise RegistrationError(
                    f"family {self.name!r}: suite {suite!r} plays {unknown}, which the family "
                    f"does not register (it registers {sorted(self.versions)})"
                )

    def load(self, what: str) -> Any:
        """The object ``what`` (one of :data:`REFERENCES`, or ``env``) names; ``None`` if unset."""
        reference = getattr(self, what)
        return None if reference is None else load_reference(reference, f"{self.name}.{what}")

    @property
    def data_env_id(self) -> str:
        """The env id that plays data files."""
        return self.data_env or list(self.versions)[-1]


def load_reference(reference: str, what: str = "reference") -> Any:
    """The object a ``module:attr`` string names, with a clear error if it cannot be loaded."""
    module, _, attr = reference.partition(":")
    try:
        found: Any = importlib.import_module(module)
        for part in attr.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as exc:
        raise RegistrationError(f"cannot load {what} {reference!r}: {exc}") from exc
    return found
