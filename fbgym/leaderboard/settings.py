"""Which env settings a run may be ranked under, and which runs the board ranks together.

A suite fixes the kwargs of its envs, so a run that names a suite must have used exactly those.
A run without a suite may set only the kwargs of :data:`FREE_KWARGS`: every other kwarg reads
files (``data_path``, ...), or changes the problems and their difficulty, the turn or time
budget (``max_turns``, ``wall_s``), the simulated user, or what the agent is shown
(``privileged``) — settings a run cannot be allowed to pick for itself, and ones whose replay
cost nobody has bounded. Both checks read ``meta.json`` only, before any env is made.

The board ranks runs per :class:`Setting` — the suite, or for runs without one the env id and
its kwargs — and never puts two settings in one row. A setting's labels (``privileged``,
``unverified``) are part of it: labelled runs are ranked apart from unlabelled ones. What makes
a setting and its labels is decided here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fbgym.errors import SubmissionRejected
from fbgym.leaderboard.checks import canonical
from fbgym.runner.suites import Suite

FREE_KWARGS: dict[str, tuple[Any, ...]] = {"pairwise": (False, True)}
"""The env kwargs a run without a suite may set, with the values each may take.

``pairwise`` chooses the form of the ranked channel (all attempts so far, or the last two);
it is a kwarg like any other on the board, so the two forms are ranked apart.
"""

EXPOSURE_KWARGS: dict[str, tuple[Any, ...]] = {"privileged": (True,)}
"""Kwargs that change what the agent is shown, not the problems, the budget or the user: any
run may set them, and the board ranks it under a label instead (``privileged``)."""

PRIVILEGED = "privileged"
"""The label of runs whose envs showed the agent privileged structure (``privileged=True``)."""
UNVERIFIED = "unverified"
"""The label of runs with episodes that could not be replayed (a model-backed critic's)."""
IN_PROCESS = "in-process"
"""The label of runs whose agent played in the judge's own process (a debugging mode)."""
SEALED = "sealed"
"""The label of runs the board itself played on problems from a secret seed."""

NO_SUITE = "(no suite)"

_WHY = {
    "privileged": "it shows the agent privileged structure",
    "max_turns": "it changes the turn budget",
    "wall_s": "it changes the time limit",
    "user": "it changes the simulated user",
}


def _why(name: str) -> str:
    if name.endswith("_path"):
        return "it reads a file"
    return _WHY.get(
        name, "it changes the problems, their difficulty, the budget or the simulated user"
    )


def _free() -> str:
    return ", ".join(
        f"{name} ({' or '.join(map(repr, values))})" for name, values in FREE_KWARGS.items()
    )


def played_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` less the exposure kwargs a label stands for (see :data:`EXPOSURE_KWARGS`).

    Raises ``env-kwargs`` for an exposure kwarg with a value it may not take.
    """
    for name, values in EXPOSURE_KWARGS.items():
        if name in kwargs and not any(
            type(kwargs[name]) is type(v) and kwargs[name] == v for v in values
        ):
            raise SubmissionRejected(
                "env-kwargs",
                f"{name!r}={kwargs[name]!r} is not a value a run may record; "
                f"it may be {' or '.join(map(repr, values))}, or left out",
            )
    return {k: v for k, v in kwargs.items() if k not in EXPOSURE_KWARGS}


def _check_free(env_id: str, kwargs: dict[str, Any]) -> None:
    for name, value in sorted(played_kwargs(kwargs).items()):
        values = FREE_KWARGS.get(name, ())
        if not any(type(value) is type(v) and value == v for v in values):
            why = _why(name) if name not in FREE_KWARGS else "that value is not one it may take"
            raise SubmissionRejected(
                "env-kwargs",
                f"{env_id} was played with {name!r}={value!r}, which a run without a suite may "
                f"not set: {why}. Without a suite only {_free()} may be set; to be ranked "
                "under other settings, play a suite that fixes them",
            )


def check_env_kwargs(meta: dict[str, Any], suite: Suite | None) -> None:
    """That each env of the run has its suite's kwargs, or, in a run without one, free ones.

    A sealed run (played by the board itself) also holds its secret dataset seed, revealed.
    """
    sealed = meta.get("evaluation") == "sealed"
    if sealed and suite is None:
        raise SubmissionRejected("env-kwargs", "a sealed run must play a suite")
    for env_id, env in sorted(meta["envs"].items()):
        kwargs = dict(env["kwargs"])
        if sealed and kwargs.pop("seed", None) != meta.get("sealed_seed"):
            raise SubmissionRejected(
                "env-kwargs", f"{env_id} of a sealed run was not played on its sealed seed"
            )
        if suite is None:
            _check_free(env_id, kwargs)
            continue
        allowed = [played_kwargs(e.kwargs) for e in suite.entries if e.env_id == env_id]
        if not allowed:
            played = sorted({entry.env_id for entry in suite.entries})
            raise SubmissionRejected(
                "env-kwargs", f"suite {suite.label} does not play {env_id}; it plays {played}"
            )
        if canonical(played_kwargs(kwargs)) not in {canonical(k) for k in allowed}:
            raise SubmissionRejected(
                "env-kwargs",
                f"{env_id} was played with kwargs {env['kwargs']!r}, but suite {suite.label} "
                f"plays it with {allowed[0]!r}: a suite run is ranked only under the suite's "
                "own settings",
            )


@dataclass(frozen=True)
class Setting:
    """What a ranked row was played under: a suite, or an env id and its kwargs; and labels."""

    suite: str | None
    env_id: str | None = None
    kwargs: str = ""
    """The kwargs as text, ``k=v`` by name; empty for a suite, whose kwargs its name fixes."""
    labels: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """``smoke@1``, ``fbgym/Math-v0 {pairwise=True}``, then ``[label]`` for each label."""
        base = self.suite or f"{self.env_id}{f' {{{self.kwargs}}}' if self.kwargs else ''}"
        return base + "".join(f" [{label}]" for label in self.labels)


def suite_label(manifest: dict[str, Any]) -> str | None:
    """The ``name@version`` of the manifest's suite, or ``None``."""
    suite = manifest["suite"]
    return None if suite is None else f"{suite['name']}@{suite['version']}"


def labels(manifest: dict[str, Any]) -> tuple[str, ...]:
    """The labels of a stored submission's setting.

    ``privileged`` when an env of the run was made with ``privileged=True`` in its recorded
    kwargs: the label follows what the envs showed, not what the agent declares.
    ``unverified`` when some of its episodes could not be replayed: their scores are the
    submitter's word, so they are not ranked against replayed ones. ``in-process`` when the
    agent shared the judge's process. ``sealed`` when the board played the run itself on
    problems nobody could know in advance.
    """
    envs = manifest["envs"].values()
    found = (
        (SEALED, manifest["evaluation"] == "sealed"),
        (PRIVILEGED, any(bool(env["kwargs"].get("privileged")) for env in envs)),
        (UNVERIFIED, manifest["status"] == "unverified"),
        (IN_PROCESS, manifest["agent_process"] == "in-process"),
    )
    return tuple(label for label, on in found if on)


def setting(manifest: dict[str, Any], env_id: str) -> Setting:
    """The setting the episodes of ``env_id`` in a stored submission were played under."""
    suite = suite_label(manifest)
    if suite is not None:
        return Setting(suite, labels=labels(manifest))
    kwargs = played_kwargs(manifest["envs"][env_id]["kwargs"])
    text = ",".join(f"{name}={kwargs[name]!r}" for name in sorted(kwargs))
    return Setting(None, env_id, text, labels(manifest))
