"""The math family: generated and loaded problems, a strict grader, and a step-aware critic."""

from fbgym.registry import registry

with registry._builtin():
    registry.register(
        "fbgym/Math-v0",
        "fbgym.envs.math.env:MathEnv",
        family="math",
        channels=("verbal", "unary", "ranked", "scalar"),
        description="Arithmetic, word problems, fractions and algebra (or a GSM8K/MATH file).",
    )
