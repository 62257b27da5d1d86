"""A sandbox for untrusted Python: jailed throwaway processes forked from a warm server."""

from fbgym.sandbox.compare import show_value, values_equal
from fbgym.sandbox.isolation import Isolation
from fbgym.sandbox.limits import Limits
from fbgym.sandbox.results import (
    AssertResult,
    CallError,
    CallResult,
    CheckResult,
    RunResult,
    TestCall,
)
from fbgym.sandbox.runner import Sandbox, SandboxError, shared_sandbox
from fbgym.sandbox.testprogram import AssertSite, TestProgram
from fbgym.sandbox.text import strip_controls
from fbgym.sandbox.values import UnencodableValue, decode_value, encode_value

__all__ = [
    "AssertResult",
    "AssertSite",
    "CallError",
    "CallResult",
    "CheckResult",
    "Isolation",
    "Limits",
    "RunResult",
    "Sandbox",
    "SandboxError",
    "TestCall",
    "TestProgram",
    "UnencodableValue",
    "decode_value",
    "encode_value",
    "shared_sandbox",
    "show_value",
    "strip_controls",
    "values_equal",
]
