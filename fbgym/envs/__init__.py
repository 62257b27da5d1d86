"""Built-in task families; importing this registers their environment ids."""

from fbgym.envs import code, math, robot, search  # noqa: F401
