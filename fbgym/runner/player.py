"""The player's side: an agent in a process of its own, reached only by plain-data messages.

The judge (env, grader, simulated user) never shares a process with the agent it scores. A
:class:`ProcessPlayer` starts a fresh Python interpreter, sends it the agent (packed
with cloudpickle) and then one JSON message per call: ``new_stream``, ``reset``, ``act``,
``act_batch``, ``end_episode``. Only the agent's view crosses: the observation texts and the
info of its channel (:func:`encode_view`), so the same messages could travel over a socket.

The player's process drops every capability and cannot gain new ones, and the judge's
process is made non-dumpable, so the agent cannot read the judge's memory through
``/proc`` or ``ptrace`` (:func:`probe_isolation` reports what held on this machine).
:class:`LocalPlayer` keeps the agent in the judge's process, for debugging; runs made with
it are marked ``in-process``.
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import select
import signal
import struct
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fbgym.agents.base import Agent, BaseAgent
from fbgym.core.types import Feedback
from fbgym.errors import ConfigError, FbgymError

_HEADER = struct.Struct(">I")
_PLAYER_MAIN = "import sys; from fbgym.runner.player import _serve; _serve(*map(int, sys.argv[1:]))"
_PR_SET_PDEATHSIG, _PR_GET_DUMPABLE, _PR_SET_DUMPABLE = 1, 3, 4
_PR_CAPBSET_DROP, _PR_SET_NO_NEW_PRIVS = 24, 38
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_BUILTIN_STAND_INS: dict[str, Any] = {
    "int": 0,
    "float": 0.0,
    "complex": 0j,
    "bool": False,
    "bytes": b"",
    "bytearray": bytearray(),
    "list": [],
    "tuple": (),
    "dict": {},
    "set": set(),
    "frozenset": frozenset(),
    "NoneType": None,
}


class AgentError(FbgymError):
    """The agent raised, hung or died; the episode it was playing fails, not the run."""


class AgentTimeout(AgentError):
    """The agent took longer than the per-step timeout to act."""


def stand_in(type_name: str) -> object:
    """An object of the type an agent returned instead of a string (or one named like it).

    A non-text action never reaches the grader: the env says it must be a string, naming the
    type, so a stand-in of the same type name plays exactly as the original did.
    """
    if type_name in _BUILTIN_STAND_INS:
        value = _BUILTIN_STAND_INS[type_name]
        return value.copy() if hasattr(value, "copy") else value
    return type(type_name, (), {})()


def encode_action(action: object) -> dict[str, Any]:
    """An agent's action as plain data: its text, or the type it had instead."""
    if isinstance(action, str):
        return {"text": action}
    return {"type": type(action).__name__}


def decode_action(data: dict[str, Any]) -> object:
    """The action :func:`encode_action` packed (a stand-in for a non-text one)."""
    return data["text"] if "text" in data else stand_in(str(data["type"]))


def encode_view(observation: dict[str, str], info: dict[str, Any]) -> dict[str, Any]:
    """The agent's view of one step as plain data (the typed feedback as a dict)."""
    feedback = info.get("feedback")
    return {
        "observation": dict(observation),
        "info": {**info, "feedback": None if feedback is None else feedback.to_dict()},
    }


