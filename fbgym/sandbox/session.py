"""The trusted side of a run: talking to its child over pipes, and judging what it says.

Nothing a child writes is trusted: each line is decoded with bounded work (see
:mod:`fbgym.sandbox.values`) and checked against what the harness would have written at
that point; anything else ends the run with a :class:`ProtocolError`, never a crash.
"""

from __future__ import annotations

import json
import os
import select
import time
from collections.abc import Sequence
from typing import Any

from fbgym.sandbox.limits import Limits
from fbgym.sandbox.results import AssertResult, CallError, CallResult, TestCall
from fbgym.sandbox.text import safe_text
from fbgym.sandbox.values import ObjectValue, Opaque, UnencodableValue, decode_value, encode_value


class ProtocolError(Exception):
    """A child wrote something its harness never writes."""


class Channel:
    """The parent's ends of one run: its request and result pipes and its output file.

    The request pipe comes non-blocking (the server sets it so), so that a child that stops
    reading cannot make the parent wait past the run's deadline.
    """

    def __init__(self, number: int, fds: Sequence[int], limits: Limits):
        self.number = number
        """The server's number for the run."""
        self.request_fd, self.result_fd, self.output_fd = fds
        self.deadline = time.monotonic() + limits.wall_s
        wire = limits.to_wire()
        self.budget, self.output_bytes = wire["result_bytes"], wire["output_bytes"]
        self.buffer = bytearray()
        self.state = "exited"
        """``exited`` until the run is found out of time (``timeout``) or data (``overflow``)."""
        self.gone = False
        """Whether the result pipe is at its end (the child and all it started are gone)."""
        self.done = False
        """Whether the child said it was done (and so had flushed its output)."""

    def send(self, text: str) -> bool:
        """Write one line to the child; False if it is gone or out of time."""
        data = memoryview((text + "\n").encode("utf-8"))
        while data:
            try:
                data = data[os.write(self.request_fd, data) :]
            except BlockingIOError:
                if not self._wait(self.request_fd, write=True):
                    return False
            except OSError:  # the child is gone (what it wrote before can still be read)
                return False
        return True

    def end_requests(self) -> None:
        """Tell the child there is nothing more to ask (end of file on its request pipe)."""
        if self.request_fd >= 0:
            os.close(self.request_fd)
            self.request_fd = -1

    def line(self) -> str | None:
        """The child's next line; None once it has gone, run out of time or of data."""
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                data = bytes(self.buffer[:end])
                del self.buffer[: end + 1]
                if not data.isascii():
                    raise ProtocolError("the result channel holds bytes the harness never writes")
                return data.decode("ascii")
            if self.gone or self.state != "exited" or not self._wait(self.result_fd):
                return None
            chunk = os.read(self.result_fd, 1 << 16)
            if not chunk:
                self.gone = True
                return None
            self.budget -= len(chunk)
            if self.budget < 0:
                self.state = "overflow"
                return None
            self.buffer += chunk

    def _wait(self, fd: int, write: bool = False) -> bool:
        remaining = self.deadline - time.monotonic()
        if remaining > 0:
            ready = (
                select.select([], [fd], [], remaining)
                if write
                else select.select([fd], [], [], remaining)
            )
            if ready[1] or ready[0]:
                return True
        self.state = "timeout"
        return False

    def output(self) -> str:
        """The start of what the run printed (read it once the run is done or dead)."""
        data = os.pread(self.output_fd, self.output_bytes + 1, 0)
        return data.decode("utf-8", "replace")

    def close(self) -> None:
        """Close the parent's ends."""
        self.end_requests()
        for name in ("result_fd", "output_fd"):
            if getattr(self, name) >= 0:
                os.close(getattr(self, name))
                setattr(self, name, -1)


def read_message(channel: Channel, kinds: Sequence[str]) -> tuple[Any, ...] | None:
    """The child's next message, one of ``kinds``; None if the run ended first."""
    line = channel.line()
    if line is None:
        return None
    try:
        message = decode_value(line)
    except UnencodableValue as exc:
        raise ProtocolError(f"a message could not be decoded ({exc})") from None
    if type(message) is not tuple or not message or message[0] not in kinds:
        shown = safe_text(message[:1] if type(message) is tuple else message, 80)
        raise ProtocolError(f"expected a {'/'.join(kinds)} message, got {shown}")
    if message[0] == "done":
        if len(message) != 1:
            raise ProtocolError("a malformed done message")
        channel.done = True
    return message


def call_error(data: Any) -> CallError:
    """An error report from a child as a :class:`CallError`, its texts cleaned."""
    if type(data) is not dict:
        raise ProtocolError("an error report must be a mapping")
    line = data.get("line")
    return CallError(
        type=safe_text(data.get("type", "Error"), 100),
        message=safe_text(data.get("message", ""), 1000),
        line=line if type(line) is int else None,
        traceback=safe_text(data.get("traceback", ""), 3000),
    )


