import matplotlib
import numpy as np
import pytest

from fbgym.envs.robot.task import RobotConfig
from fbgym.errors import ConfigError

matplotlib.use("Agg")


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"tasks": ("fly",)}, "unknown robot tasks"),
        ({"reach_noise": 0.9}, r"noise must be in \[0, 0.5\]"),
        ({"ambiguity": -0.1}, "ambiguity must be"),
        ({"max_bias": 1.0}, "at least 2.5"),
    ],
)
def test_config_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        RobotConfig(**kwargs)


def test_rgb_array_render(make_env):
    env = make_env(render_mode="rgb_array")
    env.reset(seed=0)
    before = env.render()
    assert before.shape == (320, 480, 3) and before.dtype == np.uint8
    env.step("move left 10cm")
    after = env.render()
    assert not np.array_equal(before, after)


def test_matplotlib_plot(make_env):
    import matplotlib.pyplot as plt

    env = make_env()
    env.reset(seed=4)
    fig = env.plot()
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert set(env.problem.public["objects"]) <= texts
    plt.close(fig)


def test_ansi_render_still_gives_the_transcript(make_env):
    env = make_env(render_mode="ansi")
    env.reset(seed=0)
    env.step("grasp")
    assert "> grasp" in env.render()
