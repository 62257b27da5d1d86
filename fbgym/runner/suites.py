"""Named, versioned suites: which env ids, channels, kwargs and seeds an evaluation plays.

fbgym's own suites (``default``, ``hard``, ``smoke``) are assembled from the entries its
families declare (``Family.suites``); a plugin family's suites are its own names
(``"riddles"`` or ``"riddles@2"``); :func:`register_suite` adds one by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fbgym.catalog import Catalog
from fbgym.core.family import BUILTIN_SUITES, CHANNELS, SuiteEntry
from fbgym.errors import RegistrationError, UnknownIdError
from fbgym.registration import registry
from fbgym.runner.episode import EpisodeSpec

__all__ = [
    "CHANNELS",
    "Suite",
    "SuiteEntry",
    "all_suites",
    "get_suite",
    "register_suite",
    "unregister_suite",
]


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


_REGISTERED: Catalog[Suite] = Catalog("suite", hint="`fbgym suites` lists them")
_NAMED = re.compile(r"^(?P<name>[\w.-]+?)(?:@(?P<version>\d+))?$")


def register_suite(suite: Suite) -> Suite:
    """Add a suite by hand; its name must be new."""
    if suite.name in _declared():
        raise RegistrationError(f"suite {suite.name!r} is already declared by a family")
    return _REGISTERED.add(suite.name, suite)


def unregister_suite(name: str) -> Suite:
    """Take out a suite added by :func:`register_suite`."""
    return _REGISTERED.remove(name)


def all_suites() -> dict[str, Suite]:
    """Every suite by name: fbgym's, the families' own, and those registered by hand."""
    return dict(sorted({**_declared(), **dict(_REGISTERED.items())}.items()))


def _declared() -> dict[str, Suite]:
    entries: dict[str, list[SuiteEntry]] = {}
    versions: dict[str, int] = {}
    for _, family in registry.families.items():
        for key, declared in family.suites.items():
            match = _NAMED.match(key)
            name = match["name"] if match else key
            versions[name] = max(versions.get(name, 1), int(match and match["version"] or 1))
            entries.setdefault(name, []).extend(declared)
    suites = {}
    for name, found in entries.items():
        version, description = BUILTIN_SUITES.get(name, (versions[name], ""))
        if not description:
            families = sorted({registry.family_of(e.env_id).name for e in found})
            description = f"Declared by the {', '.join(families)} family."
        suites[name] = Suite(name, version, tuple(found), description)
    return suites


def get_suite(name: str) -> Suite:
    """The suite called ``name`` (``name@version`` also matches, if the version is current)."""
    suites = all_suites()
    match = _NAMED.match(name) if isinstance(name, str) else None
    if match and match["name"] in suites:
        suite = suites[match["name"]]
        if match["version"] is None or int(match["version"]) == suite.version:
            return suite
        raise UnknownIdError(
            f"suite {name!r} is not this fbgym's: it has {suite.label} (a suite's version "
            "changes when its episodes do)"
        )
    catalog: Catalog[Suite] = Catalog("suite", hint="`fbgym suites` lists them")
    for known, suite in suites.items():
        catalog.add(known, suite)
    return catalog.get(str(name))
