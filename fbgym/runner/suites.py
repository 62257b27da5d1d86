"""Named, versioned suites: which env ids, channels, kwargs and seeds an evaluation plays."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fbgym.errors import UnknownIdError
from fbgym.runner.episode import EpisodeSpec


@dataclass(frozen=True)
class SuiteEntry:
    """One env id in a suite: its channels, kwargs and how many seeds."""

    env_id: str
    channels: tuple[str, ...]
    episodes: int
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Suite:
    """A versioned list of entries; bump ``version`` whenever the episodes it plays change."""

    name: str
    version: int
    entries: tuple[SuiteEntry, ...]
    description: str = ""

    def specs(self, seed: int = 0) -> list[EpisodeSpec]:
        """Every episode of the suite; seeds run from ``seed`` upwards per entry and channel."""
        return [
            EpisodeSpec(e.env_id, channel, seed + i, dict(e.kwargs))
            for e in self.entries
            for channel in e.channels
            for i in range(e.episodes)
        ]

    @property
    def label(self) -> str:
        """``name@version``."""
        return f"{self.name}@{self.version}"


CHANNELS = ("verbal", "unary", "ranked")

SUITES: dict[str, Suite] = {}


def register_suite(suite: Suite) -> Suite:
    """Add a suite; names are unique."""
    if suite.name in SUITES:
        raise ValueError(f"suite {suite.name!r} is already defined")
    SUITES[suite.name] = suite
    return suite


def get_suite(name: str) -> Suite:
    """The suite called ``name``."""
    try:
        return SUITES[name]
    except KeyError:
        raise UnknownIdError(
            f"no suite {name!r}; known suites: {', '.join(sorted(SUITES))}"
        ) from None


def _entries(episodes: int, ids: Iterable[tuple[str, dict[str, Any]]]) -> tuple[SuiteEntry, ...]:
    return tuple(SuiteEntry(env_id, CHANNELS, episodes, kwargs) for env_id, kwargs in ids)


FAMILY_IDS = ("fbgym/Math-v0", "fbgym/Code-v0", "fbgym/ConvSearch-v0", "fbgym/RobotCorrection-v0")
SANDBOXED = {"fbgym/Code-v0"}
"""Families whose episodes run code in the sandbox, ten times slower: fewer seeds by default."""

register_suite(
    Suite(
        "default",
        1,
        tuple(
            SuiteEntry(env_id, CHANNELS, 100 if env_id in SANDBOXED else 200)
            for env_id in FAMILY_IDS
        ),
        "Every family in the verbal, unary and ranked channels: 200 seeds each, 100 for code.",
    )
)
register_suite(
    Suite(
        "smoke",
        1,
        _entries(10, [(env_id, {}) for env_id in FAMILY_IDS]),
        "Every family in the verbal, unary and ranked channels, 10 seeds each.",
    )
)
