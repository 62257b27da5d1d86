"""Paraphrase banks: several wordings per message, one chosen per use by a seeded generator."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from fbgym.errors import ConfigError


class Paraphrases:
    """Named message templates, each with interchangeable wordings.

    >>> bank = Paraphrases({"high": ["{x} is too high.", "{x} overshoots."]})
    >>> bank.say("high", random.Random(0), x=7) in {"7 is too high.", "7 overshoots."}
    True
    """

    def __init__(self, templates: Mapping[str, Sequence[str]]):
        empty = [key for key, options in templates.items() if not options]
        if empty:
            raise ConfigError(f"paraphrase keys without any wording: {empty}")
        self.templates = {key: tuple(options) for key, options in templates.items()}

    def say(self, key: str, rng: random.Random, **fields: object) -> str:
        """One wording of message ``key``, chosen by ``rng``, with ``fields`` filled in."""
        try:
            options = self.templates[key]
        except KeyError:
            raise ConfigError(f"no paraphrases for message {key!r}") from None
        return options[rng.randrange(len(options))].format(**fields)

    def first(self, key: str, **fields: object) -> str:
        """The canonical (first) wording of ``key``, for a persona that never paraphrases."""
        return self.templates[key][0].format(**fields)
