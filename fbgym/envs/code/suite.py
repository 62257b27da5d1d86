"""A data file's own tests as a code problem's hidden tests, and the verdict on a solution.

The data set's test code runs in the sandbox beside the solution (see
:meth:`fbgym.sandbox.Sandbox.check`), so a problem is graded as its authors grade it: the
solution passes when the test code runs to its end and no assert fails. Its score is the
fraction of assert executions that held, out of as many as the reference solution makes.

What the feedback may show of a failed assert: the call, when its arguments are literals
in the test source (never ones the test computed), what it returned, and the expected value
when the assert compares the call with a literal (as the critic shows for generated
problems). The judge's full record of the assert stays in ``diagnosis["assertion"]``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fbgym.core.types import Outcome
from fbgym.envs.code.grader import HiddenTest, run_status, show_call, utility_of
from fbgym.sandbox import AssertResult, CheckResult, Sandbox, TestProgram, show_value


@dataclass(frozen=True)
class FileTests:
    """A data file's test program, with the number of asserts its reference solution passes."""

    program: TestProgram
    total: int

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[HiddenTest]:
        """The asserts that compare a literal call with a literal, as hidden tests."""
        for site in self.program.sites:
            if site.literal and site.expected is not None:
                yield HiddenTest((), ast.literal_eval(site.expected))

    def grade(self, sandbox: Sandbox, source: str, entry: str) -> Outcome:
        """Run the tests beside ``source`` and judge what they report."""
        return judge_file_tests(sandbox.check(source, self.program, entry=entry), self, entry)


def judge_file_tests(result: CheckResult, tests: FileTests, entry: str) -> Outcome:
    """The verdict on a solution from its test program's reports."""
    total = max(tests.total, 1)
    success = result.success and result.loaded
    passed = total if success else min(result.passed, total - 1)
    failing = next((a for a in result.asserts if not a.held), result.aborted)
    status = "passed" if success else _status(result, failing)
    diagnosis: dict[str, Any] = {
        "passed": passed,
        "total": total,
        "status": status,
        "failure": None if success else _failure(result, failing, tests, entry, status),
        "timeout": result.timed_out,
        "output": result.output[:2000],
        "isolation": result.isolation.get("level", "unknown"),
        "assertions": {"executed": len(result.asserts), "held": result.passed},
    }
    if failing is not None and not success:
        diagnosis["assertion"] = _record(failing, tests, entry)
    if result.protocol_error:
        diagnosis["tampered"] = result.protocol_error
    score = 1.0 if success else passed / total
    return Outcome(
        success, score, utility=utility_of(success, passed, total, status), diagnosis=diagnosis
    )


def _status(result: CheckResult, failing: AssertResult | None) -> str:
    status = run_status(result)
    if status != "passed":
        return status
    if failing is not None and failing.call is not None and not failing.call.result.returned:
        return run_status(result, returned=False)
    if failing is not None and failing.raised_by_solution:
        return "exception"
    if failing is None and not result.completed:
        return "timeout" if result.timed_out else "crashed"
    return "wrong_answer"


def _failure(
    result: CheckResult, failing: AssertResult | None, tests: FileTests, entry: str, status: str
) -> dict[str, Any]:
    """What the critic may say of the failure (see the module's docstring)."""
    error = result.load_error if status == "load_error" else None
    if status == "exception" and failing is not None and failing.call is not None:
        error = failing.call.result.error
    failure: dict[str, Any] = {
        "call": None,
        "args": None,
        "expected": None,
        "got": None,
        "note": "",
        "error": error.to_dict() if error is not None else None,
    }
    site = tests.program.site(failing.site) if failing is not None else None
    call = failing.call if failing is not None else None
    if site is None or call is None or not site.literal:
        return failure
    failure["call"] = show_call(entry if call.name == entry else call.name, call.args, call.kwargs)
    failure["args"] = [show_value(a) for a in call.args]
    failure["expected"] = site.expected or f"a value for which `{site.text}` holds"
    if status == "wrong_answer" and call.result.error is None:
        failure["got"] = show_value(call.result.value)
    return failure


def _record(failing: AssertResult, tests: FileTests, entry: str) -> dict[str, Any]:
    """The judge's record of a failed assert: where, what it says, what the call did."""
    site = tests.program.site(failing.site)
    record: dict[str, Any] = {
        "line": site.line if site else None,
        "source": site.text if site else None,
        "literal": bool(site and site.literal),
        "error": failing.error.to_dict() if failing.error else None,
    }
    if failing.call is not None:
        record["call"] = show_call(failing.call.name, failing.call.args, failing.call.kwargs)
        result = failing.call.result
        record["got"] = show_value(result.value) if result.returned and not result.error else None
    return record
