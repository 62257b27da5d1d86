"""Executors: play streams of episodes serially, in a process pool, or on Ray.

A *stream* is a run of consecutive seeds of one env and channel, played in order by one agent
that starts the stream fresh (``agent.new_stream()`` when it has one) and may carry memory
from episode to episode within it — the unit over which teachability is measured. Every
executor plays the same streams the same way, so results do not depend on the executor.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from fbgym.agents.base import Agent
from fbgym.errors import ConfigError
from fbgym.runner.episode import EpisodeSpec, play_episode


@dataclass(frozen=True)
class Stream:
    """Episodes one agent plays in order; ``index`` numbers the stream within the run."""

    index: int
    specs: tuple[EpisodeSpec, ...]


def make_streams(specs: Sequence[EpisodeSpec], length: int) -> list[Stream]:
    """Cut ``specs`` into streams of at most ``length`` consecutive episodes of one env."""
    if length < 1:
        raise ConfigError(f"stream length must be at least 1, got {length}")
    streams: list[list[EpisodeSpec]] = []
    for spec in specs:
        last = streams[-1] if streams else None
        if last and last[-1].env_key == spec.env_key and len(last) < length:
            last.append(spec)
        else:
            streams.append([spec])
    return [Stream(i, tuple(s)) for i, s in enumerate(streams)]


def iter_stream(
    agent: Agent, stream: Stream, skip: frozenset[str], step_timeout: float | None
) -> Iterator[dict[str, Any]]:
    """Play a stream from a fresh start, yielding each episode's record.

    Episodes in ``skip`` are played (the agent may learn from them) but not yielded, so a
    resumed stream reproduces the uninterrupted one.
    """
    if hasattr(agent, "new_stream"):
        agent.new_stream()
    env = stream.specs[0].make_env(privileged=bool(getattr(agent, "privileged", False)))
    try:
        for position, spec in enumerate(stream.specs):
            record = play_episode(agent, spec, env, step_timeout=step_timeout)
            if spec.key not in skip:
                yield {**record, "stream": stream.index, "position": position}
    finally:
        env.close()


def play_stream(
    agent: Agent, stream: Stream, skip: frozenset[str], step_timeout: float | None
) -> list[dict[str, Any]]:
    """:func:`iter_stream`, as a list."""
    return list(iter_stream(agent, stream, skip, step_timeout))


class Executor(Protocol):
    """Plays streams and yields the episode records as streams finish."""

    name: str

    def run(
        self,
        agent: Agent,
        streams: Sequence[Stream],
        skip: frozenset[str],
        step_timeout: float | None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield each stream's records (in any order)."""
        ...


class SerialExecutor:
    """One stream after another in this process."""

    name = "serial"

    def run(self, agent, streams, skip, step_timeout):  # noqa: D102 (see Executor)
        for stream in streams:
            for record in iter_stream(agent, stream, skip, step_timeout):
                yield [record]


_WORKER_AGENT: Agent | None = None


def _init_worker(agent_bytes: bytes) -> None:
    global _WORKER_AGENT
    _WORKER_AGENT = pickle.loads(agent_bytes)
    import fbgym  # noqa: F401  (registers built-in and plugin ids in the worker)


def _worker_stream(stream: Stream, skip: frozenset[str], step_timeout: float | None):
    if _WORKER_AGENT is None:
        raise RuntimeError("worker process started without an agent")
    return play_stream(_WORKER_AGENT, stream, skip, step_timeout)


class ProcessExecutor:
    """Streams spread over a pool of worker processes, each with its own copy of the agent."""

    name = "process"

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        if self.workers < 1:
            raise ConfigError(f"workers must be at least 1, got {workers}")

    def run(self, agent, streams, skip, step_timeout):  # noqa: D102 (see Executor)
        payload = _pickle_agent(agent)
        with ProcessPoolExecutor(
            self.workers, initializer=_init_worker, initargs=(payload,)
        ) as pool:
            pending = {pool.submit(_worker_stream, s, skip, step_timeout) for s in streams}
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield future.result()


class RayExecutor:
    """Streams as Ray tasks: on this machine, or on a cluster given its ``address``."""

    name = "ray"

    def __init__(self, workers: int | None = None, address: str | None = None):
        self.workers = workers
        self.address = address

    def run(self, agent, streams, skip, step_timeout):  # noqa: D102 (see Executor)
        try:
            import ray
        except ImportError as exc:
            raise ConfigError("the ray executor needs Ray: pip install 'fbgym[ray]'") from exc
        if not ray.is_initialized():
            ray.init(
                address=self.address,
                num_cpus=self.workers if self.address is None else None,
                include_dashboard=False,
                log_to_driver=False,
                ignore_reinit_error=True,
            )
        agent_ref = ray.put(_pickle_agent(agent))
        remote = ray.remote(_ray_stream)
        pending = [remote.remote(agent_ref, s, skip, step_timeout) for s in streams]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])


def _ray_stream(agent_bytes: bytes, stream: Stream, skip: frozenset[str], step_timeout):
    import fbgym  # noqa: F401  (registers the ids in the Ray worker)

    return play_stream(pickle.loads(agent_bytes), stream, skip, step_timeout)


def _pickle_agent(agent: Agent) -> bytes:
    try:
        return pickle.dumps(agent)
    except Exception as exc:
        raise ConfigError(
            f"agent {getattr(agent, 'name', agent)!r} cannot be pickled for worker processes "
            f"({exc}); use executor='serial'"
        ) from exc


def get_executor(executor: str | Executor, workers: int | None = None) -> Executor:
    """An executor by name (``serial``, ``process``, ``ray``) or the one given."""
    if not isinstance(executor, str):
        return executor
    if executor == "serial":
        return SerialExecutor()
    if executor == "process":
        return ProcessExecutor(workers)
    if executor == "ray":
        return RayExecutor(workers)
    raise ConfigError(f"unknown executor {executor!r}; choose serial, process or ray")


def flatten(batches: Iterable[list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """Records from an executor's stream batches, one by one."""
    for batch in batches:
        yield from batch
