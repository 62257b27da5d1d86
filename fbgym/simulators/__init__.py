"""Simulated users and critics: family critics seen through verbal, unary or ranked channels."""

from fbgym.simulators.base import Critic, Critique, SimulatedUser, format_ranking, rank_attempts
from fbgym.simulators.paraphrase import Paraphrases

__all__ = ["Critic", "Critique", "Paraphrases", "SimulatedUser", "format_ranking", "rank_attempts"]
