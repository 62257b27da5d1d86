"""The contracts: Feedback, Outcome, Problem, Turn, Task, Simulator, FeedbackEnv and Family."""

from fbgym.core.env import FeedbackEnv
from fbgym.core.family import Family, SuiteEntry
from fbgym.core.protocols import Simulator, Task
from fbgym.core.seeding import derive_seed, make_random, make_rng
from fbgym.core.text import WideText, action_problem, clean_text
from fbgym.core.types import Channel, Feedback, FeedbackKind, FeedbackPart, Outcome, Problem, Turn

__all__ = [
    "Channel",
    "Feedback",
    "FeedbackEnv",
    "FeedbackKind",
    "FeedbackPart",
    "Family",
    "Outcome",
    "Problem",
    "Simulator",
    "SuiteEntry",
    "Task",
    "Turn",
    "WideText",
    "action_problem",
    "clean_text",
    "derive_seed",
    "make_random",
    "make_rng",
]