def read_load(channel: Channel) -> tuple[bool, CallError | None]:
    """Whether the child loaded its code, and the error if it did not."""
    message = read_message(channel, ("load",))
    if message is None:
        return False, None
    if message[1:] == (True,):
        return True, None
    if len(message) == 3 and message[1] is False:
        return False, call_error(message[2])
    raise ProtocolError("a malformed load report")


def ask(
    channel: Channel,
    number: int,
    name: str,
    args: Sequence[Any],
    kwargs: dict[str, Any],
    last: bool,
) -> bool:
    """Send call ``number``; with ``last``, also say that no call follows it."""
    sent = channel.send(encode_value((number, name, tuple(args), dict(kwargs)), other=_passed_on))
    if last:
        channel.end_requests()
    return sent


def answer(channel: Channel, number: int) -> CallResult:
    """The child's answer to call ``number`` (not returned: the run ended first)."""
    message = read_message(channel, ("ok", "err"))
    if message is None:
        return CallResult(False)
    if len(message) != 3 or type(message[1]) is not int or message[1] != number:
        raise ProtocolError(f"an answer to call {number} came out of order")
    if message[0] == "ok":
        return CallResult(True, message[2])
    return CallResult(True, error=call_error(message[2]))


def _passed_on(value: Any) -> tuple[Any, ...]:
    """Objects that crossed to this side go on as they came: references and objects."""
    if type(value) is Opaque:
        return ("ref", value.number, value.type_name)
    if type(value) is ObjectValue:
        return ("obj", value.type_name, value.attributes)
    raise UnencodableValue(f"an object of type {type(value).__name__} is not plain data")


def run_calls(
    channel: Channel, setup: dict[str, Any], entry: str, calls: Sequence[Sequence[Any]]
) -> tuple[bool, CallError | None, list[CallResult]]:
    """Send the program, then its calls one at a time; load status and answers so far.

    The first call goes with the program and the end of the requests with the last call,
    so a run of one call takes one exchange.
    """
    channel.send(json.dumps(setup))
    if calls:
        ask(channel, 0, entry, calls[0], {}, last=len(calls) == 1)
    else:
        channel.end_requests()
    loaded, load_error = read_load(channel)
    values: list[CallResult] = []
    for number in range(len(calls) if loaded else 0):
        values.append(answer(channel, number))
        if not values[-1].returned:
            return loaded, load_error, values
        if number + 1 < len(calls):
            ask(channel, number + 1, entry, calls[number + 1], {}, last=number + 2 == len(calls))
    if loaded or load_error is not None:
        read_message(channel, ("done",))
    return loaded, load_error, values


def encode_reply(result: CallResult) -> str:
    """A call's answer as the test program reads it."""
    if result.error is not None:
        return encode_value(("err", 0, result.error.to_dict()))
    return encode_value(("ok", 0, result.value), other=_passed_on)


def relay_tests(
    solution: Channel, tests: Channel, names: Sequence[str]
) -> tuple[list[AssertResult], AssertResult | None, bool, int]:
    """Relay the test program's calls of ``names`` to the solution, one at a time.

    Returns the asserts executed, what stopped the tests outside an assert, whether the
    tests ran to their end, and how many calls were made. Stops when either run ends.
    """
    asserts: list[AssertResult] = []
    last: dict[Any, TestCall] = {}
    calls = 0
    while True:
        message = read_message(tests, ("call", "assert", "abort", "done"))
        if message is None:
            return asserts, None, False, calls
        kind = message[0]
        if kind == "done":
            return asserts, None, True, calls
        if kind == "call":
            _, number, site, name, args, kwargs = _shape(message, 6)
            if (
                number != calls
                or name not in names
                or type(args) is not tuple
                or type(kwargs) is not dict
            ):
                raise ProtocolError("the test program made a malformed call")
            ask(solution, number, name, args, kwargs, last=False)
            result = answer(solution, number)
            calls += 1
            last[site] = TestCall(name, args, kwargs, result)
            if not result.returned or not tests.send(encode_reply(result)):
                return asserts, None, False, calls
        elif kind == "assert":
            _, site, held, error, _ = _shape(message, 5)
            error = None if error is None else call_error(error)
            asserts.append(AssertResult(site, held is True, error, last.pop(site, None)))
        else:
            _, error, _ = _shape(message, 3)
            return (
                asserts,
                AssertResult(None, False, call_error(error), last.pop(None, None)),
                False,
                calls,
            )


def _shape(message: tuple[Any, ...], size: int) -> tuple[Any, ...]:
    if len(message) != size:
        raise ProtocolError(f"a {message[0]} message must have {size} parts")
    site = {"call": 2, "assert": 1}.get(message[0])
    if site is not None and not (message[site] is None or type(message[site]) is int):
        raise ProtocolError(f"a {message[0]} message names no assert")
    return message
