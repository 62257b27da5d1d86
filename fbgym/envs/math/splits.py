"""Which split a generated problem belongs to: decided by its content, so splits never share one.

A problem's canonical form is its worked solution's arithmetic (every step's expression),
which leaves out names and wording: two statements that differ only in who buys the pens are
one problem. The canonical form is hashed into a split; a generator asked for a problem of
``test`` draws until it makes one whose hash says ``test``. Train and test are disjoint by
construction, for every dataset seed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from fbgym.envs.math.program import Step
from fbgym.errors import ConfigError

SPLITS = ("train", "test")
"""The splits of generated Math-v1 problems; each holds half of all problems."""


def check_split(split: str) -> None:
    """Refuse a split Math-v1 does not have, naming the ones it has."""
    if split not in SPLITS:
        raise ConfigError(f"Math-v1 splits are {list(SPLITS)}, got {split!r}")


def canonical_form(steps: Sequence[Step]) -> str:
    """The problem's arithmetic, one step expression per line, spaces normalised."""
    return "\n".join(" ".join(s.expr.split()) for s in steps)


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16, person=b"fbgym-math").digest()


def split_of(steps: Sequence[Step]) -> str:
    """The split the problem with these steps belongs to."""
    return SPLITS[_digest(canonical_form(steps))[0] % len(SPLITS)]


def problem_key(steps: Sequence[Step]) -> str:
    """An opaque name for the problem: a hash of its canonical form (says nothing of it)."""
    return _digest(canonical_form(steps))[1:9].hex()
