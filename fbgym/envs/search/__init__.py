"""The search family: conversational search over a generated or local collection with BM25."""

from fbgym.core.family import Family, SuiteEntry

FAMILY = Family(
    "search",
    env="fbgym.envs.search.env:ConvSearchEnv",
    versions={"fbgym/ConvSearch-v0": {}, "fbgym/ConvSearch-v1": {"version": 1, "max_turns": 12}},
    descriptions={
        "fbgym/ConvSearch-v0": "Find passages for a user's hidden facet: search, ask, answer "
        "(nDCG@3).",
        "fbgym/ConvSearch-v1": "Five levels, thousands of needs told in the user's own words; "
        "questions cost.",
    },
    baseline="fbgym.envs.search.baseline:search_policy",
    prompt="fbgym.envs.search.prompt:TEMPLATE",
    critic_prompt="fbgym.envs.search.prompt:CRITIC",
    hints="fbgym.envs.search.hints:SearchHints",
    metrics="fbgym.envs.search.metrics:search_metrics",
    tools="fbgym.envs.search.tools:SEARCH_TOOLS",
    suites={
        "default": (SuiteEntry("fbgym/ConvSearch-v1", episodes=200),),
        "hard": (SuiteEntry("fbgym/ConvSearch-v1", episodes=200, kwargs={"levels": [4, 5]}),),
        "smoke": (SuiteEntry("fbgym/ConvSearch-v1", episodes=10),),
    },
    cost=2.0,
)
