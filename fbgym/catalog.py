"""Catalog: the one table type for names → things (envs, families, users, suites, agents).

A duplicate name is a :class:`~fbgym.errors.RegistrationError` naming who holds it, and an
unknown name an :class:`~fbgym.errors.UnknownIdError` that suggests the nearest names.

>>> colours = Catalog("colour", hint="see `paint`")
>>> _ = colours.add("red", "#f00")
>>> colours.get("rde")
Traceback (most recent call last):
...
fbgym.errors.UnknownIdError: no colour 'rde'; did you mean 'red'? known: red (see `paint`)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Generic, TypeVar

from fbgym.errors import RegistrationError, UnknownIdError

T = TypeVar("T")
_LISTED = 12
"""Up to this many names, an unknown name's message lists them all, near misses or not."""


class Catalog(Generic[T]):
    """Named things of one ``kind``, with the source that added each (``fbgym``, a plugin)."""

    def __init__(self, kind: str, *, hint: str = ""):
        self.kind = kind
        self.hint = hint
        self._items: dict[str, T] = {}
        self._sources: dict[str, str] = {}

    def add(self, name: str, item: T, *, source: str = "user", replace: bool = False) -> T:
        """Add ``item`` as ``name``; an existing name is an error unless ``replace``."""
        if not isinstance(name, str) or not name:
            raise RegistrationError(f"a {self.kind} needs a non-empty name, got {name!r}")
        if name in self._items and not replace:
            raise RegistrationError(
                f"{self.kind} {name!r} is already registered (by {self._sources[name]}); "
                "choose another name"
            )
        self._items[name] = item
        self._sources[name] = source
        return item

    def get(self, name: str) -> T:
        """The thing called ``name``; an unknown name gets the nearest registered ones."""
        try:
            return self._items[name]
        except (KeyError, TypeError):
            raise UnknownIdError(self.unknown(name)) from None

    def unknown(self, name: object) -> str:
        """The message for an unknown ``name``: what it is, near misses, where to look."""
        close = difflib.get_close_matches(str(name), list(self._items), n=3, cutoff=0.5)
        said = f"no {self.kind} {name!r}"
        if close:
            said += f"; did you mean {', '.join(map(repr, close))}?"
        if self._items and (not close or len(self._items) <= _LISTED):
            said += f"{';' if not close else ''} known: {', '.join(sorted(self._items))}"
        return f"{said} ({self.hint})" if self.hint else said

    def source(self, name: str) -> str:
        """Who registered ``name``."""
        self.get(name)
        return self._sources[name]

    def remove(self, name: str) -> T:
        """Take ``name`` out (tests and plugins that replace their own entries)."""
        item = self.get(name)
        del self._items[name], self._sources[name]
        return item

    def names(self) -> list[str]:
        """Every name, sorted."""
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> list[tuple[str, T]]:
        """``(name, thing)`` pairs, sorted by name."""
        return [(name, self._items[name]) for name in self.names()]
