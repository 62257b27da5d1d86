"""Executors: play streams of episodes serially, in a process pool, or on Ray.

A *stream* is a run of consecutive seeds of one env and channel, played in order by one agent
that starts the stream fresh (``agent.new_stream()`` when it has one) and may carry memory
from episode to episode within it — the unit over which teachability is measured. Every
executor plays the same streams the same way, so results do not depend on the executor.
The envs (the judge) run in the executor's processes; the agent plays in a player process
of its own (:mod:`fbgym.runner.player`) and sees only its channel's view.
"""

from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
import os
import pickle
import signal
import sys
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from fbgym.errors import ConfigError
from fbgym.runner.episode import EpisodeRun, EpisodeSpec, end_episode, play_episode
from fbgym.runner.player import LocalPlayer, Players, ProcessPlayer, hide_judge_memory
from fbgym.runner.records import encode_record

Player = LocalPlayer | ProcessPlayer


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


class Played(NamedTuple):
    """A finished episode as executors hand it back.

    The record less its transcript, and the whole record as its ``episodes.jsonl`` line,
    encoded where the episode was played so that the process writing the run does little.
    """

    summary: dict[str, Any]
    line: str


def played(name: str, record: dict[str, Any]) -> Played:
    """``record``, stamped with the agent's name, as :class:`Played`."""
    record["agent"] = name
    summary = {k: v for k, v in record.items() if k != "transcript"}
    return Played(summary, encode_record(record))


def iter_stream(
    player: Player,
    name: str,
    stream: Stream,
    skip: frozenset[str],
    step_timeout: float | None,
) -> Iterator[Played]:
    """Play a stream from a fresh start, yielding each episode as it ends.

    Episodes in ``skip`` are played (the agent may learn from them) but not yielded, so a
    resumed stream reproduces the uninterrupted one. An agent that fails to start the stream
    fails each of its episodes.
    """
    env = stream.specs[0].make_env()
    try:
        try:
            player.new_stream()
        except Exception as exc:
            records = [_failed(spec, env, stream, exc) for spec in stream.specs]
        else:
            records = (
                play_episode(player, spec, env, step_timeout=step_timeout, stream=stream.index)
                for spec in stream.specs
            )
        for position, (spec, record) in enumerate(zip(stream.specs, records)):
            if spec.key not in skip:
                yield played(name, {**record, "stream": stream.index, "position": position})
    finally:
        env.close()


def _failed(spec: EpisodeSpec, env: Any, stream: Stream, exc: BaseException) -> dict[str, Any]:
    run = EpisodeRun(spec, env, stream.index)
    run.fail(exc)
    return run.record()


def play_stream(
    player: Player, name: str, stream: Stream, skip: frozenset[str], step_timeout: float | None
) -> list[Played]:
    """:func:`iter_stream`, as a list."""
    return list(iter_stream(player, name, stream, skip, step_timeout))


class Executor(Protocol):
    """Plays streams and yields the finished episodes in batches."""

    name: str

    def run(
        self,
        players: Players,
        streams: Sequence[Stream],
        skip: frozenset[str],
        step_timeout: float | None,
    ) -> Iterator[list[Played]]:
        """Yield finished episodes, a batch at a time, in any order."""
        ...


class SerialExecutor:
    """One stream after another, judged in this process."""

    name = "serial"

    def run(self, players, streams, skip, step_timeout):  # noqa: D102 (see Executor)
        player = players.open()
        try:
            for stream in streams:
                for episode in iter_stream(player, players.name, stream, skip, step_timeout):
                    yield [episode]
        finally:
            player.close()


_WORKER: tuple[str, Player] | None = None


def _init_worker(players_bytes: bytes, envs: bytes) -> None:
    global _WORKER
    _die_with_parent()
    hide_judge_memory()
    _adopt(envs)
    players: Players = pickle.loads(players_bytes)
    _WORKER = (players.name, players.open(here=False))


