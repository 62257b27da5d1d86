"""Fixtures shared across the test folders."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def _install(files: dict[str, str], root: Path) -> Path:
    """Write ``files`` (a package's source, dedented) under ``root / "src"`` and pip-install it
    into ``root / "site"``, offline, as a user installs a plugin; the folder to put on the path."""
    src, target = root / "src", root / "site"
    for name, text in files.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(textwrap.dedent(text))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(src)],
        check=True, capture_output=True,
    )  # fmt: skip
    return target


@pytest.fixture(scope="session")
def install_package():
    """``install_package(files, root)``: a package of the test's own, installed by pip."""
    return _install
