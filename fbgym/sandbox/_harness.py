"""Inside each sandboxed child: its rlimits, and the harness that runs the code and calls."""

import json
import linecache
import os
import resource
import sys
import traceback

if "encode_value" not in globals():  # imported as a module rather than run as the server
    from fbgym.sandbox.values import UnencodableValue, decode_value, encode_value

SOLUTION = "<solution>"


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


def _error_info(exc, source_lines):
    tb = exc.__traceback__
    line = None
    frames = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SOLUTION:
            line = tb.tb_lineno
            frames.append(tb)
        tb = tb.tb_next
    try:
        message = str(exc)[:1000]
    except BaseException:
        message = "<the exception's message could not be shown>"
    if isinstance(exc, SyntaxError) and exc.filename == SOLUTION:
        line = exc.lineno
        message = str(exc.msg)[:1000]
    try:
        lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
        keep = [lines[0]] + [ln for ln in lines[1:-1] if f'"{SOLUTION}"' in ln] + [lines[-1]]
        text = "".join(keep)[-3000:]
    except BaseException:
        text = ""
    return {"type": type(exc).__name__[:100], "message": message, "line": line, "traceback": text}


def harness(source, entry, calls, fd):
    """Run ``source``, then ``entry(*args)`` for each call; report each as one JSON line."""
    dumps, write, encode, decode = json.dumps, os.write, encode_value, decode_value

    def report(obj):
        data = (dumps(obj) + "\n").encode("utf-8", "backslashreplace")
        while data:
            data = data[write(fd, data) :]

    linecache.cache[SOLUTION] = (len(source), None, source.splitlines(True), SOLUTION)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        exec(compile(source, SOLUTION, "exec"), namespace)
        fn = namespace.get(entry) if entry else None
        if entry and not callable(fn):
            raise NameError(f"no function named {entry!r} is defined")
    except BaseException as exc:
        report({"phase": "load", "error": _error_info(exc, source)})
        calls = ()
    else:
        report({"phase": "load", "ok": True})
    for index, args in enumerate(calls):
        try:
            value = fn(*decode(args))
        except BaseException as exc:
            report({"i": index, "error": _error_info(exc, source)})
            continue
        try:
            report({"i": index, "ok": encode(value)})
        except (UnencodableValue, RecursionError) as exc:
            error = {"type": "UnencodableValue", "message": str(exc), "line": None, "traceback": ""}
            report({"i": index, "error": error})
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    report({"phase": "done"})  # the last line: the server may end the run as soon as it reads it


def warm_up():
    """Run the harness once here, so each child finds the parser and encoders warm."""
    null = os.open(os.devnull, os.O_WRONLY)
    source = "def f(x, y):\n    return {'k': [x * 2, str(y)], 'z': (1.5, None)}\n"
    harness(source, "f", [encode_value((3, "a"))], null)
    decode_value(encode_value({"a": [1, (2.0, None)]}))
    linecache.cache.pop(SOLUTION, None)
    os.close(null)
