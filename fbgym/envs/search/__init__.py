"""The search family: conversational search over a generated or local collection with BM25."""

from fbgym.registry import registry

with registry._builtin():
    registry.register(
        "fbgym/ConvSearch-v0",
        "fbgym.envs.search.env:ConvSearchEnv",
        family="search",
        channels=("verbal", "unary", "ranked", "scalar"),
        description="Find passages for a user's hidden facet: search, ask, answer (nDCG@3).",
    )
    registry.register(
        "fbgym/ConvSearch-v1",
        "fbgym.envs.search.env:ConvSearchEnv",
        family="search",
        channels=("verbal", "unary", "ranked", "scalar"),
        description="Five levels, thousands of needs told in the user's own words; questions cost.",
        kwargs={"version": 1, "max_turns": 12},
    )