def _worker_stream(stream: Stream, skip: frozenset[str], step_timeout: float | None):
    if _WORKER is None:
        raise RuntimeError("worker process started without a player")
    return play_stream(_WORKER[1], _WORKER[0], stream, skip, step_timeout)


class ProcessExecutor:
    """Streams spread over a pool of judge processes, each with a player of its own."""

    name = "process"

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        if self.workers < 1:
            raise ConfigError(f"workers must be at least 1, got {workers}")

    def run(self, players, streams, skip, step_timeout):  # noqa: D102 (see Executor)
        pool = ProcessPoolExecutor(
            self.workers,
            mp_context=_context(),
            initializer=_init_worker,
            initargs=(_pickle_players(players), _pickle_runtime_envs()),
        )
        finished = False
        try:
            futures = [pool.submit(_worker_stream, s, skip, step_timeout) for s in streams]
            for future in as_completed(futures):
                yield future.result()
            finished = True
        finally:
            if not finished:  # interrupted (Ctrl-C) or failed: stop now, not after every stream
                _terminate(pool)
            pool.shutdown(wait=True, cancel_futures=True)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """End ``pool``'s workers at once; the streams they were playing are dropped unsaved."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


def _context() -> multiprocessing.context.BaseContext:
    """How worker processes start: ``fork`` where it is safe, else ``forkserver``.

    ``fork`` is fast and workers see the caller's classes, but a library whose threads do not
    survive a fork — torch deadlocks in forked workers — makes it unsafe once loaded.
    """
    if "torch" in sys.modules or sys.platform != "linux":
        return multiprocessing.get_context("forkserver" if sys.platform == "linux" else "spawn")
    return multiprocessing.get_context("fork")


class RayExecutor:
    """Streams as Ray tasks: on this machine, or on a cluster given its ``address``."""

    name = "ray"

    def __init__(self, workers: int | None = None, address: str | None = None):
        self.workers = workers
        self.address = address

    def run(self, players, streams, skip, step_timeout):  # noqa: D102 (see Executor)
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
        players_ref = ray.put(_pickle_players(players))
        envs_ref = ray.put(_pickle_runtime_envs())
        remote = ray.remote(_ray_stream)
        pending = [remote.remote(players_ref, envs_ref, s, skip, step_timeout) for s in streams]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])


_RAY_PLAYERS: dict[str, tuple[str, Player]] = {}
"""Players kept by a Ray worker process across its tasks, by the digest of the agent."""


def _ray_stream(players_bytes: bytes, envs: bytes, stream: Stream, skip: frozenset[str], timeout):
    _adopt(envs)
    hide_judge_memory()
    digest = hashlib.sha256(players_bytes).hexdigest()
    if digest not in _RAY_PLAYERS:
        players: Players = pickle.loads(players_bytes)
        _RAY_PLAYERS[digest] = (players.name, players.open(here=False))
    name, player = _RAY_PLAYERS[digest]
    return play_stream(player, name, stream, skip, timeout)


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this worker when its parent dies, even by SIGKILL.

    A killed run then leaves no orphaned workers behind.
    """
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # without it, workers still end when the pool's pipes close


def _pickle_runtime_envs() -> bytes:
    """The ids registered at runtime in this process, for workers that start afresh."""
    from fbgym.registration import registry

    try:
        return pickle.dumps(registry.registered_at_runtime())
    except Exception as exc:
        raise ConfigError(
            f"an env registered at runtime cannot be sent to worker processes ({exc}); "
            "register it with a 'module:Class' string entry point, or use executor='serial'"
        ) from exc


def _adopt(envs: bytes) -> None:
    from fbgym.registration import registry

    registry.load_plugins()  # fbgym's own families and the plugins', as `import fbgym` does
    registry.adopt(pickle.loads(envs))


def _pickle_players(players: Players) -> bytes:
    return pickle.dumps(players)


