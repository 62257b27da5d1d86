"""The leaderboard: submission schema, replay verification, results store, tables, plots, site.

Submodules are imported on use so that ``fbgym`` and its CLI stay light:

- :mod:`~fbgym.leaderboard.schema` — the versioned JSON Schemas of a submission.
- :mod:`~fbgym.leaderboard.loading` — reading a run directory or a pytest-benchmark JSON.
- :mod:`~fbgym.leaderboard.checks` — names, episode keys, suite completeness, reported totals.
- :mod:`~fbgym.leaderboard.settings` — the env kwargs a run may use, and the settings (with
  their labels) the board ranks apart.
- :mod:`~fbgym.leaderboard.limits` — what a submission may cost to replay and how often its
  agent may have crashed.
- :mod:`~fbgym.leaderboard.replay` — re-playing every recorded action through its env.
- :mod:`~fbgym.leaderboard.submit` — the submission pipeline: load, check, bound, replay, store.
- :mod:`~fbgym.leaderboard.store` and :mod:`~fbgym.leaderboard.index` — files under
  ``results/`` (the source of truth) and the SQLite index rebuilt from them.
- :mod:`~fbgym.leaderboard.tables`, :mod:`~fbgym.leaderboard.plots`,
  :mod:`~fbgym.leaderboard.site` — computing, plotting and publishing the rankings.
"""

from __future__ import annotations

from typing import Any

from fbgym.errors import SubmissionRejected

__all__ = ["ResultsStore", "SubmissionRejected", "submit"]


def __getattr__(name: str) -> Any:
    if name == "submit":
        from fbgym.leaderboard.submit import submit

        return submit
    if name == "ResultsStore":
        from fbgym.leaderboard.store import ResultsStore

        return ResultsStore
    raise AttributeError(f"module 'fbgym.leaderboard' has no attribute {name!r}")
