"""The registry: fbgym's families and env ids, and the ``fbgym.envs`` entry points that add them.

Built-in families and plugins take the same path: an ``fbgym.envs`` entry point names a
:class:`~fbgym.core.family.Family` (registered), or a callable (called), or a module
(imported). ``fbgym.registry`` is the one :class:`Registry` instance.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import gymnasium as gym

from fbgym.catalog import Catalog
from fbgym.core.family import BUILTIN_SUITES, Family
from fbgym.core.types import Channel
from fbgym.errors import PluginLoadError, RegistrationError

PLUGIN_GROUP = "fbgym.envs"
_ID_PATTERN = re.compile(r"^(?:[\w.-]+/)?[\w.:-]+-v\d+$")


class PluginWarning(UserWarning):
    """A plugin under the ``fbgym.envs`` entry-point group failed to load."""


@dataclass(frozen=True)
class EnvInfo:
    """What the registry knows of one environment id."""

    id: str
    family: str
    channels: tuple[str, ...]
    entry_point: str | Callable[..., gym.Env]
    description: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)
    source: str = "fbgym"
    """``fbgym`` for built-ins, else the entry-point name of the plugin, or ``user``."""


@dataclass(frozen=True)
class PluginError:
    """A plugin that failed to load, and why."""

    name: str
    value: str
    error: str


class Registry:
    """fbgym's families and environments: duplicates rejected, unknown names get suggestions."""

    def __init__(self) -> None:
        self._envs: Catalog[EnvInfo] = Catalog("fbgym environment", hint="`fbgym envs` lists them")
        self.families: Catalog[Family] = Catalog("family", hint="`fbgym envs` lists them")
        self._plugin_errors: list[PluginError] = []
        self._loaded_plugins: set[str] = set()
        self._source = "user"

    def register_family(self, family: Family) -> Family:
        """Register ``family`` and each env id of its ``versions``.

        >>> from fbgym.core.family import BUILTIN_SUITES, Family
        >>> registry.register_family(Family("math", "x:Y", {"x/Y-v0": {}}))
        Traceback (most recent call last):
        ...
        fbgym.errors.RegistrationError: family 'math' is already registered (by fbgym); ...
        """
        taken = [id for id in family.versions if id in self._envs or id in gym.registry]
        if taken:
            raise RegistrationError(
                f"family {family.name!r}: {taken} already registered; choose other ids or "
                "bump the version"
            )
        reserved = sorted(set(family.suites) & set(BUILTIN_SUITES))
        if reserved and self._source != "fbgym":
            raise RegistrationError(
                f"family {family.name!r}: the suite(s) {reserved} are fbgym's own (their "
                "episodes must be the same wherever they run); name a suite of your own, "
                f"e.g. {family.name!r}"
            )
        self.families.add(family.name, family, source=self._source)
        first = next(iter(family.descriptions.values()), "")
        for env_id, kwargs in family.versions.items():
            self._add(
                env_id,
                family.env,
                family=family.name,
                channels=family.channels,
                description=family.descriptions.get(env_id, first),
                kwargs=kwargs,
            )
        return family

    def register(
        self,
        id: str,
        entry_point: str | Callable[..., gym.Env],
        *,
        family: str,
        channels: Iterable[str | Channel] = ("verbal", "unary", "ranked"),
        description: str = "",
        kwargs: dict[str, Any] | None = None,
    ) -> EnvInfo:
        """Register one env ``id`` of ``family``, so ``gymnasium.make(id)`` finds it.

        ``entry_point`` is ``"module:Class"`` or a callable returning an env; the env must
        accept a ``feedback=`` keyword naming one of ``channels``. A family not declared with
        :meth:`register_family` gets a bare declaration (no baseline, prompt or metrics).

        >>> import fbgym
        >>> fbgym.register("fbgym/Math-v0", "x:Y", family="math")
        Traceback (most recent call last):
        ...
        fbgym.errors.RegistrationError: 'fbgym/Math-v0' is already registered (by fbgym); ...
        """
        info = self._add(
            id, entry_point, family=family, channels=channels, description=description,
            kwargs=kwargs,
        )  # fmt: skip
        declared = self.families.get(family) if family in self.families else None
        if declared is None:
            reference = entry_point if isinstance(entry_point, str) else _reference(entry_point)
            bare = Family(family, reference, {id: dict(kwargs or {})}, channels=info.channels)
            self.families.add(family, bare, source=self._source)
        elif id not in declared.versions:
            versions = {**declared.versions, id: dict(kwargs or {})}
            self.families.add(
                family,
                replace(declared, versions=versions),
                source=self.families.source(family),
                replace=True,
            )
        return info

    def _add(
        self,
        id: str,
        entry_point: str | Callable[..., gym.Env],
        *,
        family: str,
        channels: Iterable[str | Channel],
        description: str,
        kwargs: dict[str, Any] | None,
    ) -> EnvInfo:
        if not _ID_PATTERN.match(id):
            raise RegistrationError(
                f"invalid env id {id!r}: expected 'Namespace/Name-vN', e.g. 'mylab/Riddles-v0'"
            )
        if id in self._envs:
            raise RegistrationError(
                f"{id!r} is already registered (by {self._envs.get(id).source}); "
                "choose another name or bump the version"
            )
        if id in gym.registry:
            raise RegistrationError(
                f"{id!r} is already registered with gymnasium by another package"
            )
        parsed = tuple(Channel.parse(c).value for c in channels)
        if not parsed:
            raise RegistrationError(f"{id!r} must support at least one feedback channel")
        info = EnvInfo(
            id, family, parsed, entry_point, description, dict(kwargs or {}), self._source
        )
        gym.register(id, entry_point=entry_point, kwargs=dict(kwargs or {}))
        self._envs.add(id, info, source=self._source)
        return info

    def get(self, id: str) -> EnvInfo:
        """The registered :class:`EnvInfo` for ``id``; unknown ids get near-miss suggestions."""
        return self._envs.get(id)

    def family(self, name: str) -> Family:
        """The declared :class:`~fbgym.core.family.Family` called ``name``."""
        return self.families.get(name)

    def family_of(self, id: str) -> Family:
        """The family of env ``id``."""
        return self.families.get(self.get(id).family)

    def declared(self, family: str, what: str) -> Any:
        """What ``family`` declares as ``what`` (e.g. ``"prompt"``), loaded, or ``None``.

        ``None`` when the family is unknown or declares none, so each tool falls back.

        >>> registry.declared("search", "prompt").feedback_label
        'The user'
        >>> registry.declared("math", "tools") is None
        True
        """
        return self.families.get(family).load(what) if family in self.families else None

    def envs(self, family: str | None = None) -> list[EnvInfo]:
        """Registered environments, sorted by id, optionally of one family.

        An unknown ``family`` is an :class:`~fbgym.errors.UnknownIdError` with suggestions.
        """
        if family is not None:
            self.families.get(family)
        return [e for _, e in self._envs.items() if family is None or e.family == family]

    def registered_at_runtime(self) -> tuple[list[Family], list[EnvInfo]]:
        """Families and env ids registered by a call in this process (not built in or plugins).

        A worker process started afresh registers them again (see :meth:`adopt`).
        """
        families = [f for n, f in self.families.items() if self.families.source(n) == "user"]
        return families, [e for _, e in self._envs.items() if e.source == "user"]

    def adopt(self, registered: tuple[list[Family], list[EnvInfo]]) -> None:
        """Register what another process's :meth:`registered_at_runtime` gave, if absent."""
        families, infos = registered
        for info in infos:
            if info.id not in self._envs:
                self.register(
                    info.id,
                    info.entry_point,
                    family=info.family,
                    channels=info.channels,
                    description=info.description,
                    kwargs=info.kwargs,
                )
        for family in families:
            self.families.add(family.name, family, replace=True)

    def unregister(self, id: str) -> None:
        """Remove ``id`` (used by tests and by plugins that replace their own ids)."""
        info = self._envs.remove(id)
        gym.registry.pop(id, None)
        family = self.families.get(info.family)
        versions = {k: v for k, v in family.versions.items() if k != id}
        if versions:
            source = self.families.source(info.family)
            self.families.add(
                info.family, replace(family, versions=versions), source=source, replace=True
            )
        else:
            self.families.remove(info.family)

    def load_plugins(self, *, strict: bool = False) -> list[PluginError]:
        """Load every ``fbgym.envs`` entry point not loaded yet, fbgym's own first.

        An entry point names a family declaration (registered), a callable (called with no
        arguments) or a module (importing it registers its envs). A plugin that fails is
        reported by name — a :class:`PluginWarning`, and :attr:`plugin_errors` — or raised
        as :class:`PluginLoadError` when ``strict``.
        """
        errors: list[PluginError] = []
        for ep in sorted(entry_points(group=PLUGIN_GROUP), key=_builtin_first):
            key = f"{ep.name}={ep.value}"
            if key in self._loaded_plugins:
                continue
            self._loaded_plugins.add(key)
            self._source = "fbgym" if _dist(ep) == "fbgym" else f"plugin:{ep.name}"
            try:
                loaded = ep.load()
                if isinstance(loaded, Family):
                    self.register_family(loaded)
                elif callable(loaded):
                    loaded()
            except Exception as exc:  # a broken plugin must not take fbgym down with it
                error = PluginError(ep.name, ep.value, f"{type(exc).__name__}: {exc}")
                errors.append(error)
                if strict:
                    raise PluginLoadError(
                        f"fbgym plugin {ep.name!r} ({ep.value}) failed to load: {error.error}"
                    ) from exc
                warnings.warn(
                    f"fbgym plugin {ep.name!r} ({ep.value}) failed to load: {error.error}",
                    PluginWarning,
                    stacklevel=2,
                )
            finally:
                self._source = "user"
        self._plugin_errors.extend(errors)
        return errors

    @property
    def plugin_errors(self) -> tuple[PluginError, ...]:
        """Every plugin that failed to load in this process."""
        return tuple(self._plugin_errors)


def _dist(ep: EntryPoint) -> str:
    return ep.dist.name if ep.dist is not None else ""


def _builtin_first(ep: EntryPoint) -> tuple[bool, str]:
    return (_dist(ep) != "fbgym", ep.name)


def _reference(entry_point: Callable[..., Any]) -> str:
    return f"{entry_point.__module__}:{entry_point.__qualname__}"


registry = Registry()
register = registry.register
register_family = registry.register_family


def make(id: str, **kwargs: Any) -> gym.Env:
    """``gymnasium.make`` for an fbgym id, with a suggestion when the id is unknown.

    >>> import fbgym
    >>> env = fbgym.make("fbgym/Math-v0", feedback="unary")
    >>> env.unwrapped.channel
    'unary'
    """
    registry.get(id)
    return gym.make(id, **kwargs)


__all__ = [
    "EnvInfo",
    "PluginError",
    "PluginWarning",
    "Registry",
    "make",
    "register",
    "register_family",
    "registry",
]
