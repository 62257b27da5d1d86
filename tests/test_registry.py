import os
import subprocess
import sys
import textwrap

import gymnasium as gym
import pytest

import fbgym
from fbgym.errors import RegistrationError, UnknownIdError
from fbgym.registration import Registry


def test_builtins_are_listed_with_family_and_channels():
    info = fbgym.registry.get("fbgym/Math-v0")
    assert info.family == "math" and info.source == "fbgym"
    assert set(info.channels) >= {"verbal", "unary", "ranked"}
    assert "fbgym/Math-v0" in [e.id for e in fbgym.list_envs("math")]


def test_duplicates_are_rejected_naming_the_owner():
    with pytest.raises(
        RegistrationError, match=r"'fbgym/Math-v0' is already registered \(by fbgym\)"
    ):
        fbgym.register("fbgym/Math-v0", "x:Y", family="math")


def test_register_user_env_and_make_it():
    fbgym.register(
        "tests/Math-v7", "fbgym.envs.math.env:MathEnv", family="math", kwargs={"levels": (1,)}
    )
    try:
        env = gym.make("tests/Math-v7", feedback="unary")
        assert env.reset(seed=0)[1]["problem"]["level"] == 1
        assert fbgym.registry.get("tests/Math-v7").source == "user"
    finally:
        fbgym.registry.unregister("tests/Math-v7")
    assert "tests/Math-v7" not in gym.registry


def test_unknown_ids_suggest_near_misses():
    with pytest.raises(UnknownIdError, match="did you mean 'fbgym/Math-v0'"):
        fbgym.make("fbgym/Maths-v0")


@pytest.mark.parametrize("bad", ["Math", "fbgym/Math", "fbgym/Math-v", "a b/C-v0"])
def test_ids_must_follow_the_scheme(bad):
    with pytest.raises(RegistrationError, match="Namespace/Name-vN"):
        Registry().register(bad, "x:Y", family="f")


def test_channels_are_validated():
    with pytest.raises(ValueError, match="unknown feedback channel"):
        Registry().register("a/B-v0", "x:Y", family="f", channels=("telepathy",))


PLUGIN = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"
        [project]
        name = "fbgym-riddles"
        version = "0.0.1"
        [project.entry-points."fbgym.envs"]
        riddles = "fbgym_riddles:register_envs"
        broken = "fbgym_riddles_missing:nothing"
    """,
    "fbgym_riddles/__init__.py": """
        import fbgym
        from fbgym.envs.math.env import MathEnv

        class RiddleEnv(MathEnv):
            pass

        def register_envs():
            fbgym.register("riddles/Riddles-v0", "fbgym_riddles:RiddleEnv", family="riddles",
                           channels=("verbal", "unary"))
    """,
}


def test_entry_point_plugin_is_found_after_import_and_broken_ones_are_named(
    tmp_path, install_package
):
    target = install_package(PLUGIN, tmp_path)
    script = textwrap.dedent("""
        import warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import fbgym
        import gymnasium as gym
        env = gym.make("riddles/Riddles-v0", feedback="unary")
        obs, info = env.reset(seed=0)
        print(type(env.unwrapped).__name__, fbgym.registry.get("riddles/Riddles-v0").source)
        print([e.name for e in fbgym.registry.plugin_errors])
        print(any("'broken'" in str(w.message) for w in caught))
    """)
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout.split("\n")
    assert out[0] == "RiddleEnv plugin:riddles"
    assert out[1] == "['broken']" and out[2] == "True"
    listing = subprocess.run(
        [sys.executable, "-m", "fbgym.cli", "envs"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "riddles/Riddles-v0" in listing.stdout and "'broken'" in listing.stderr
