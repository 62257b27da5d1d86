"""What runs in the sandbox did, as the trusted side saw it: calls, asserts, whole runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CallError:
    """An exception raised by the sandboxed code (or why its value could not be returned).

    Its texts are cleaned: no control sequences, memory addresses masked.
    """

    type: str
    message: str
    line: int | None = None
    """Line of the solution (or of the tests) where it was raised, if known."""
    traceback: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable."""
        return {
            "type": self.type,
            "message": self.message,
            "line": self.line,
            "traceback": self.traceback,
        }


@dataclass(frozen=True)
class CallResult:
    """One call's outcome: a decoded plain value, an error, or nothing (the run ended first)."""

    returned: bool
    value: Any = None
    error: CallError | None = None


@dataclass(frozen=True)
class RunResult:
    """What one run did, as the trusted side saw it."""

    state: str
    """``exited``, ``timeout``, ``overflow`` (too much result data) or ``error`` (the sandbox)."""
    load_error: CallError | None
    """Why the code could not be loaded (syntax error, exception at import, no entry point)."""
    loaded: bool
    calls: tuple[CallResult, ...]
    output: str
    """The start of stdout and stderr, cleaned."""
    exit_code: int | None = None
    signal: int | None = None
    wall_s: float = 0.0
    protocol_error: str = ""
    """Set when the result channel held something the harness never writes: all calls fail."""
    isolation: dict[str, Any] = field(default_factory=dict)
    stopped_by: str = ""
    """Which time limit ended a run that timed out, when the sandbox knows: ``wall`` or ``cpu``."""

    @property
    def timed_out(self) -> bool:
        """Whether the run ran out of time: its wall-clock limit or its CPU limit, the same."""
        return self.state == "timeout"


@dataclass(frozen=True)
class TestCall:
    """A call the test program made of the solution, and what came back."""

    __test__ = False  # not a class of tests for pytest to collect

    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    result: CallResult


@dataclass(frozen=True)
class AssertResult:
    """One execution of an assert of the test program.

    ``site`` numbers the assert in its source (see :class:`~fbgym.sandbox.TestProgram`);
    ``error`` is what evaluating it raised, if anything; ``call`` is the last call of the
    solution made while evaluating it.
    """

    site: int | None
    held: bool
    error: CallError | None = None
    call: TestCall | None = None

    @property
    def raised_by_solution(self) -> bool:
        """Whether it failed because the solution raised (re-raised in the tests)."""
        return (
            self.call is not None and self.call.result.error is not None and self.error is not None
        )


@dataclass(frozen=True)
class CheckResult:
    """A solution checked by a test program run beside it (see :meth:`Sandbox.check`)."""

    state: str
    """``exited``, ``timeout`` (either run), ``overflow`` (the solution's) or ``error``."""
    loaded: bool
    load_error: CallError | None
    """Why the solution could not be loaded."""
    asserts: tuple[AssertResult, ...]
    """Every assert the tests executed, in order."""
    completed: bool
    """Whether the test program ran to its end (no exception escaped it)."""
    aborted: AssertResult | None = None
    """What stopped the test program outside any assert (``site`` is None), if anything."""
    tests_error: CallError | None = None
    """Why the test program itself could not load (the data's fault, not the solution's)."""
    calls: int = 0
    output: str = ""
    """The start of the solution's stdout and stderr, cleaned."""
    wall_s: float = 0.0
    protocol_error: str = ""
    isolation: dict[str, Any] = field(default_factory=dict)
    exit_code: int | None = None
    signal: int | None = None
    stopped_by: str = ""
    """Which time limit ended a run that timed out, when the sandbox knows: ``wall`` or ``cpu``."""

    @property
    def passed(self) -> int:
        """How many assert executions held."""
        return sum(a.held for a in self.asserts)

    @property
    def success(self) -> bool:
        """The authors' verdict: the tests ran to their end and no assert failed."""
        return (
            self.completed
            and not self.protocol_error
            and self.tests_error is None
            and all(a.held for a in self.asserts)
        )

    @property
    def timed_out(self) -> bool:
        """Whether a run ran out of time (wall clock or CPU), the solution's or the tests'."""
        return self.state == "timeout"
