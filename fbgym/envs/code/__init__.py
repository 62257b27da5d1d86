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
