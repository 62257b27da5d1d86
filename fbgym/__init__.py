"""fbgym: a gym for learning from feedback."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from fbgym.core import (
    Channel,
    Family,
    Feedback,
    FeedbackEnv,
    FeedbackKind,
    FeedbackPart,
    Outcome,
    Problem,
    Turn,
)
from fbgym.errors import FbgymError
from fbgym.registration import make, register, register_family, registry
from fbgym.version import __version__

registry.load_plugins()  # fbgym's own families first, then plugins: one path for both

# Every version of an fbgym env stays as it was graded (a run of Math-v0 replays as Math-v0),
# so gymnasium's advice to upgrade an older one, printed on every make, is not fbgym's.
warnings.filterwarnings("ignore", r".*The environment fbgym/\S+ is out of date", DeprecationWarning)

if TYPE_CHECKING:
    import gymnasium as gym


def __getattr__(name: str) -> Any:
    """``fbgym.evaluate`` itself, imported on first use: ``import fbgym`` stays light."""
    if name == "evaluate":
        from fbgym.runner.evaluate import evaluate

        globals()["evaluate"] = evaluate
        return evaluate
    raise AttributeError(f"module 'fbgym' has no attribute {name!r}")


def make_vec(
    env_id: str,
    num_envs: int = 1,
    *,
    vectorization_mode: str = "sync",
    url: str | None = None,
    vector_kwargs: dict[str, Any] | None = None,
    **kwargs: Any,
) -> gym.vector.VectorEnv:
    """``num_envs`` copies of ``env_id`` (made with ``kwargs``) as one Gymnasium vector env.

    ``vectorization_mode`` is ``"sync"`` (one process) or ``"async"`` (a process per env;
    the text observations travel pickled, ``shared_memory=False``). With ``url`` each copy
    is the env served there (:func:`fbgym.remote.make`). Observations come batched per key
    (``obs["feedback"][i]``), and ``reset(seed=s)`` seeds copy ``i`` with ``s + i``.
    """
    import gymnasium as gym

    from fbgym.errors import ConfigError

    if num_envs < 1:
        raise ConfigError(f"num_envs must be at least 1, got {num_envs}")
    if vectorization_mode not in ("sync", "async"):
        raise ConfigError(
            f"vectorization_mode must be 'sync' or 'async', got {vectorization_mode!r}"
        )
    if url is None:
        registry.get(env_id)  # an unknown id fails here, with suggestions
        make_one = _Maker(gym.make, (env_id,), kwargs)
    else:
        from fbgym.remote import make as make_remote

        make_one = _Maker(make_remote, (url, env_id), kwargs)
    fns = [make_one] * num_envs
    options = dict(vector_kwargs or {})
    if vectorization_mode == "sync":
        return gym.vector.SyncVectorEnv(fns, **options)
    return gym.vector.AsyncVectorEnv(fns, **{"shared_memory": False, **options})


class _Maker:
    """A picklable ``lambda: make(*args, **kwargs)`` for vector envs' worker processes."""

    def __init__(self, make: Any, args: tuple[Any, ...], kwargs: dict[str, Any]):
        self.make, self.args, self.kwargs = make, args, kwargs

    def __call__(self) -> Any:
        return self.make(*self.args, **self.kwargs)


def list_envs(family: str | None = None) -> list:
    """Registered environments (:class:`fbgym.registration.EnvInfo`), optionally of one family."""
    return registry.envs(family)


__all__ = [
    "Channel",
    "Feedback",
    "FeedbackEnv",
    "FeedbackKind",
    "FeedbackPart",
    "Family",
    "FbgymError",
    "Outcome",
    "Problem",
    "Turn",
    "__version__",
    "evaluate",
    "list_envs",
    "make",
    "make_vec",
    "register",
    "register_family",
    "registry",
]