def decode_view(data: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """The observation and info :func:`encode_view` packed, the feedback typed again."""
    info = dict(data["info"])
    if info.get("feedback") is not None:
        info["feedback"] = Feedback.from_dict(info["feedback"])
    return dict(data["observation"]), info


def _roundtrip(observation: dict[str, str], info: dict[str, Any]) -> tuple[dict, dict]:
    return decode_view(json.loads(json.dumps(encode_view(observation, info))))


@dataclass(frozen=True)
class AgentPayload:
    """An agent packed to travel to a player's process."""

    data: bytes
    path: tuple[str, ...]
    """The packing process's ``sys.path``, so the player imports what it imported."""

    @classmethod
    def pack(cls, agent: Agent) -> AgentPayload:
        """Pack ``agent`` with cloudpickle (classes defined in ``__main__`` travel by value)."""
        import cloudpickle

        try:
            data = cloudpickle.dumps(agent)
        except Exception as exc:
            raise ConfigError(
                f"agent {getattr(agent, 'name', agent)!r} cannot be sent to a player process "
                f"({type(exc).__name__}: {exc}); make it picklable, or play it in-process "
                "for debugging (in_process=True)"
            ) from exc
        return cls(data, tuple(sys.path))

    def unpack(self) -> Agent:
        """A fresh copy of the agent."""
        import cloudpickle

        return cloudpickle.loads(self.data)


def agent_name(agent: Agent) -> str:
    """The name an agent is recorded under."""
    return str(getattr(agent, "name", type(agent).__name__))


def batches(agent: Agent) -> bool:
    """Whether ``agent`` answers many episodes at once with an ``act_batch`` of its own."""
    own = getattr(type(agent), "act_batch", None)
    return own is not None and own is not BaseAgent.act_batch


@dataclass(frozen=True)
class Players:
    """How a run plays its agent: in player processes (the default) or in the judge's.

    Executors call :meth:`open` once per process that plays episodes (or per Ray worker).
    """

    name: str
    batches: bool
    """Whether the agent has an ``act_batch`` of its own (the batched executor needs one)."""
    payload: AgentPayload | None
    """The agent packed to travel (``None`` for an in-process agent that cannot be packed)."""
    in_process: bool = False
    agent: Any = None
    """In-process only: the caller's own agent object, played where the run is."""
    remote: Any = None
    """An agent served at a URL: its :class:`fbgym.remote.agent.Endpoint`, nothing packed."""

    @classmethod
    def of(cls, agent: Agent, *, in_process: bool = False) -> Players:
        """Players of ``agent``; in-process runs keep the object itself, too."""
        if getattr(agent, "remote_url", None) is not None:  # played where it is served
            if in_process:
                raise ConfigError("a served agent plays where it is served, never in-process")
            return cls(agent_name(agent), bool(agent.batching), None, remote=agent.endpoint)
        try:
            payload: AgentPayload | None = AgentPayload.pack(agent)
        except ConfigError:
            if not in_process:
                raise
            payload = None
        return cls(agent_name(agent), batches(agent), payload, in_process, agent)

    def packed(self) -> AgentPayload:
        """The agent packed to travel to another process."""
        if self.payload is None:
            raise ConfigError(
                f"agent {self.name!r} cannot be pickled for worker processes; use executor='serial'"
            )
        return self.payload

    def open(self, *, here: bool = True) -> LocalPlayer | ProcessPlayer:
        """A player: a process of its own, or the agent in this process.

        ``here=False`` (in a worker process) plays a fresh copy instead of the caller's object.
        A served agent is reached over the network.
        """
        if self.remote is not None:
            return self.remote.open()
        if not self.in_process:
            return ProcessPlayer(self.packed())
        if here and self.agent is not None:
            return LocalPlayer(self.agent)
        return LocalPlayer(self.packed().unpack())

    def __getstate__(self) -> dict[str, Any]:
        """Everything but the caller's own agent object, which stays where it is."""
        payload = self.payload if self.remote is not None else self.packed()
        return {**self.__dict__, "payload": payload, "agent": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


class LocalPlayer:
    """The agent in the judge's own process (for debugging: runs are marked ``in-process``).

    The agent is handed exactly what a :class:`ProcessPlayer` would send it.
    """

    separate = False

    def __init__(self, agent: Agent):
        self.agent = agent

    def new_stream(self) -> None:
        """Start a stream of episodes: the agent forgets earlier streams."""
        if hasattr(self.agent, "new_stream"):
            self.agent.new_stream()

    def reset(self, instruction: str, seed: int) -> None:
        """Start an episode."""
        self.agent.reset(instruction, seed=seed)

    def act(self, observation: dict[str, str], info: dict[str, Any], timeout: float | None):
        """The agent's next action, within ``timeout`` seconds."""
        from fbgym.runner.episode import call_with_timeout

        return call_with_timeout(self.agent.act, timeout, *_roundtrip(observation, info))

    def act_batch(self, observations: Sequence[dict], infos: Sequence[dict], timeout: float | None):
        """One action per episode, from one call of the agent's ``act_batch``."""
        from fbgym.runner.episode import call_with_timeout

        views = [_roundtrip(o, i) for o, i in zip(observations, infos)]
        actions = call_with_timeout(
            self.agent.act_batch, timeout, [v[0] for v in views], [v[1] for v in views]
        )
        return list(actions)

    def end_episode(self, observation: dict[str, str], info: dict[str, Any]) -> None:
        """Tell an agent with an ``end_episode`` hook how the episode ended."""
        hook = getattr(self.agent, "end_episode", None)
        if hook is not None:
            hook(*_roundtrip(observation, info))

    def close(self) -> None:
        """Nothing to release."""


class ProcessPlayer:
    """The agent in a process of its own; started on first use, restarted after it fails.

    A call that overruns its timeout, or a process that dies, fails that call with
    :class:`AgentError`; the process is killed and the next call starts a fresh copy of the
    agent (what it remembered of the stream is lost, and the episode's error says so).
    """

    separate = True

    def __init__(self, payload: AgentPayload):
        self.payload = payload
        self._process: subprocess.Popen | None = None
        self._to: int | None = None
        self._from: int | None = None
        self.isolation: dict[str, Any] = {}

    def _start(self) -> None:
        to_read, to_write = os.pipe()
        from_read, from_write = os.pipe()
        self._process = subprocess.Popen(
            [sys.executable, "-c", _PLAYER_MAIN, str(to_read), str(from_write)],
            pass_fds=(to_read, from_write),
            start_new_session=True,
        )
        os.close(to_read)
        os.close(from_write)
        self._to, self._from = to_write, from_read
        self.isolation = self._call(
            {
                "op": "load",
                "agent": base64.b64encode(self.payload.data).decode("ascii"),
                "path": list(self.payload.path),
            },
            None,
        )

    def _call(self, message: dict[str, Any], timeout: float | None) -> Any:
        if self._to is None or self._from is None:
            self._start()
        to, back = self._to, self._from
        try:
            _write_frame(to, json.dumps(message).encode("utf-8"))
            ready, _, _ = select.select([back], [], [], timeout)
            if not ready:
                self.kill()
                raise AgentTimeout(f"the agent took longer than the {timeout:g} s step timeout")
            frame = _read_frame(back)
        except OSError as exc:
            frame = None
            failure = f"{type(exc).__name__}: {exc}"
        else:
            failure = ""
        if frame is None:
            code = self.kill()
            raise AgentError(
                f"the agent's process died (exit code {code}){': ' + failure if failure else ''}"
            )
        reply = json.loads(frame)
        if "error" in reply:
            raise AgentError(reply["error"])
        return reply["ok"]

    def new_stream(self) -> None:
        """Start a stream of episodes: the agent forgets earlier streams."""
        self._call({"op": "new_stream"}, None)

    def reset(self, instruction: str, seed: int) -> None:
        """Start an episode."""
        self._call({"op": "reset", "instruction": instruction, "seed": seed}, None)

    def act(self, observation: dict[str, str], info: dict[str, Any], timeout: float | None):
        """The agent's next action, within ``timeout`` seconds."""
        view = encode_view(observation, info)
        return decode_action(self._call({"op": "act", **view}, timeout))

    def act_batch(self, observations: Sequence[dict], infos: Sequence[dict], timeout: float | None):
        """One action per episode, from one call of the agent's ``act_batch``."""
        views = [encode_view(o, i) for o, i in zip(observations, infos)]
        return [decode_action(a) for a in self._call({"op": "act_batch", "views": views}, timeout)]

    def end_episode(self, observation: dict[str, str], info: dict[str, Any]) -> None:
        """Tell an agent with an ``end_episode`` hook how the episode ended."""
        self._call({"op": "end_episode", **encode_view(observation, info)}, None)

    def kill(self) -> int | None:
        """Stop the agent's process (and anything it started) now; its exit code."""
        process, self._process = self._process, None
        for fd in (self._to, self._from):
            if fd is not None:
                os.close(fd)
        self._to = self._from = None
        if process is None:
            return None
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return process.wait()

    def close(self) -> None:
        """End the agent's process."""
        self.kill()


def _write_frame(fd: int, data: bytes) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int) -> bytes | None:
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    return _read_exactly(fd, _HEADER.unpack(header)[0])


def hide_judge_memory() -> bool:
    """Make this (the judge's) process non-dumpable: others of its user cannot trace it.

    Returns whether it could (Linux only).
    """
    return _prctl(_PR_SET_DUMPABLE, 0)


@contextmanager
def judge_memory_hidden() -> Iterator[bool]:
    """:func:`hide_judge_memory` for a while; the old setting comes back afterwards."""
    before = _prctl_get(_PR_GET_DUMPABLE)
    hidden = hide_judge_memory()
    try:
        yield hidden
    finally:
        if hidden and before:
            _prctl(_PR_SET_DUMPABLE, before)


def _prctl_get(option: int) -> int:
    if sys.platform != "linux":
        return 0
    try:
        return max(int(ctypes.CDLL(None, use_errno=True).prctl(option, 0, 0, 0, 0)), 0)
    except (OSError, AttributeError):
        return 0


def _prctl(option: int, value: int) -> bool:
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _drop_privileges() -> dict[str, bool]:
    """Drop every capability for good and forbid gaining new ones (Linux; best effort)."""
    report = {"dies_with_judge": _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)}
    if sys.platform != "linux":
        return {**report, "capabilities_dropped": False, "no_new_privileges": False}
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in range(64):
        libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [(n, ctypes.c_uint32) for n in ("effective", "permitted", "inheritable")]

    dropped = libc.capset(ctypes.byref(Header(_LINUX_CAPABILITY_VERSION_3, 0)), (Data * 2)()) == 0
    report["capabilities_dropped"] = dropped
    report["no_new_privileges"] = _prctl(_PR_SET_NO_NEW_PRIVS, 1)
    return report


