"""The benchmark runner: suites, episodes, run records and metrics."""

from fbgym.runner.episode import EpisodeSpec, play_episode
from fbgym.runner.evaluate import evaluate
from fbgym.runner.metrics import bootstrap_ci, success_at_k, summarize
from fbgym.runner.records import RunDir
from fbgym.runner.suites import Suite, SuiteEntry, all_suites, get_suite, register_suite

__all__ = [
    "EpisodeSpec",
    "RunDir",
    "Suite",
    "SuiteEntry",
    "bootstrap_ci",
    "evaluate",
    "all_suites",
    "get_suite",
    "play_episode",
    "register_suite",
    "success_at_k",
    "summarize",
]
