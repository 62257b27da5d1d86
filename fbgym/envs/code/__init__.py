"""The code family: generated and HumanEval/MBPP problems, sandboxed tests, execution feedback."""

from fbgym.core.family import Family, SuiteEntry

FAMILY = Family(
    "code",
    env="fbgym.envs.code.env:CodeEnv",
    versions={"fbgym/Code-v0": {}, "fbgym/Code-v1": {"generation": 1}},
    descriptions={
        "fbgym/Code-v0": "Write Python functions against hidden tests run in a sandbox "
        "(generated problems, or a HumanEval/MBPP file).",
        "fbgym/Code-v1": "Write Python functions composed from typed primitives (two to seven "
        "steps, 10 to 20 hidden tests with edge cases) against tests run in a sandbox; "
        "verbal feedback names the failing input, not its expected value.",
    },
    baseline="fbgym.envs.code.baseline:CodePolicy",
    prompt="fbgym.envs.code.prompt:TEMPLATE",
    critic_prompt="fbgym.envs.code.prompt:CRITIC",
    hints="fbgym.envs.code.hints:CodeHints",
    suites={
        "default": (SuiteEntry("fbgym/Code-v1", episodes=200),),
        "hard": (SuiteEntry("fbgym/Code-v1", episodes=200, kwargs={"levels": [5, 6]}),),
        "smoke": (SuiteEntry("fbgym/Code-v1", episodes=10),),
    },
    data_formats={
        "humaneval": ("task_id", "prompt", "canonical_solution", "test", "entry_point"),
        "mbpp": ("task_id", "text", "code", "test_list"),
    },
    data_env="fbgym/Code-v0",
    cost=10.0,
)
