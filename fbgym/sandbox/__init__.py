"""A sandbox for untrusted Python: jailed throwaway processes forked from a warm server."""

from fbgym.sandbox.isolation import Isolation
from fbgym.sandbox.limits import Limits
from fbgym.sandbox.runner import (
    CallError,
    CallResult,
    RunResult,
    Sandbox,
    SandboxError,
    shared_sandbox,
)
from fbgym.sandbox.values import UnencodableValue, decode_value, encode_value, values_equal

__all__ = [
    "CallError",
    "CallResult",
    "Isolation",
    "Limits",
    "RunResult",
    "Sandbox",
    "SandboxError",
    "UnencodableValue",
    "decode_value",
    "encode_value",
    "shared_sandbox",
    "values_equal",
]
