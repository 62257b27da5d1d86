"""Fidelity knobs over any family's simulated user: noise, bias, delay, ladder, patience, persona.

``gymnasium.make("fbgym/Math-v0", user={"noise": 0.2, "dropout": 0.1})`` or a preset name
(``user="alpacafarm"``, see :mod:`fbgym.simulators.presets`) wraps the family's simulator in
a :class:`FidelityUser`. Every random choice draws on the episode's ``rng``, so an episode
stays a pure function of (env kwargs, seed, actions). What a knob did is recorded on the
judge's side, in ``Feedback.notes`` (``wrong_hint``, ``flipped``, ``sycophantic``,
``anchored``, ``dropped``, ``delayed``, ``pending``, ``level``, ``persona``, ``ended``,
``annotator``), which agents never see; text and structured fields agree.

>>> from fbgym.simulators.fidelity import UserConfig
>>> UserConfig.from_spec({"noise": 0.2, "patience": 3}).noise
0.2
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fbgym.core.protocols import Simulator
from fbgym.core.types import Channel, Feedback, FeedbackKind, FeedbackPart, Outcome, Problem, Turn
from fbgym.errors import ConfigError
from fbgym.simulators.annotators import Annotator, AnnotatorPool, Item
from fbgym.simulators.base import format_ranking, rank_attempts
from fbgym.simulators.hints import GENERIC, hints_for
from fbgym.simulators.paraphrase import Paraphrases

LEVELS = ("unary", "hindsight", "future", "ground_truth", "edit")
"""The informativeness ladder, least to most: a bare "try again"; what was wrong; plus what
to do next (the family critic in full); plus near-complete ground truth; plus an in-place
edit of the faulty part."""

PERSONAS = ("formal", "friendly", "blunt")

_HINDSIGHT = {FeedbackKind.HINDSIGHT_POSITIVE, FeedbackKind.HINDSIGHT_NEGATIVE}

PERSONA_BANK = Paraphrases(
    {
        "formal:fail": ["Thank you for your answer.", "I have looked at your attempt."],
        "formal:pass": ["Thank you; this is in order.", "I have checked your answer."],
        "friendly:fail": ["Nice try!", "Good effort, nearly there!"],
        "friendly:pass": ["Great job!", "Wonderful!"],
        "blunt:fail": ["No.", "Wrong."],
        "blunt:pass": ["Right.", "Fine."],
        "unary": ["Let's try again."],
        "bye": ["I have to stop here.", "Let's leave it there.", "I'm out of time for this."],
        "about": ["About attempt {turn}: {text}", "(On attempt {turn}) {text}"],
    }
)


@dataclass(frozen=True)
class UserConfig:
    """How faithful a simulated user is. The defaults leave the family's user unchanged."""

    noise: float = 0.0
    """Probability of a wrong hint on a failed attempt (verbal: the family's wrong hint;
    ranked: the newest attempt and the one before trade places, a label flip; scalar: a
    random score). Unary feedback carries no hint and is unaffected."""
    sycophancy: float = 0.0
    """Probability of praising a failed attempt instead of critiquing it (verbal, unary)."""
    anchoring: float = 0.0
    """Probability of judging by the first attempt: verbal repeats the critique of attempt 1;
    ranked puts attempt 1 first."""
    verbosity: float = 0.0
    """Length bias of ranked judgments: utility gained per 100 words of an attempt (needs
    the attempt text; see :meth:`FidelityUser.respond`)."""
    delay: int = 0
    """Feedback arrives this many turns late (about an earlier attempt); success is said at once."""
    dropout: float = 0.0
    """Probability of no feedback at all after a failed attempt."""
    informativeness: str | None = None
    """A rung of :data:`LEVELS` for verbal feedback; ``None`` keeps the family critic as is."""
    patience: int | None = None
    """The user ends the conversation after this many failed attempts."""
    persona: str | None = None
    """Paraphrase style of the user (:data:`PERSONAS`); ``None`` is the family's own."""
    annotators: int = 0
    """Ranked: a pool of this many annotators with Plackett–Luce noise (0: exact ranking)."""
    rationality: float = 10.0
    """Ranked: the annotators' inverse temperature over utility differences."""
    annotator_bias: float = 0.0
    """Ranked: spread (standard deviation) of per-annotator length and position biases."""
    annotator_seed: int = 0
    """Ranked: which pool of annotators (the pool depends only on its settings and this)."""

    def __post_init__(self) -> None:
        for name in ("noise", "sycophancy", "anchoring", "dropout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise ConfigError(f"user {name} must be a probability in [0, 1], got {value!r}")
        if not isinstance(self.delay, int) or self.delay < 0:
            raise ConfigError(
                f"user delay must be a whole number of turns >= 0, got {self.delay!r}"
            )
        if self.patience is not None and (not isinstance(self.patience, int) or self.patience < 1):
            raise ConfigError(
                f"user patience must be None or an integer >= 1, got {self.patience!r}"
            )
        if self.informativeness is not None and self.informativeness not in LEVELS:
            raise ConfigError(
                f"user informativeness must be one of {LEVELS} or None, "
                f"got {self.informativeness!r}"
            )
        if self.persona is not None and self.persona not in PERSONAS:
            raise ConfigError(
                f"user persona must be one of {PERSONAS} or None, got {self.persona!r}"
            )
        if not isinstance(self.annotators, int) or self.annotators < 0:
            raise ConfigError(f"user annotators must be an integer >= 0, got {self.annotators!r}")
        if not isinstance(self.rationality, (int, float)) or not self.rationality > 0:
            raise ConfigError(f"user rationality must be > 0, got {self.rationality!r}")
        for name in ("verbosity", "annotator_bias"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ConfigError(f"user {name} must be a finite number, got {value!r}")
        if self.annotator_bias < 0:
            raise ConfigError(f"user annotator_bias must be >= 0, got {self.annotator_bias!r}")

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> UserConfig:
        """A config from knobs; ``"preset"`` names a built-in preset the knobs then override."""
        spec = dict(spec)
        base = cls()
        preset = spec.pop("preset", None)
        if preset is not None:
            from fbgym.simulators.presets import PRESETS

            if preset not in PRESETS:
                raise ConfigError(
                    f"unknown user preset {preset!r}; expected one of {sorted(PRESETS)}"
                )
            base = PRESETS[preset]
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = [k for k in spec if k not in names]
        if unknown:
            hints = {k: difflib.get_close_matches(str(k), names, n=1) for k in unknown}
            said = ", ".join(
                f"{k!r}" + (f" (did you mean {hints[k][0]!r}?)" if hints[k] else "")
                for k in unknown
            )
            raise ConfigError(f"unknown user knob(s) {said}; the knobs are {names} and 'preset'")
        return dataclasses.replace(base, **spec)


class FidelityUser:
    """A simulated user seen through :class:`UserConfig`'s knobs; any family, any channel."""

    wants_action = True
    """Asks the env to pass the attempt's text to :meth:`respond` (for the length bias)."""

    def __init__(self, inner: Simulator, config: UserConfig):
        self.inner = inner
        self.config = config
        self.channel: Channel = inner.channel
        self.pool: AnnotatorPool | None = None
        if config.annotators:
            self.pool = AnnotatorPool.sample(
                config.annotators,
                rationality=config.rationality,
                length_bias=config.verbosity,
                bias_sd=config.annotator_bias,
                seed=config.annotator_seed,
            )

    def respond(
        self,
        problem: Problem,
        history: Sequence[Turn],
        outcome: Outcome,
        rng: random.Random,
        action: str | None = None,
    ) -> Feedback:
        """The inner user's feedback, then each knob in turn: content, ranking, timing, style.

        ``action`` (the attempt's text) feeds the length bias of ranked judgments; without
        it, length plays no part.
        """
        fb = self.inner.respond(problem, history, outcome, rng)
        if not outcome.graded:
            return fb
        c = self.config
        failed = not outcome.success
        if failed and self.channel is Channel.VERBAL:
            fb = self._verbal(problem, history, outcome, rng, fb)
        if failed and self.channel in (Channel.VERBAL, Channel.UNARY) and c.sycophancy:
            if rng.random() < c.sycophancy:
                text = GENERIC.say("praise", rng)
                part = FeedbackPart(FeedbackKind.HINDSIGHT_POSITIVE, text)
                fb = Feedback(self.channel, text, parts=(part,), notes={"sycophantic": True})
        if self.channel is Channel.RANKED and fb.ranking is not None:
            fb = self._ranked(history, outcome, rng, action, fb)
        if failed and self.channel is Channel.SCALAR and c.noise and rng.random() < c.noise:
            value = round(rng.random(), 3)
            fb = _replace(
                fb,
                text=fb.text.replace(f"{fb.value:.3f}", f"{value:.3f}"),
                value=value,
                notes={**fb.notes, "wrong_hint": True},
            )
        if c.delay and failed:
            fb = self._delayed(history, fb)
        if failed and c.dropout and rng.random() < c.dropout:
            kept = {k: fb.notes[k] for k in ("pending",) if k in fb.notes}
            fb = Feedback(self.channel, "", notes={**kept, "dropped": True})
        if c.persona and fb.text:
            key = f"{c.persona}:{'fail' if failed else 'pass'}"
            text = f"{PERSONA_BANK.say(key, rng)} {fb.text}"
            fb = _replace(fb, text=text, notes={**fb.notes, "persona": c.persona})
        if failed and c.patience is not None:
            misses = 1 + sum(1 for t in history if t.outcome.graded and not t.outcome.success)
            if misses >= c.patience:
                text = f"{fb.text} {PERSONA_BANK.say('bye', rng)}".strip()
                fb = _replace(fb, text=text, end=True, notes={**fb.notes, "ended": "patience"})
        return fb

    def _verbal(
        self,
        problem: Problem,
        history: Sequence[Turn],
        outcome: Outcome,
        rng: random.Random,
        fb: Feedback,
    ) -> Feedback:
        c = self.config
        hints = hints_for(problem.family)
        if outcome.valid and c.noise and rng.random() < c.noise:
            fb = hints.wrong(problem, history, outcome, fb, rng) or fb
        if c.anchoring and outcome.valid and history and rng.random() < c.anchoring:
            first = next((t for t in history if t.outcome.graded), None)
            if first is not None and not first.outcome.success:
                anchor = self.inner.respond(problem, (), first.outcome, rng)
                fb = _replace(anchor, notes={**anchor.notes, "anchored": True})
        level = c.informativeness
        if level is None or level == "future":
            return fb if level is None else _replace(fb, notes={**fb.notes, "level": level})
        notes = {**fb.notes, "level": level}
        if level == "unary":
            return Feedback(self.channel, PERSONA_BANK.first("unary"), notes=notes)
        if level == "hindsight":
            parts = tuple(p for p in fb.parts if p.kind in _HINDSIGHT)
            meta = {k: v for k, v in fb.meta.items() if k not in hints.future_keys}
            return Feedback(
                self.channel, " ".join(p.text for p in parts), parts=parts, meta=meta, notes=notes
            )
        extra = hints.correction(problem, history, outcome, level, rng) if outcome.valid else None
        if extra is None:
            return _replace(fb, notes=notes)
        part, more = extra
        parts = (*fb.parts, part)
        return Feedback(
            self.channel,
            " ".join(p.text for p in parts),
            parts=parts,
            meta={**fb.meta, **more},
            notes=notes,
        )

    def _ranked(
        self,
        history: Sequence[Turn],
        outcome: Outcome,
        rng: random.Random,
        action: str | None,
        fb: Feedback,
    ) -> Feedback:
        c = self.config
        if not (c.annotators or c.verbosity or c.anchoring or c.noise):
            return fb
        current = len(history) + 1
        items = [
            Item(t.index, float(t.outcome.utility), len(t.action.split()))
            for t in history
            if t.outcome.graded
        ]
        items.append(
            Item(current, float(outcome.utility), None if action is None else len(action.split()))
        )
        if getattr(self.inner, "pairwise", False):
            items = items[-2:]
        notes = dict(fb.notes)
        if self.pool is not None:
            judgment = self.pool.rank(items, rng)
            groups = [list(g) for g in judgment.ranking]
            notes["annotator"] = judgment.annotator
        else:
            seen = Annotator(length_bias=c.verbosity).perceived(items)
            groups = [list(g) for g in rank_attempts([(it.key, u) for it, u in zip(items, seen)])]
        if c.anchoring and len(items) > 1 and items[0].key == 1 and rng.random() < c.anchoring:
            groups = [[1]] + [[k for k in g if k != 1] for g in groups]
            groups = [g for g in groups if g]
            notes["anchored"] = True
        if c.noise and len(items) > 1 and rng.random() < c.noise:
            groups = _flip(groups, items[-2].key, current, rng)
            notes["flipped"] = True
        ranking = tuple(tuple(g) for g in groups)
        text = fb.text.replace(format_ranking(fb.ranking or ()), format_ranking(ranking))
        return _replace(fb, text=text, ranking=ranking, notes=notes)

    def _delayed(self, history: Sequence[Turn], fb: Feedback) -> Feedback:
        turn = len(history) + 1
        pending = fb.to_dict()
        about = turn - self.config.delay
        old = history[about - 1].feedback.notes.get("pending") if about >= 1 else None
        if old is None:
            return Feedback(self.channel, "", notes={"delayed": True, "pending": pending})
        late = Feedback.from_dict(old)
        text = PERSONA_BANK.first("about", turn=about, text=late.text) if late.text else ""
        return _replace(
            late,
            text=text,
            meta={**late.meta, "about_turn": about} if text else {},
            notes={**late.notes, "pending": pending},
        )


def _flip(
    groups: list[list[Any]], previous: Any, current: Any, rng: random.Random
) -> list[list[Any]]:
    """Reverse the order of ``previous`` and ``current``; a tie between them is broken wrongly."""
    where = {k: i for i, g in enumerate(groups) for k in g}
    gp, gc = where[previous], where[current]
    if gp != gc:
        groups = [list(g) for g in groups]
        groups[gp][groups[gp].index(previous)] = current
        groups[gc][groups[gc].index(current)] = previous
        return [sorted(g) for g in groups]
    rest = [k for k in groups[gp] if k not in (previous, current)]
    pair = [[previous], [current]] if rng.random() < 0.5 else [[current], [previous]]
    return groups[:gp] + pair + ([rest] if rest else []) + groups[gp + 1 :]


def _replace(fb: Feedback, **changes: Any) -> Feedback:
    return dataclasses.replace(fb, **changes)


def apply_user(simulator: Simulator, spec: str | Mapping[str, Any] | UserConfig) -> Simulator:
    """``simulator`` as the user ``spec`` describes: a registered name, knobs, or a config.

    >>> from fbgym.simulators.base import Critic, SimulatedUser
    >>> user = apply_user(SimulatedUser(Critic(), "verbal"), {"noise": 0.1})
    >>> user.config.noise, user.channel.value
    (0.1, 'verbal')
    """
    if isinstance(spec, UserConfig):
        return FidelityUser(simulator, spec)
    if isinstance(spec, str):
        from fbgym.simulators.presets import get_user

        return get_user(spec)(simulator)
    if isinstance(spec, Mapping):
        return FidelityUser(simulator, UserConfig.from_spec(spec))
    raise ConfigError(
        f"user must be a preset name, a dict of knobs or a UserConfig, got {type(spec).__name__}"
    )
