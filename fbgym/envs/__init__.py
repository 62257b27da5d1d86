"""Built-in task families; importing this registers their environment ids."""

from fbgym.envs import math  # noqa: F401
