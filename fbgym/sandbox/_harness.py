"""Inside each sandboxed child: its rlimits, and the harnesses that run code, calls and tests.

Requests arrive as lines on fd 4 (the parent writes the next call only after it has read
the answer to the last), answers leave as lines on fd 3; each line past the request's
first (JSON) is one value in the encoding of ``values.py``. A program's calls therefore
never see an argument of a later call, and a test program sees nothing of the solution
but the values it returns.
"""

import builtins
import json
import linecache
import os
import resource
import select
import sys
import traceback

if "encode_value" not in globals():  # imported as a module rather than run as the server
    from fbgym.sandbox.values import (
        Opaque,
        UnencodableValue,
        decode_value,
        encode_value,
        rebuild_object,
    )

SOLUTION = "<solution>"
TESTS = "<tests>"


def set_limits(lim):
    """Apply the request's rlimits (bytes and seconds) to this process."""
    pairs = [
        (resource.RLIMIT_AS, lim["memory_bytes"]),
        (resource.RLIMIT_CPU, lim["cpu_s"]),
        (resource.RLIMIT_FSIZE, lim["file_bytes"]),
        (resource.RLIMIT_NOFILE, lim["open_files"]),
        (resource.RLIMIT_CORE, 0),
    ]
    if hasattr(resource, "RLIMIT_NPROC"):
        pairs.append((resource.RLIMIT_NPROC, lim["processes"]))
    for which, value in pairs:  # CPU: soft = hard, so SIGKILL (the run is init: no SIGXCPU)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            resource.setrlimit(which, (value, resource.getrlimit(which)[1]))


def _error_info(exc, filename=SOLUTION):
    """An exception as plain data: type, message, the line of ``filename``, short traceback."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    try:
        message = str(exc)[:1000]
    except BaseException:
        message = "<the exception's message could not be shown>"
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        line = exc.lineno
        message = str(exc.msg)[:1000]
    try:
        lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
        keep = [lines[0]] + [ln for ln in lines[1:-1] if f'"{filename}"' in ln] + [lines[-1]]
        text = "".join(keep)[-3000:]
    except BaseException:
        text = ""
    return {"type": type(exc).__name__[:100], "message": message, "line": line, "traceback": text}


class Pipes:
    """The child's side of its pipes: requests in on ``qfd``, answers out on ``rfd``.

    Answers wait until the child would wait for a request (or is done), then leave
    together, so the parent wakes once per exchange rather than once per line.
    """

    def __init__(self, qfd, rfd):
        self.qfd, self.rfd = qfd, rfd
        self.inbox, self.outbox = bytearray(), []
        os.set_blocking(qfd, False)

    def report(self, message, other=None):
        """Queue one answer (see :func:`encode_value`)."""
        self.outbox.append(encode_value(message, other=other) + "\n")

    def flush(self):
        """Write the queued answers."""
        data = "".join(self.outbox).encode("ascii")
        self.outbox.clear()
        while data:
            data = data[os.write(self.rfd, data) :]

    def request(self):
        """The next request line, or None when the parent has no more."""
        while True:
            end = self.inbox.find(b"\n")
            if end >= 0:
                line = bytes(self.inbox[:end])
                del self.inbox[: end + 1]
                return line.decode("utf-8")
            try:
                chunk = os.read(self.qfd, 1 << 16)
            except BlockingIOError:
                self.flush()
                select.select([self.qfd], [], [])
                continue
            if not chunk:
                return None
            self.inbox += chunk


def _finish(pipes):
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    pipes.report(("done",))  # the last line: the parent may end the run as soon as it reads it
    pipes.flush()


def _load(source, filename, namespace, pipes):
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        exec(compile(source, filename, "exec"), namespace)
    except BaseException as exc:
        pipes.report(("load", False, _error_info(exc, filename)))
        return False
    return True


def run_calls(setup, pipes):
    """Run ``setup["source"]``, then call its functions as requests come: one at a time.

    A request is ``(number, name, args, kwargs)``; ``name`` must be among ``setup["names"]``.
    With ``setup["refs"]`` a value that is not plain data goes back as a reference, which a
    later request may pass back in.
    """
    report = pipes.report
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    names, entry = set(setup.get("names") or ()), setup.get("entry")
    if not _load(setup["source"], SOLUTION, namespace, pipes):
        return _finish(pipes)
    if entry and not callable(namespace.get(entry)):
        error = NameError(f"no function named {entry!r} is defined")
        report(("load", False, _error_info(error)))
        return _finish(pipes)
    report(("load", True))
    kept = [] if setup.get("refs") else None
    hooks = {"obj": rebuild_object(namespace), "ref": lambda number, _: kept[number]}

    def keep(value):
        kept.append(value)
        return ("ref", len(kept) - 1, type(value).__name__)

    while (line := pipes.request()) is not None:
        number, name, args, kwargs = decode_value(line, **hooks)
        try:
            fn = namespace.get(name) if name in names else None
            if not callable(fn):
                raise NameError(f"no function named {name!r} is defined")
            value = fn(*args, **kwargs)
        except BaseException as exc:
            report(("err", number, _error_info(exc)))
            continue
        try:
            report(("ok", number, value), other=None if kept is None else keep)
        except Exception as exc:
            error = {"type": "UnencodableValue", "message": str(exc)[:300], "line": None}
            report(("err", number, {**error, "traceback": ""}))
    _finish(pipes)


class _Tester:
    """The test program's side: proxies that call the solution, and hooks for its asserts."""

    def __init__(self, pipes):
        self.pipes, self.report = pipes, pipes.report
        self.calls, self.current = 0, None

    def proxy(self, name):
        def call(*args, **kwargs):
            return self.call(name, args, kwargs)

        call.__name__ = call.__qualname__ = name
        return call

    def call(self, name, args, kwargs):
        number = self.calls
        self.calls += 1
        self.report(("call", number, self.current, name, args, kwargs), other=_object_form)
        line = self.pipes.request()
        if line is None:
            raise SystemExit("the parent stopped the tests")
        reply = decode_value(line)
        if reply[0] == "ok":
            return reply[2]
        raise _raised(reply[2], number)

    def begin(self, number):
        self.current = number

    def passed(self, number, value):
        held = bool(value)
        self.current = None
        self.report(("assert", number, held, None, None))

    def failed(self, number, exc):
        self.current = None
        call = getattr(exc, "_fbgym_call", None)
        self.report(("assert", number, False, _error_info(exc, TESTS), call))


