"""Named simulated users: the built-in presets and the extension point that registers new ones.

A registered user is a factory that takes the family's simulator (the ground-truth critic
in the env's channel) and returns the user the env talks to. The built-in presets register
through the same point. Register your own with :func:`register_user`; then
``gymnasium.make("fbgym/Math-v0", user="<name>")`` plays against it:

>>> import random
>>> from fbgym.core.types import Feedback
>>> class Terse:
...     '''Says only the first sentence of what the family's user would say.'''
...     def __init__(self, inner):
...         self.inner, self.channel = inner, inner.channel
...     def respond(self, problem, history, outcome, rng):
...         fb = self.inner.respond(problem, history, outcome, rng)
...         parts = fb.parts[:1]
...         text = parts[0].text if parts else fb.text
...         return Feedback(fb.channel, text, parts=parts, ranking=fb.ranking,
...                         value=fb.value, end=fb.end, meta=fb.meta)
>>> _ = register_user("terse-doc", Terse, description="the first sentence only")
>>> import gymnasium as gym, fbgym
>>> env = gym.make("fbgym/Math-v0", user="terse-doc")
>>> _ = env.reset(seed=0)
>>> type(env.unwrapped.simulator).__name__
'Terse'

``examples/custom_user.py`` is a longer example.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from fbgym.catalog import Catalog
from fbgym.core.protocols import Simulator
from fbgym.errors import RegistrationError
from fbgym.simulators.fidelity import FidelityUser, UserConfig

UserFactory = Callable[[Simulator], Simulator]
"""Builds a simulated user over the family's simulator (its critic in the env's channel)."""

PRESETS: dict[str, UserConfig] = {
    "ideal": UserConfig(),
    "noisy": UserConfig(noise=0.2),
    "unreliable": UserConfig(noise=0.4),
    "alpacafarm": UserConfig(noise=0.25, annotators=13, rationality=20.0, annotator_bias=0.05),
    "sycophant": UserConfig(sycophancy=0.5, persona="friendly"),
    "anchored": UserConfig(anchoring=0.5),
    "distracted": UserConfig(dropout=0.3, delay=1),
    "impatient": UserConfig(patience=3, persona="blunt"),
    "terse": UserConfig(informativeness="hindsight", persona="blunt"),
    "tutor": UserConfig(informativeness="edit", persona="friendly"),
    "oracle": UserConfig(informativeness="ground_truth", persona="formal"),
}
"""Knob settings with names; ``user={"preset": name, ...}`` starts from one and overrides."""

_DESCRIPTIONS = {
    "ideal": "the family's ground-truth critic, always right",
    "noisy": "a wrong hint (or ranking flip) on 20% of failed attempts",
    "unreliable": "a wrong hint (or ranking flip) on 40% of failed attempts",
    "alpacafarm": "a pool of 13 biased annotators with Plackett-Luce noise and 25% label flips",
    "sycophant": "praises half of the failed attempts instead of critiquing them",
    "anchored": "judges by the first attempt half of the time",
    "distracted": "feedback one turn late, and none at all on 30% of turns",
    "impatient": "blunt, and ends the conversation after three failed attempts",
    "terse": "blunt, and says only what was wrong (hindsight)",
    "tutor": "friendly, and rewrites the faulty step in place",
    "oracle": "formal, and gives near-complete ground truth",
}


@dataclass(frozen=True)
class UserInfo:
    """A registered simulated user."""

    name: str
    factory: UserFactory
    description: str = ""


_USERS: Catalog[UserInfo] = Catalog("simulated user", hint="`fbgym.simulators.users()` lists them")


def register_user(name: str, factory: UserFactory, *, description: str = "") -> UserInfo:
    """Register ``factory`` as the simulated user ``name`` (duplicates are rejected).

    ``factory(simulator)`` receives the family's simulator — it has ``channel`` and
    ``respond(problem, history, outcome, rng)`` — and returns the user the env talks to:
    a wrapper around it (as the presets are), or a new simulator of the same channel.
    """
    if not callable(factory):
        raise RegistrationError(f"the factory of user {name!r} must be callable, got {factory!r}")
    return _USERS.add(name, UserInfo(name, factory, description))


def get_user(name: str) -> UserFactory:
    """The factory registered as ``name``; unknown names get near-miss suggestions."""
    return _USERS.get(name).factory


def users() -> list[UserInfo]:
    """Every registered simulated user, sorted by name."""
    return [info for _, info in _USERS.items()]


for _name, _config in PRESETS.items():
    register_user(_name, partial(FidelityUser, config=_config), description=_DESCRIPTIONS[_name])
