"""Text spaces with a wide charset, and the cleaning and checking of action text."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
from gymnasium.spaces import Space, Text

# Everything but C0/C1 control characters (tab, newline and carriage return allowed) and
# lone surrogates, which cannot be encoded as UTF-8 and so cannot be recorded.
_DISALLOWED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_RANGES = ((0x09, 0x0A), (0x0D, 0x0D), (0x20, 0x7E), (0xA0, 0xD7FF), (0xE000, 0x10FFFF))

_RANGE_STARTS = np.array([lo for lo, _ in _RANGES])
_RANGE_OFFSETS = np.cumsum([0] + [hi - lo + 1 for lo, hi in _RANGES])[:-1]
_RANGE_TOTAL = sum(hi - lo + 1 for lo, hi in _RANGES)

MAX_OBSERVATION_CHARS = 100_000
MAX_ACTION_CHARS = 20_000


@cache
def _charset() -> tuple[str, ...]:
    return tuple(chr(c) for lo, hi in _RANGES for c in range(lo, hi + 1))


@cache
def _charset_index() -> dict[str, np.int32]:
    return {ch: np.int32(i) for i, ch in enumerate(_charset())}


class WideText(Text):
    """A ``Text`` space over all of Unicode but control characters and lone surrogates.

    Gymnasium's ``Text`` builds its character tables eagerly, which for a charset this wide
    costs a fifth of a second per space; here they are built once per process, on first use,
    and membership is a regular-expression check.
    """

    def __init__(self, max_length: int, *, min_length: int = 0, seed: int | None = None):
        if not 0 <= min_length <= max_length:
            raise ValueError(f"need 0 <= min_length <= max_length, got {min_length}, {max_length}")
        self.min_length = int(min_length)
        self.max_length = int(max_length)
        Space.__init__(self, dtype=str, seed=seed)

    def sample(self, mask=None, probability=None) -> str:  # noqa: D102 (as Text.sample)
        if mask is not None or probability is not None:
            return super().sample(mask=mask, probability=probability)
        length = int(self.np_random.integers(self.min_length, self.max_length + 1))
        indices = self.np_random.integers(0, _RANGE_TOTAL, size=length)
        slot = np.searchsorted(_RANGE_OFFSETS, indices, side="right") - 1
        codes = _RANGE_STARTS[slot] + (indices - _RANGE_OFFSETS[slot])
        return "".join(map(chr, codes.tolist()))

    def contains(self, x: object) -> bool:
        """Whether ``x`` is a string of allowed length with no disallowed character."""
        return (
            isinstance(x, str)
            and self.min_length <= len(x) <= self.max_length
            and _DISALLOWED.search(x) is None
        )

    @property
    def character_set(self) -> frozenset[str]:
        """All allowed characters (built on first use)."""
        return frozenset(_charset())

    @property
    def character_list(self) -> tuple[str, ...]:
        """All allowed characters, in code-point order."""
        return _charset()

    def character_index(self, char: str) -> np.int32:
        """The index of ``char`` in :attr:`character_list`."""
        return _charset_index()[char]

    @property
    def characters(self) -> str:
        """All allowed characters as one string."""
        return "".join(_charset())

    def __repr__(self) -> str:
        return f"WideText({self.min_length}, {self.max_length})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, WideText)
            and self.min_length == other.min_length
            and self.max_length == other.max_length
        )

    def __hash__(self) -> int:
        return hash((WideText, self.min_length, self.max_length))


def clean_text(text: str, max_chars: int = MAX_OBSERVATION_CHARS) -> str:
    """``text`` with disallowed characters replaced by U+FFFD and cut to ``max_chars``."""
    text = _DISALLOWED.sub("\ufffd", text)
    if len(text) > max_chars:
        marker = f"\n[... {len(text) - max_chars + 40} characters cut]"
        text = text[: max_chars - len(marker)] + marker
    return text


def action_problem(action: object, max_chars: int = MAX_ACTION_CHARS) -> str | None:
    """Why ``action`` is not a usable text action, or ``None`` if it is.

    >>> action_problem("42") is None
    True
    >>> action_problem(42)
    'the action must be a string, got int'
    """
    if not isinstance(action, str):
        return f"the action must be a string, got {type(action).__name__}"
    if not action.strip():
        return "the action is empty"
    if len(action) > max_chars:
        return f"the action is {len(action):,} characters long; the limit is {max_chars:,}"
    bad = _DISALLOWED.search(action)
    if bad is not None:
        return (
            f"the action contains a control character or lone surrogate "
            f"(U+{ord(bad.group()):04X} at position {bad.start()})"
        )
    return None
