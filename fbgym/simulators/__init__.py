"""Simulated users and critics: family critics through a channel, fidelity knobs, annotators.

Model-backed critics live in :mod:`fbgym.simulators.model_critic` (imported on demand).
"""

from fbgym.simulators.annotators import Annotator, AnnotatorPool, Item, Judgment
from fbgym.simulators.base import Critic, Critique, SimulatedUser, format_ranking, rank_attempts
from fbgym.simulators.fidelity import LEVELS, PERSONAS, FidelityUser, UserConfig, apply_user
from fbgym.simulators.hints import HintModel, hints_for
from fbgym.simulators.paraphrase import Paraphrases
from fbgym.simulators.presets import PRESETS, get_user, register_user, users

__all__ = [
    "LEVELS",
    "PERSONAS",
    "PRESETS",
    "Annotator",
    "AnnotatorPool",
    "Critic",
    "Critique",
    "FidelityUser",
    "HintModel",
    "Item",
    "Judgment",
    "Paraphrases",
    "SimulatedUser",
    "UserConfig",
    "apply_user",
    "format_ranking",
    "get_user",
    "hints_for",
    "rank_attempts",
    "register_user",
    "users",
]
