"""The math family: generated and loaded problems, a strict grader, and a step-aware critic."""

from fbgym.core.family import Family, SuiteEntry

FAMILY = Family(
    "math",
    env="fbgym.envs.math.env:MathEnv",
    versions={"fbgym/Math-v0": {}, "fbgym/Math-v1": {"generation": 1}},
    descriptions={
        "fbgym/Math-v0": "Arithmetic, word problems, fractions and algebra (or a GSM8K/MATH file).",
        "fbgym/Math-v1": "Problems of 4 to 46 operations at eight levels; train and test disjoint.",
    },
    baseline="fbgym.envs.math.baseline:MathPolicy",
    prompt="fbgym.envs.math.prompt:TEMPLATE",
    critic_prompt="fbgym.envs.math.prompt:CRITIC",
    hints="fbgym.envs.math.hints:MathHints",
    suites={
        "default": (SuiteEntry("fbgym/Math-v1", episodes=200),),
        "hard": (SuiteEntry("fbgym/Math-v1", episodes=200, kwargs={"levels": [7, 8]}),),
        "smoke": (SuiteEntry("fbgym/Math-v1", episodes=10),),
    },
    data_formats={"gsm8k": ("question", "answer"), "math": ("problem", "solution")},
    data_env="fbgym/Math-v0",
)
