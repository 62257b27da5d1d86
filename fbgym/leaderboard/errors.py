"""Why a submission is turned away: one error with a machine-readable code and a precise reason."""

from __future__ import annotations

from fbgym.errors import FbgymError

REASONS = {
    "malformed": "a file is not valid JSON or JSON Lines",
    "too-large": "a file is over the size limit",
    "schema": "a field is missing or of the wrong type",
    "unsafe-name": "a submitter or agent name could be used as a path",
    "inconsistent": "the run's records contradict each other or the reported totals",
    "unknown-env": "an env id or version that is not registered",
    "unknown-suite": "a suite name or version that is not defined",
    "missing-episodes": "episodes of the suite are missing, repeated or extra",
    "replay-mismatch": "re-playing the recorded actions gives other outcomes or feedback",
    "duplicate": "the same run is already on the leaderboard",
}


class SubmissionRejected(FbgymError):
    """A submission the leaderboard refuses; ``code`` is one of :data:`REASONS`.

    >>> str(SubmissionRejected("duplicate", "already stored as results/ann/x"))
    'duplicate: already stored as results/ann/x'
    """

    def __init__(self, code: str, reason: str):
        if code not in REASONS:
            raise ValueError(f"unknown rejection code {code!r}; expected one of {sorted(REASONS)}")
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
