"""The environment registry: fbgym's ids, their families and channels, and plugin loading."""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

import gymnasium as gym

from fbgym.core.types import Channel
from fbgym.errors import PluginLoadError, RegistrationError, UnknownIdError

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
    """fbgym's environments: one table; duplicates rejected; unknown ids get suggestions."""

    def __init__(self) -> None:
        self._envs: dict[str, EnvInfo] = {}
        self._plugin_errors: list[PluginError] = []
        self._loaded_plugins: set[str] = set()
        self._source = "user"

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
        """Register ``id`` with fbgym and with gymnasium, so ``gymnasium.make(id)`` finds it.

        ``entry_point`` is ``"module:Class"`` or a callable returning an env; the env must accept
        a ``feedback=`` keyword naming one of ``channels``.

        >>> import fbgym
        >>> fbgym.register("fbgym/Math-v0", "x:Y", family="math")
        Traceback (most recent call last):
        ...
        fbgym.errors.RegistrationError: 'fbgym/Math-v0' is already registered (by fbgym); ...
        """
        if not _ID_PATTERN.match(id):
            raise RegistrationError(
                f"invalid env id {id!r}: expected 'Namespace/Name-vN', e.g. 'mylab/Riddles-v0'"
            )
        if id in self._envs:
            raise RegistrationError(
                f"{id!r} is already registered (by {self._envs[id].source}); "
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
        self._envs[id] = info
        return info

    def get(self, id: str) -> EnvInfo:
        """The registered :class:`EnvInfo` for ``id``; unknown ids get near-miss suggestions."""
        try:
            return self._envs[id]
        except KeyError:
            close = difflib.get_close_matches(id, list(self._envs), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise UnknownIdError(
                f"no fbgym environment {id!r}{hint} (`fbgym envs` lists them)"
            ) from None

    def envs(self, family: str | None = None) -> list[EnvInfo]:
        """Registered environments, sorted by id, optionally of one family."""
        return sorted(
            (e for e in self._envs.values() if family is None or e.family == family),
            key=lambda e: e.id,
        )

    def registered_at_runtime(self) -> list[EnvInfo]:
        """Ids registered by calling :meth:`register`, neither built in nor from a plugin.

        A worker process started afresh registers these again (see :meth:`adopt`).
        """
        return [e for e in self._envs.values() if e.source == "user"]

    def adopt(self, infos: Iterable[EnvInfo]) -> None:
        """Register ``infos`` (from another process's :meth:`registered_at_runtime`) if absent."""
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

    def unregister(self, id: str) -> None:
        """Remove ``id`` (used by tests and by plugins that replace their own ids)."""
        self.get(id)
        del self._envs[id]
        gym.registry.pop(id, None)

    def load_plugins(self, *, strict: bool = False) -> list[PluginError]:
        """Load every ``fbgym.envs`` entry point not loaded yet.

        An entry point names a module (importing it registers its envs) or a callable (called
        with no arguments). A plugin that fails is reported by name — a :class:`PluginWarning`,
        and :attr:`plugin_errors` — or raised as :class:`PluginLoadError` when ``strict``.
        """
        errors: list[PluginError] = []
        for ep in entry_points(group=PLUGIN_GROUP):
            key = f"{ep.name}={ep.value}"
            if key in self._loaded_plugins:
                continue
            self._loaded_plugins.add(key)
            self._source = f"plugin:{ep.name}"
            try:
                loaded = ep.load()
                if callable(loaded):
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

    def _builtin(self) -> _BuiltinScope:
        return _BuiltinScope(self)


class _BuiltinScope:
    """Marks registrations made inside it as fbgym's own."""

    def __init__(self, registry: Registry):
        self.registry = registry

    def __enter__(self) -> None:
        self.registry._source = "fbgym"

    def __exit__(self, *exc: object) -> None:
        self.registry._source = "user"


registry = Registry()
register = registry.register


def make(id: str, **kwargs: Any) -> gym.Env:
    """``gymnasium.make`` for an fbgym id, with a suggestion when the id is unknown.

    >>> import fbgym
    >>> env = fbgym.make("fbgym/Math-v0", feedback="unary")
    >>> env.unwrapped.channel
    'unary'
    """
    registry.get(id)
    return gym.make(id, **kwargs)
