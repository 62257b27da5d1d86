"""The code family: generated and HumanEval/MBPP problems, sandboxed tests, execution feedback."""

from fbgym.registry import registry

with registry._builtin():
    registry.register(
        "fbgym/Code-v0",
        "fbgym.envs.code.env:CodeEnv",
        family="code",
        channels=("verbal", "unary", "ranked", "scalar"),
        description="Write Python functions against hidden tests run in a sandbox "
        "(generated problems, or a HumanEval/MBPP file).",
    )
    registry.register(
        "fbgym/Code-v1",
        "fbgym.envs.code.env:CodeEnv",
        family="code",
        channels=("verbal", "unary", "ranked", "scalar"),
        description="Write Python functions composed from typed primitives (two to seven "
        "steps, 10 to 20 hidden tests with edge cases) against tests run in a sandbox; "
        "verbal feedback names the failing input, not its expected value.",
        kwargs={"generation": 1},
    )