class BatchedExecutor:
    """Streams played side by side, judged in this process, one ``act_batch`` call per step.

    Up to ``batch_size`` episodes — one from each of as many streams — are in flight; each
    step asks the agent for all their actions at once, so a language model generates them in
    one batch. For agents that keep no memory across episodes (their results then equal the
    serial executor's): the streams share one agent. If a batch call raises, each episode of
    the batch is asked alone, so only the episode whose action fails is failed.
    """

    name = "batched"

    def __init__(self, batch_size: int = 16):
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        self.batch_size = batch_size
        self.workers = 1

    def run(self, players, streams, skip, step_timeout):  # noqa: D102 (see Executor)
        if not players.batches:
            raise ConfigError(
                f"agent {players.name!r} does not batch (no act_batch of its own); "
                "use the serial or process executor"
            )
        player = players.open()
        try:
            yield from self._play(player, players.name, streams, skip, step_timeout)
        finally:
            player.close()

    def _play(self, player, name, streams, skip, step_timeout):
        try:
            player.new_stream()
        except Exception:  # the agent cannot start (a dead served agent): play stream by
            # stream, which fails the episodes of each stream it cannot start, not the run
            for stream in streams:
                for episode in iter_stream(player, name, stream, skip, step_timeout):
                    yield [episode]
            return
        waiting = deque(streams)
        lanes: list[_Lane] = []
        while waiting or lanes:
            while waiting and len(lanes) < self.batch_size:
                lanes.append(_Lane(waiting.popleft(), player))
            runs = [lane.run for lane in lanes]
            infos = [run.agent_info for run in runs]
            try:
                actions = player.act_batch([r.obs for r in runs], infos, step_timeout)
                if len(actions) != len(runs):
                    raise ConfigError(f"act_batch returned {len(actions)} actions for {len(runs)}")
            except Exception:
                actions = [
                    _act_alone(player, run, info, step_timeout) for run, info in zip(runs, infos)
                ]
            for run, action in zip(runs, actions):
                if not run.done:
                    run.step(action)
            finished = []
            for lane in lanes:
                if lane.run.done:
                    record = lane.finish()
                    if record["key"] not in skip:
                        finished.append(played(name, record))
            lanes = [lane for lane in lanes if not lane.closed]
            if finished:
                yield finished


class _Lane:
    """One stream in the batched executor: its env and the episode in flight."""

    def __init__(self, stream: Stream, player: Player):
        self.stream = stream
        self.player = player
        self.env = stream.specs[0].make_env()
        self.position = 0
        self.closed = False
        self.run = EpisodeRun(stream.specs[0], self.env, stream.index)

    def finish(self) -> dict[str, Any]:
        """The finished episode's record; starts the next episode, or closes the lane."""
        end_episode(self.player, self.run)
        record = {**self.run.record(), "stream": self.stream.index, "position": self.position}
        self.position += 1
        if self.position < len(self.stream.specs):
            self.run = EpisodeRun(self.stream.specs[self.position], self.env, self.stream.index)
        else:
            self.env.close()
            self.closed = True
        return record


def _act_alone(player: Player, run: EpisodeRun, info: dict[str, Any], timeout: float | None):
    try:
        return player.act_batch([run.obs], [info], timeout)[0]
    except Exception as exc:  # this episode's failure only
        run.fail(exc)
        return None


def get_executor(
    executor: str | Executor, workers: int | None = None, batch_size: int = 16
) -> Executor:
    """An executor by name (``serial``, ``process``, ``ray``, ``batched``) or the one given."""
    if not isinstance(executor, str):
        return executor
    if executor == "batched":
        return BatchedExecutor(batch_size)
    if executor == "serial":
        return SerialExecutor()
    if executor == "process":
        return ProcessExecutor(workers)
    if executor == "ray":
        return RayExecutor(workers)
    raise ConfigError(f"unknown executor {executor!r}; choose serial, process, ray or batched")
