"""The errors fbgym raises: one base class and a few precise subclasses."""

from __future__ import annotations


class FbgymError(Exception):
    """Base class of every error fbgym raises on purpose."""


class RegistrationError(FbgymError):
    """An environment or simulated user could not be registered (e.g. a duplicate id)."""


class UnknownIdError(FbgymError, KeyError):
    """A lookup named an id that is not registered; the message suggests the nearest ones."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class PluginLoadError(FbgymError):
    """A third-party plugin declared under an fbgym entry-point group failed to load."""


class DataFormatError(FbgymError, ValueError):
    """A data file is not in the format its loader expects; the message names file and line."""


class ConfigError(FbgymError, ValueError):
    """A configuration value is out of range or of the wrong type."""


class RunDirError(FbgymError):
    """A run directory cannot be written: another process holds it, or it is read-only or full.

    What it already holds is intact, and evaluating into it again resumes from there.
    """


REJECTION_REASONS = {
    "malformed": "a file is not valid JSON or JSON Lines",
    "too-large": "a file is over the size limit",
    "schema": "a field is missing or of the wrong type",
    "unsafe-name": "a submitter or agent name could be used as a path, or is the store's own",
    "inconsistent": "the run's records contradict each other or the reported totals",
    "unknown-env": "an env id or version that is not registered",
    "unknown-suite": "a suite name or version that is not defined",
    "env-kwargs": "env kwargs other than the suite's, or, without a suite, not on the allow-list",
    "missing-episodes": "episodes of the suite are missing, repeated or extra",
    "agent-errors": "most episodes ended because the agent raised",
    "too-costly": "replaying the run could take longer than the leaderboard allows",
    "replay-mismatch": "re-playing the recorded actions gives other outcomes or feedback",
    "duplicate": "the same run is already on the leaderboard",
    "sealed": "a run claims a sealed evaluation the board did not play",
}


class SubmissionRejected(FbgymError):
    """A submission the leaderboard refuses; ``code`` is one of :data:`REJECTION_REASONS`.

    >>> str(SubmissionRejected("duplicate", "already stored as results/ann/x"))
    'duplicate: already stored as results/ann/x'
    """

    def __init__(self, code: str, reason: str):
        if code not in REJECTION_REASONS:
            raise ValueError(
                f"unknown rejection code {code!r}; expected one of {sorted(REJECTION_REASONS)}"
            )
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