def _judge_memory_hidden() -> bool:
    """Whether this process is unable to read its parent's (the judge's) memory."""
    try:
        with open(f"/proc/{os.getppid()}/mem", "rb"):
            return False
    except OSError:
        return True


def _serve(to_read: int, from_write: int) -> None:
    isolation = _drop_privileges()
    isolation["judge_memory_hidden"] = _judge_memory_hidden()
    agent: Any = None
    while True:
        frame = _read_frame(to_read)
        if frame is None:
            return
        message = json.loads(frame)
        op = message.pop("op")
        try:
            if op == "load":
                sys.path[:0] = [p for p in message["path"] if p not in sys.path]
                import cloudpickle

                agent = cloudpickle.loads(base64.b64decode(message["agent"]))
                result: Any = isolation
            elif op == "close":
                return
            else:
                result = handle_request(agent, op, message)
            reply = {"ok": result}
        except Exception as exc:  # the agent's failure, reported to the judge
            from fbgym.runner.episode import describe_error

            reply = {"error": describe_error(exc)}
        _write_frame(from_write, json.dumps(reply).encode("utf-8"))


def handle_request(agent: Any, op: str, message: dict[str, Any]) -> Any:
    """Carry out one protocol request on ``agent``; its plain-data result."""
    if op == "new_stream":
        if hasattr(agent, "new_stream"):
            agent.new_stream()
        return None
    if op == "reset":
        agent.reset(message["instruction"], seed=message["seed"])
        return None
    if op == "act":
        return encode_action(agent.act(*decode_view(message)))
    if op == "act_batch":
        views = [decode_view(v) for v in message["views"]]
        actions = list(agent.act_batch([v[0] for v in views], [v[1] for v in views]))
        if len(actions) != len(views):
            raise ConfigError(f"act_batch returned {len(actions)} actions for {len(views)}")
        return [encode_action(a) for a in actions]
    if op == "end_episode":
        hook = getattr(agent, "end_episode", None)
        if hook is not None:
            hook(*decode_view(message))
        return None
    raise ConfigError(f"unknown player request {op!r}")


def probe_isolation() -> dict[str, Any]:
    """What keeps an agent in a player's process from the judge's memory, here.

    Starts a player's process once and asks it; ``judge_memory_hidden`` says whether it
    could open the judge's ``/proc/<pid>/mem``.
    """
    player = ProcessPlayer(AgentPayload.pack(BaseAgent()))
    try:
        player._start()
        return {"process": "separate", **player.isolation}
    finally:
        player.close()
