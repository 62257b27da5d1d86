"""fbgym: a gym for learning from feedback."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import fbgym.envs  # noqa: E402,F401  (registers the built-in ids)
from fbgym.core import (
    Channel,
    Feedback,
    FeedbackEnv,
    FeedbackKind,
    FeedbackPart,
    Outcome,
    Problem,
    Turn,
)
from fbgym.errors import FbgymError
from fbgym.registry import make, register, registry
from fbgym.version import __version__

registry.load_plugins()

if TYPE_CHECKING:
    import pandas as pd


def evaluate(*args: Any, **kwargs: Any) -> pd.DataFrame:
    """Play agents over environments; see :func:`fbgym.runner.evaluate`."""
    from fbgym.runner import evaluate as _evaluate

    return _evaluate(*args, **kwargs)


def list_envs(family: str | None = None) -> list:
    """Registered environments (:class:`fbgym.registry.EnvInfo`), optionally of one family."""
    return registry.envs(family)


__all__ = [
    "Channel",
    "Feedback",
    "FeedbackEnv",
    "FeedbackKind",
    "FeedbackPart",
    "FbgymError",
    "Outcome",
    "Problem",
    "Turn",
    "__version__",
    "evaluate",
    "list_envs",
    "make",
    "register",
    "registry",
]
