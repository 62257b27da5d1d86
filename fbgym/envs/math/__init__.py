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
    registry.register(
        "fbgym/Math-v1",
        "fbgym.envs.math.env:MathEnv",
        family="math",
        channels=("verbal", "unary", "ranked", "scalar"),
        kwargs={"generation": 1},
        description="Problems of 4 to 32 operations at eight levels; train and test disjoint.",
    )