def _object_form(value):
    if type(value) is Opaque:
        return ("ref", value.number, value.type_name)
    attributes = getattr(value, "__dict__", None)
    if type(attributes) is not dict or isinstance(value, type):
        raise UnencodableValue(f"an object of type {type(value).__name__} cannot be passed")
    return ("obj", type(value).__name__, dict(attributes))


def _raised(info, number):
    """The solution's exception, re-raised here: a built-in type keeps its type."""
    name, message = str(info.get("type", "Exception")), str(info.get("message", ""))
    cls = getattr(builtins, name, None)
    try:
        if not (isinstance(cls, type) and issubclass(cls, Exception)):
            raise TypeError
        exc = cls(message)
    except Exception:
        exc = type(name if name.isidentifier() else "Exception", (Exception,), {})(message)
    exc._fbgym_call = number
    return exc


def run_tester(setup, pipes):
    """Run a test program against a solution that runs in another process.

    ``setup["setup"]`` runs first; then each name in ``setup["bindings"]`` becomes a proxy
    that asks the parent to call the solution's function of that name, and
    ``setup["body"]`` runs: its asserts, rewritten by the parent, report one by one.
    """
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    if not _load(setup["setup"], "<setup>", namespace, pipes):
        return _finish(pipes)
    pipes.report(("load", True))
    tester = _Tester(pipes)
    for name in setup["bindings"]:
        namespace[name] = tester.proxy(name)
    namespace["__fbgym__"] = tester
    try:
        exec(compile(setup["body"], TESTS, "exec"), namespace)
    except BaseException as exc:
        pipes.report(("abort", _error_info(exc, TESTS), getattr(exc, "_fbgym_call", None)))
    _finish(pipes)


def run_request(setup, pipes):
    """Run the harness that ``setup["mode"]`` names."""
    (run_tester if setup.get("mode") == "tester" else run_calls)(setup, pipes)


def warm_up():
    """Run both harnesses once here, so each child finds the parser and encoders warm."""
    null = os.open(os.devnull, os.O_WRONLY)
    source = "def f(x, y):\n    return {'k': [x * 2, str(y)], 'z': (1.5, None)}\n"
    setup = {"source": source, "entry": "f", "names": ["f"], "refs": True}
    body = "__fbgym__.begin(0)\ntry:\n    __fbgym__.passed(0, f(3) == 6)\nexcept Exception as e:\n"
    body += "    __fbgym__.failed(0, e)\n"
    tests = {"mode": "tester", "setup": "import math", "bindings": ["f"], "body": body}
    for request, answer in ((setup, (0, "f", (3, "a"), {})), (tests, ("ok", 0, 6))):
        rfd, wfd = os.pipe()
        os.write(wfd, (json.dumps(request) + "\n" + encode_value(answer) + "\n").encode())
        os.close(wfd)
        pipes = Pipes(rfd, null)
        run_request(json.loads(pipes.request()), pipes)
        os.close(rfd)
    linecache.cache.pop(SOLUTION, None)
    os.close(null)
